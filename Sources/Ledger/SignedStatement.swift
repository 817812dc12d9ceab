import CameoCore
import CameoCrypto

/// A JSON statement signed with the ledger key: decision receipts and provenance manifests.
///
/// Format (itself canonical JSON): `{"statement":{…},"signature":{"alg":"Ed25519",
/// "key_id":"<hex of C2SP key ID>","value":"<base64 of Ed25519(canonical(statement))>"}}`.
/// The signature covers the RFC 8785 bytes of `statement`, so any verifier that can
/// canonicalize JSON can check it with the ledger's public key.
public struct SignedStatement: Sendable, Equatable {
    /// What is asserted.
    public let statement: JSONValue
    /// Hex key ID (same derivation as checkpoints: name = ledger origin).
    public let keyID: String
    /// The 64-byte signature.
    public let signature: [UInt8]

    /// Signs `statement` with `key` known under `keyName` (the ledger origin).
    public static func sign(_ statement: JSONValue, keyName: String, key: Ed25519PrivateKey) throws -> SignedStatement {
        let sig = try key.sign(try CanonicalJSON.encode(statement))
        return SignedStatement(statement: statement, keyID: Hex.encode(SignedNote.keyID(name: keyName, publicKey: key.publicKey)), signature: sig)
    }

    init(statement: JSONValue, keyID: String, signature: [UInt8]) {
        self.statement = statement
        self.keyID = keyID
        self.signature = signature
    }

    /// The JSON form.
    public var json: JSONValue {
        .object(["statement": statement,
                 "signature": .object(["alg": .string("Ed25519"), "key_id": .string(keyID), "value": .string(Base64.encode(signature))])])
    }

    /// Parses the JSON form; `bad_statement` when fields are missing or malformed.
    public init(json: JSONValue) throws {
        guard let statement = json["statement"], case .object = statement, let sig = json["signature"],
              sig["alg"]?.stringValue == "Ed25519", let keyID = sig["key_id"]?.stringValue,
              let value = sig["value"]?.stringValue, let bytes = Base64.decode(value), bytes.count == 64 else {
            throw LedgerError("bad_statement", "expected {\"statement\":{…},\"signature\":{\"alg\":\"Ed25519\",\"key_id\",\"value\"}}")
        }
        self.init(statement: statement, keyID: keyID, signature: bytes)
    }

    /// Verifies the signature with `publicKey` (named `keyName`); throws `bad_signature`.
    public func verify(keyName: String, publicKey: Ed25519PublicKey) throws {
        let expected = Hex.encode(SignedNote.keyID(name: keyName, publicKey: publicKey))
        guard keyID == expected else {
            throw LedgerError("unknown_signer", "signed by key \(keyID), expected \(expected)", kind: .integrity)
        }
        guard publicKey.verify(signature: signature, message: try CanonicalJSON.encode(statement)) else {
            throw LedgerError("bad_signature", "the signature does not match the statement", kind: .integrity)
        }
    }
}
