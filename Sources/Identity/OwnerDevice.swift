import CameoCore
import CameoCrypto
import Foundation
import Ledger
import Store

/// The owner's side of a signed consent write: an Ed25519 device key that signs statements
/// the way `OwnerStatementVerifier` checks them. Used by `cameo owner sign`, the test suites
/// and the benchmarks; an app does the same on the device.
public struct OwnerDevice: Sendable {
    /// The private key.
    public let key: Ed25519PrivateKey
    /// The raw 32-byte public key.
    public var publicKey: [UInt8] { key.publicKey.raw }
    /// The key id the server derives (`ok_` + 32 hex of SHA-256 of the raw key).
    public var keyID: String { OwnerKeyStore.keyID(publicKey) }

    /// A device over `key` (a fresh one by default).
    public init(key: Ed25519PrivateKey? = nil) throws { self.key = try key ?? Ed25519PrivateKey.generate() }

    /// A fresh statement nonce: 24 random bytes, base64url.
    public static func nonce() -> String { Base64.encodeURL(secureRandomBytes(24)) }

    /// `body` (an object) with `subject`, `action`, a fresh `nonce` and `issued_at` set where
    /// absent, then signed: `owner_signature` over the RFC 8785 bytes of the rest.
    public func sign(_ body: JSONValue, subject: SubjectID? = nil, action: String? = nil, now: Date = Date()) throws -> JSONValue {
        guard case .object(var fields) = body else { throw IdentityError("invalid_request", "a statement is a JSON object") }
        fields.removeValue(forKey: "owner_signature")
        if let subject, fields["subject"] == nil { fields["subject"] = .string(subject.rawValue) }
        if let action, fields["action"] == nil { fields["action"] = .string(action) }
        if fields["nonce"] == nil { fields["nonce"] = .string(Self.nonce()) }
        if fields["issued_at"] == nil { fields["issued_at"] = .string(Timestamp.format(now)) }
        let signature = try key.sign(try CanonicalJSON.encode(JSONValue.object(fields)))
        fields["owner_signature"] = ["key_id": .string(keyID), "alg": "Ed25519", "value": .string(Base64.encode(signature))]
        return .object(fields)
    }

    /// The signed body as RFC 8785 text, ready to send.
    public func signedText(_ body: JSONValue, subject: SubjectID? = nil, action: String? = nil, now: Date = Date()) throws -> String {
        String(decoding: try CanonicalJSON.encode(try sign(body, subject: subject, action: action, now: now)), as: UTF8.self)
    }
}
