import CameoCore

/// Errors from loading or validating policy files.
public struct PolicyError: CodedError {
    public let code: String
    public let message: String
    public var kind: ErrorKind { .invalidInput }

    /// Creates an error naming the file and field at fault in `message`.
    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}
