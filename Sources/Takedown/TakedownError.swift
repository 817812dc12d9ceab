import CameoCore

/// Errors of the takedown workflow.
public struct TakedownError: CodedError {
    public let code: String
    public let message: String
    public let kind: ErrorKind

    /// Creates an error with a stable `code`.
    public init(_ code: String, _ message: String, kind: ErrorKind = .invalidInput) {
        self.code = code
        self.message = message
        self.kind = kind
    }
}
