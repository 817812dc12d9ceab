/// The class of failure an error belongs to; the HTTP layer maps each kind to one status code
/// and the CLI to one exit code, so domain modules never speak HTTP.
public enum ErrorKind: String, Sendable, Codable {
    case invalidInput      // 400 / 422
    case unauthenticated   // 401
    case forbidden         // 403
    case notFound          // 404
    case conflict          // 409
    case stale             // 409 (consistency token not reached)
    case tooLarge          // 413
    case unavailable       // 503
    case integrity         // verification of signed/hashed data failed
    case internalFailure   // 500: a bug or an environment failure, never bad input
}

/// Every module's error type conforms to this: a stable machine code (`snake_case`, never
/// reworded once published), a human message, and a kind that decides status and exit codes.
public protocol CodedError: Error, CustomStringConvertible, Sendable {
    /// Stable code such as `ledger_bad_signature`; clients branch on it.
    var code: String { get }
    /// Human-readable explanation; may change between releases.
    var message: String { get }
    /// Coarse class used for HTTP status and CLI exit code.
    var kind: ErrorKind { get }
}

extension CodedError {
    public var description: String { "\(code): \(message)" }
}

/// The error type of `CameoCore` itself (canonical JSON, id validation).
public struct CoreError: CodedError {
    public let code: String
    public let message: String
    public let kind: ErrorKind

    /// Creates an error; `kind` defaults to `.invalidInput` because core errors come from input.
    public init(_ code: String, _ message: String, kind: ErrorKind = .invalidInput) {
        self.code = code
        self.message = message
        self.kind = kind
    }
}
