import CameoCore

/// The one error type of the `PDQ` module: a stable `code`, a human message and the
/// `ErrorKind` the HTTP layer and CLI map to a status or exit code.
///
/// Codes: `pdq_invalid_image` (dimensions or buffer size wrong), `pdq_invalid_hash`
/// (text that is not 64 hex digits).
public struct PDQError: CodedError, Equatable {
    /// Stable machine code, e.g. `pdq_invalid_image`.
    public let code: String
    /// Human-readable explanation; may change between releases.
    public let message: String
    /// Always `.invalidInput`: PDQ fails only on bad input.
    public let kind: ErrorKind

    init(code: String, message: String) {
        self.code = code
        self.message = message
        self.kind = .invalidInput
    }

    /// The pixel buffer does not describe a `width`×`height` RGB image.
    static func invalidImage(_ message: String) -> PDQError {
        PDQError(code: "pdq_invalid_image", message: message)
    }

    /// A hash's text form is not 64 hexadecimal digits.
    static func invalidHash(_ message: String) -> PDQError {
        PDQError(code: "pdq_invalid_hash", message: message)
    }
}
