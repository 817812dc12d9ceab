import CameoCore
import CameoCrypto

/// What the offline audit of owner signatures established.
public struct ConsentSignatureSummary: Sendable, Equatable {
    /// Consent writes in the ledger (grant created/revoked, likeness erased, appearance removed, owner key added/removed).
    public var consentWrites = 0
    /// Of those, marked `signed_by: owner`.
    public var ownerSigned = 0
    /// Of those, marked `signed_by: platform` (migration) or written before owner signatures existed.
    public var platform = 0
    /// Owner signatures checked against their statements (0 without `statements.jsonl`).
    public var signaturesVerified = 0
    /// Whether statements were supplied.
    public var statementsChecked = false

    /// An empty summary.
    public init() {}

    /// The one-line report `cameo ledger verify` prints.
    public var line: String {
        let state = statementsChecked ? "all valid" : "signatures not checked (export with --statements)"
        return "\(ownerSigned) of \(consentWrites) consent writes owner-signed, \(state)" + (platform > 0 ? "; \(platform) by the platform" : "")
    }
}

/// Audits owner signatures offline, from the entries alone plus the signed statements.
///
/// Keys are learnt from the ledger itself: a `likeness.verified` entry with `owner_key`, or an
/// `owner_key.added` entry, registers one; `owner_key.removed` and `likeness.erased` retire
/// them. Every owner-signed consent write must then name a key registered to the right subject
/// and active at that index; with statements, its statement must hash to `statement_sha256`,
/// the signature must verify over it, and the statement must say what the entry did.
public enum ConsentSignatureAudit {
    /// Entry type → the action its statement must name.
    public static let actions: [String: String] = [
        "grant.created": "grant.create", "grant.revoked": "grant.revoke", "likeness.erased": "likeness.erase",
        "generation.removed": "generation.remove", "owner_key.added": "owner_key.add", "owner_key.removed": "owner_key.remove",
    ]

    struct Key { let subject: String; let raw: [UInt8]; var active: Bool }

    /// Audits `entries` (in ledger order); `statements` maps a ledger index to the statement
    /// text, or is nil when the bundle has none. Throws the first failure (`LedgerError`, integrity).
    public static func audit(_ entries: [LedgerEntry], statements: [UInt64: String]?) throws -> ConsentSignatureSummary {
        var keys: [String: Key] = [:]
        var summary = ConsentSignatureSummary()
        summary.statementsChecked = statements != nil
        func fail(_ i: Int, _ code: String, _ message: String) -> LedgerError {
            LedgerError(code, "entry \(i): \(message)", kind: .integrity)
        }
        func register(_ i: Int, _ subject: String, _ v: JSONValue?) throws {
            guard let v, v != .null else { return }
            guard let id = v["key_id"]?.stringValue, let b64 = v["public_key"]?.stringValue, let raw = Base64.decode(b64), raw.count == 32,
                  id == "ok_" + String(SHA256.hex(raw).prefix(32)) else {
                throw fail(i, "owner_key_malformed", "owner_key must carry public_key (32 bytes) and the key_id derived from it")
            }
            keys[id] = Key(subject: subject, raw: raw, active: true)
        }
        for (i, e) in entries.enumerated() {
            if let action = actions[e.type], e.type != "generation.removed" || e.payload["on_behalf_of"].map({ $0 != .null }) == true {
                summary.consentWrites += 1
                if e.payload["signed_by"]?.stringValue == "owner" {
                    summary.ownerSigned += 1
                    try check(i, e, action: action, keys: keys, statements: statements, fail: fail)
                    if statements != nil { summary.signaturesVerified += 1 }
                } else {
                    summary.platform += 1
                }
            }
            switch e.type {
            case "likeness.verified": try register(i, e.subject, e.payload["owner_key"])
            case "owner_key.added": try register(i, e.subject, e.payload["owner_key"])
            case "owner_key.removed": if let id = e.payload["key_id"]?.stringValue { keys[id]?.active = false }
            case "likeness.erased": for (id, k) in keys where k.subject == e.subject { keys[id]?.active = false }
            default: break
            }
        }
        return summary
    }

