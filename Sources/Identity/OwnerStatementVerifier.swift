import CameoCore
import CameoCrypto
import Foundation
import Ledger
import Store

/// What a consent write expects its owner-signed statement to say.
public struct OwnerStatementExpectation: Sendable {
    /// The subject whose consent it is (grant owner, the erased likeness, the person removing an appearance).
    public let subject: SubjectID
    /// The action, e.g. `grant.create`, `grant.revoke`, `likeness.erase`, `generation.remove`.
    public let action: String
    /// Fields that must hold exactly these strings (the write's target: `grant_id`, `generation_id`…).
    public let targets: [String: String]

    /// Creates an expectation.
    public init(subject: SubjectID, action: String, targets: [String: String] = [:]) {
        self.subject = subject; self.action = action; self.targets = targets
    }
}

/// Checks the owner signature carried by a consent write's request body.
///
/// The body is a JSON object with `owner_signature: {"key_id", "alg": "Ed25519", "value"}`;
/// the signature is over the RFC 8785 bytes of the body without `owner_signature`. That
/// statement names `subject`, `action`, a single-use `nonce` (16–128 of `A-Za-z0-9_-`),
/// `issued_at` (RFC 3339, within the policy window of the server clock) and the target.
/// Every failure is a coded 401/403 and nothing is written; the nonce is consumed later, in
/// the transaction of the write (`ConsentAuthorization.commit`).
public struct OwnerStatementVerifier: Sendable {
    let keys: OwnerKeyStore
    /// ± seconds around now that `issued_at` may be.
    public let window: TimeInterval
    /// Whether an unsigned write is refused (true) or recorded as the platform's (false: migration).
    public let required: Bool

    /// A verifier over the registered `keys`.
    public init(keys: OwnerKeyStore, window: TimeInterval, required: Bool) {
        self.keys = keys; self.window = window; self.required = required
    }

    /// Verifies `body` against `expect`; returns how the write is authorised.
    public func authorize(_ body: JSONValue?, _ expect: OwnerStatementExpectation, now: Date = Date()) throws -> ConsentAuthorization {
        guard case .object(var fields)? = body, let signature = fields.removeValue(forKey: "owner_signature") else {
            if required {
                throw IdentityError("owner_signature_required", "this write needs the owner's signature: add owner_signature over the RFC 8785 bytes of the body (see the README)", kind: .unauthenticated)
            }
            return .platform
        }
        guard case .object(let sig) = signature, let keyID = sig["key_id"]?.stringValue, let value = sig["value"]?.stringValue else {
            throw IdentityError("owner_signature_malformed", "owner_signature must be {\"key_id\", \"alg\": \"Ed25519\", \"value\"}", kind: .unauthenticated)
        }
        guard sig["alg"]?.stringValue == "Ed25519" else {
            throw IdentityError("owner_signature_malformed", "owner_signature.alg must be Ed25519", kind: .unauthenticated)
        }
        guard let raw = Base64.decode(value), raw.count == 64 else {
            throw IdentityError("owner_signature_malformed", "owner_signature.value must be a base64 64-byte Ed25519 signature", kind: .unauthenticated)
        }
        guard let key = try keys.cachedKey(keyID) else {
            throw IdentityError("owner_key_unknown", "no owner key \(keyID.prefix(80)); keys are registered at a verified enrollment", kind: .unauthenticated)
        }
        guard key.isActive else { throw IdentityError("owner_key_removed", "owner key \(keyID) was removed", kind: .unauthenticated) }
        let statement = try CanonicalJSON.encode(JSONValue.object(fields))
        guard try Ed25519PublicKey(raw: key.publicKey).verify(signature: raw, message: statement) else {
            throw IdentityError("owner_signature_invalid", "owner_signature does not verify over the RFC 8785 bytes of the body without owner_signature", kind: .unauthenticated)
        }
        // A valid signature from here on: what remains is whether it was made for this write.
        guard key.subject == expect.subject, fields["subject"]?.stringValue == expect.subject.rawValue else {
            throw IdentityError("owner_key_wrong_subject", "the statement must be signed by a key of \(expect.subject) and name it as subject", kind: .forbidden)
        }
        guard fields["action"]?.stringValue == expect.action else {
            throw IdentityError("owner_statement_mismatch", "the signed statement's action must be \(expect.action)", kind: .forbidden)
        }
        for (name, wanted) in expect.targets.sorted(by: { $0.key < $1.key }) where fields[name]?.stringValue != wanted {
            throw IdentityError("owner_statement_mismatch", "the signed statement's \(name) must be \(wanted)", kind: .forbidden)
        }
        guard let nonce = fields["nonce"]?.stringValue, (16...128).contains(nonce.utf8.count),
              nonce.utf8.allSatisfy({ $0.isASCIIAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }) else {
            throw IdentityError("owner_statement_mismatch", "the signed statement needs a nonce of 16-128 characters A-Z a-z 0-9 - _", kind: .forbidden)
        }
        guard let text = fields["issued_at"]?.stringValue, let issuedAt = Timestamp.parse(text) else {
            throw IdentityError("owner_statement_mismatch", "the signed statement needs issued_at (RFC 3339)", kind: .forbidden)
        }
        guard abs(issuedAt.timeIntervalSince(now)) <= window else {
            throw IdentityError("owner_signature_expired", "issued_at \(text) is more than \(Int(window)) s from the server clock; sign a fresh statement", kind: .unauthenticated)
        }
        // A replay is reported as one before any other rule (a replayed grant would otherwise read
        // as a duplicate); the write's transaction consumes the nonce atomically all the same.
        if try keys.nonceUsed(nonce, key: keyID) {
            throw IdentityError("owner_signature_replayed", "this signed statement (nonce \(nonce.prefix(40))) was already used", kind: .unauthenticated)
        }
        return .owner(OwnerSignatureRecord(keyID: keyID, signature: value, statement: String(decoding: statement, as: UTF8.self),
                                           nonce: nonce, nonceExpiresAt: issuedAt.addingTimeInterval(window + 1)))
    }
}

extension UInt8 {
    var isASCIIAlphanumeric: Bool { (48...57).contains(self) || (65...90).contains(self) || (97...122).contains(self) }
}

/// Parses an owner's public key: SPKI PEM, or raw 32 bytes in base64 (standard or URL-safe).
public enum OwnerPublicKey {
    /// The raw 32 bytes of `text`; `owner_key_invalid` (422) when it is neither form or not Ed25519.
    public static func parse(_ text: String) throws -> [UInt8] {
        if text.contains("-----BEGIN") {
            do { return try Ed25519PublicKey(pem: text).raw } catch {
                throw IdentityError("owner_key_invalid", "owner public key: not an Ed25519 SPKI PEM")
            }
        }
        guard let raw = Base64.decode(text) ?? Base64.decodeURL(text), raw.count == 32 else {
            throw IdentityError("owner_key_invalid", "owner public key: give an Ed25519 SPKI PEM or the raw 32-byte key in base64")
        }
        return raw
    }
}
