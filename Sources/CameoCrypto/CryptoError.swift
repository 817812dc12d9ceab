import CameoCore

/// Errors from the Crypto module. OpenSSL's own error queue text is appended to `message`.
public struct CryptoError: CodedError {
    public let code: String
    public let message: String
    public let kind: ErrorKind

    init(_ code: String, _ message: String, kind: ErrorKind = .internalFailure) {
        self.code = code
        self.message = message
        self.kind = kind
    }
}