    /// The subject whose consent entry `e` records.
    static func owner(of e: LedgerEntry) -> String? {
        switch e.type {
        case "grant.created", "grant.revoked": e.payload["owner"]?.stringValue
        case "generation.removed": e.payload["on_behalf_of"]?.stringValue
        default: e.subject
        }
    }

    static func check(_ i: Int, _ e: LedgerEntry, action: String, keys: [String: Key], statements: [UInt64: String]?,
                      fail: (Int, String, String) -> LedgerError) throws {
        guard case .object(let sig)? = e.payload["owner_signature"], let keyID = sig["key_id"]?.stringValue, sig["alg"]?.stringValue == "Ed25519",
              let value = sig["value"]?.stringValue, let hash = e.payload["statement_sha256"]?.stringValue, let subject = owner(of: e) else {
            throw fail(i, "owner_signature_missing", "\(e.type) is marked signed_by owner but lacks owner_signature or statement_sha256")
        }
        guard let key = keys[keyID] else { throw fail(i, "owner_key_not_registered", "key \(keyID) was not registered by an earlier entry") }
        guard key.active else { throw fail(i, "owner_key_removed", "key \(keyID) was removed before this entry") }
        guard key.subject == subject else { throw fail(i, "owner_key_wrong_subject", "key \(keyID) belongs to \(key.subject), not \(subject)") }
        guard let statements else { return }
        guard let text = statements[UInt64(i)] else { throw fail(i, "statement_missing", "no statement for this owner-signed \(e.type)") }
        let bytes = Array(text.utf8)
        guard SHA256.hex(bytes) == hash else { throw fail(i, "statement_hash_mismatch", "the statement does not hash to statement_sha256") }
        guard let raw = Base64.decode(value), let pub = try? Ed25519PublicKey(raw: key.raw), pub.verify(signature: raw, message: bytes) else {
            throw fail(i, "owner_signature_invalid", "the owner signature does not verify over the statement")
        }
        guard case .object(let s)? = try? JSONValue.parse(bytes), CanonicalJSON.isCanonical(bytes), s["owner_signature"] == nil else {
            throw fail(i, "statement_malformed", "the statement is not an RFC 8785 object without owner_signature")
        }
        var expected: [String: String] = ["subject": subject, "action": action]
        switch e.type {
        case "grant.revoked": expected["grant_id"] = e.subject
        case "generation.removed": expected["generation_id"] = e.subject
        case "owner_key.removed": expected["key_id"] = e.payload["key_id"]?.stringValue ?? ""
        case "owner_key.added":
            let text = s["public_key"]?.stringValue ?? ""
            let added = text.contains("-----BEGIN") ? (try? Ed25519PublicKey(pem: text))?.raw : (Base64.decode(text) ?? Base64.decodeURL(text))
            guard let added, "ok_" + String(SHA256.hex(added).prefix(32)) == e.payload["owner_key"]?["key_id"]?.stringValue else {
                throw fail(i, "statement_mismatch", "the signed public_key is not the key the entry added")
            }
        case "grant.created":
            expected["owner"] = subject
            let uses = (s["uses"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            let audience = s["audience"]?["kind"]?.stringValue, effect = s["effect"]?.stringValue ?? "allow"
            guard uses == (e.payload["uses"]?.arrayValue ?? []).compactMap(\.stringValue).sorted(),
                  audience == e.payload["audience"]?["kind"]?.stringValue, effect == e.payload["effect"]?.stringValue else {
                throw fail(i, "statement_mismatch", "the signed grant's terms (uses, audience, effect) are not the recorded grant's")
            }
        default: break
        }
        for (name, want) in expected.sorted(by: { $0.key < $1.key }) where s[name]?.stringValue != want {
            throw fail(i, "statement_mismatch", "the signed statement's \(name) is not \(want)")
        }
    }
}
