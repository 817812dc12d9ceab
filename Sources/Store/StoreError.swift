import CameoCore

/// Errors from the Store module.
public struct StoreError: CodedError {
    public let code: String
    public let message: String
    public let kind: ErrorKind

    /// Creates an error with a stable `code`.
    public init(_ code: String, _ message: String, kind: ErrorKind = .internalFailure) {
        self.code = code
        self.message = message
        self.kind = kind
    }
}
