import CameoCore

/// Errors from the Identity module (accounts, keys, authentication).
public struct IdentityError: CodedError {
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
