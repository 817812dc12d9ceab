import CameoCore
import CameoCrypto
import Foundation
import Ledger
import Synchronization

/// A subject's device key as registered (Ed25519, raw 32 bytes).
public struct OwnerKeyRecord: Sendable, Equatable {
    /// `ok_` + the first 32 hex digits of SHA-256 of the raw public key.
    public let keyID: String
    public let subject: SubjectID
    public let publicKey: [UInt8]
    public let addedAt: Date
    /// The ledger entry that registered it (`likeness.verified` or `owner_key.added`).
    public let addedIndex: UInt64
    public let removedAt: Date?
    public let removedIndex: UInt64?

    /// Whether the key may sign now.
    public var isActive: Bool { removedAt == nil }
}

/// A verified owner signature over a statement, ready to be committed with the write it
/// authorises: the nonce is consumed and the statement kept in the same transaction.
public struct OwnerSignatureRecord: Sendable, Equatable {
    /// The signing key.
    public let keyID: String
    /// Base64 Ed25519 signature over `statement`.
    public let signature: String
    /// The RFC 8785 bytes the owner signed (the request body without `owner_signature`).
    public let statement: String
    /// The statement's single-use nonce.
    public let nonce: String
    /// Until when the nonce is remembered.
    public let nonceExpiresAt: Date

    /// Creates a record (the caller verified the signature).
    public init(keyID: String, signature: String, statement: String, nonce: String, nonceExpiresAt: Date) {
        self.keyID = keyID; self.signature = signature; self.statement = statement
        self.nonce = nonce; self.nonceExpiresAt = nonceExpiresAt
    }

    /// Hex SHA-256 of the statement bytes.
    public var statementSHA256: String { SHA256.hex(Array(statement.utf8)) }
}

/// Who authorised a consent write, as the ledger records it.
public enum ConsentAuthorization: Sendable, Equatable {
    /// The owner, by a verified signature.
    case owner(OwnerSignatureRecord)
    /// The platform on its own (only when `require_owner_signature` is false: migration).
    case platform

    /// The ledger payload fields: `signed_by`, and for an owner the key id, signature and the
    /// statement's SHA-256 (the statement itself, which may hold personal data, stays in the store).
    public var payload: [String: JSONValue] {
        switch self {
        case .platform: return ["signed_by": "platform"]
        case .owner(let s):
            return ["signed_by": "owner", "statement_sha256": .string(s.statementSHA256),
                    "owner_signature": ["key_id": .string(s.keyID), "alg": "Ed25519", "value": .string(s.signature)]]
        }
    }

    /// Inside the write's transaction: re-checks the key is active, consumes the nonce
    /// (`owner_signature_replayed` if it was used) and keeps the statement under `index`.
    public func commit(_ db: any SQLTransaction, index: UInt64, now: Date) throws {
        guard case .owner(let s) = self else { return }
        guard let key = try db.one("SELECT removed_at FROM owner_keys WHERE key_id = ?", s.keyID) else {
            throw StoreError("owner_key_unknown", "no owner key \(s.keyID)", kind: .unauthenticated)
        }
        if try key.optionalDouble("removed_at") != nil {
            throw StoreError("owner_key_removed", "owner key \(s.keyID) was removed", kind: .unauthenticated)
        }
        try db.execute("DELETE FROM owner_nonces WHERE key_id = ? AND expires_at < ?", s.keyID, now.timeIntervalSince1970)
        let inserted = try db.execute("INSERT INTO owner_nonces(key_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                      s.keyID, s.nonce, s.nonceExpiresAt.timeIntervalSince1970)
        guard inserted == 1 else {
            throw StoreError("owner_signature_replayed", "this signed statement (nonce \(s.nonce.prefix(40))) was already used", kind: .unauthenticated)
        }
        try db.execute("INSERT INTO owner_statements(ledger_index, key_id, statement) VALUES (?, ?, ?)", Int64(index), s.keyID, s.statement)
    }
}

/// Owner device keys: registered at a verified enrollment, added or removed by a statement
/// signed with an existing key, all removed at erasure. Every change is a ledger entry that
/// carries the public key (never biometric data).
public final class OwnerKeyStore: Sendable {
    let ledger: LedgerStore
    /// Keys read before, by id. Only a hint for the pre-check: the write's transaction re-reads
    /// the key (`ConsentAuthorization.commit`), so a key removed on another node is refused there.
    private let cache = Mutex<[String: OwnerKeyRecord]>([:])

    /// Keys over `ledger`'s database.
    public init(ledger: LedgerStore) { self.ledger = ledger }

    /// The key with `id`, from this node's cache when it was seen active before.
    public func cachedKey(_ id: String) throws -> OwnerKeyRecord? {
        if let hit = cache.withLock({ $0[id] }) { return hit }
        let found = try key(id)
        if let found, found.isActive { cache.withLock { $0[id] = found } }
        return found
    }

    /// The key id of a raw Ed25519 public key: `ok_` + 32 hex digits of its SHA-256.
    public static func keyID(_ raw: [UInt8]) -> String { "ok_" + String(SHA256.hex(raw).prefix(32)) }

    /// The key with `id`, active or removed.
    public func key(_ id: String) throws -> OwnerKeyRecord? {
        try ledger.database.writer.read { db in try db.one("SELECT * FROM owner_keys WHERE key_id = ?", id).map(Self.record) }
    }

    /// Whether `nonce` was already used with key `id` (within the window it is remembered).
    public func nonceUsed(_ nonce: String, key id: String) throws -> Bool {
        try ledger.database.writer.read { db in try db.exists("SELECT 1 FROM owner_nonces WHERE key_id = ? AND nonce = ?", id, nonce) }
    }

    /// Forgets every cached key of `subject` (erasure retired them).
    public func forget(subject: SubjectID) { cache.withLock { c in c = c.filter { $0.value.subject != subject } } }

    /// Every key of `subject`, oldest first.
    public func keys(of subject: SubjectID) throws -> [OwnerKeyRecord] {
        try ledger.database.writer.read { db in
            try db.query("SELECT * FROM owner_keys WHERE subject = ? ORDER BY added_index", subject.rawValue).map(Self.record)
        }
    }

    /// The payload fields that register `raw` (embedded in the entry that adds it).
    public static func keyPayload(_ raw: [UInt8]) -> JSONValue {
        ["key_id": .string(keyID(raw)), "alg": "Ed25519", "public_key": .string(Base64.encode(raw))]
    }

    /// Inside a transaction: registers `raw` for `subject` at ledger `index`; refuses a key that is
    /// already registered (to anyone) or was retired.
    public static func insert(_ raw: [UInt8], subject: SubjectID, index: UInt64, now: Date, _ db: any SQLTransaction) throws {
        let id = keyID(raw)
        if let row = try db.one("SELECT subject, removed_at FROM owner_keys WHERE key_id = ?", id) {
            if try row.optionalDouble("removed_at") != nil {
                throw StoreError("owner_key_retired", "owner key \(id) was removed and cannot be registered again; make a new key", kind: .conflict)
            }
            throw StoreError("owner_key_exists", "owner key \(id) is already registered\(try row.string("subject") == subject.rawValue ? "" : " to another subject")", kind: .conflict)
        }
        try db.execute("INSERT INTO owner_keys(key_id, subject, public_key, added_at, added_index) VALUES (?, ?, ?, ?, ?)",
                       id, subject.rawValue, raw, now.timeIntervalSince1970, Int64(index))
    }

    /// Inside a transaction: retires every active key of `subject` (erasure); returns their ids.
    static func removeAll(of subject: SubjectID, index: UInt64, now: Date, _ db: any SQLTransaction) throws -> [String] {
        let ids = try db.query("SELECT key_id FROM owner_keys WHERE subject = ? AND removed_at IS NULL ORDER BY key_id", subject.rawValue).map { try $0.string("key_id") }
        try db.execute("UPDATE owner_keys SET removed_at = ?, removed_index = ? WHERE subject = ? AND removed_at IS NULL",
                       now.timeIntervalSince1970, Int64(index), subject.rawValue)
        return ids
    }

    /// Adds `raw` to `subject`'s keys under `authorization` (a statement signed by one of its
    /// active keys); appends `owner_key.added`.
    public func add(_ raw: [UInt8], subject: SubjectID, authorization: ConsentAuthorization, actor: String, now: Date = Date()) async throws -> (keyID: String, ledgerIndex: UInt64) {
        var payload = authorization.payload
        payload["owner_key"] = Self.keyPayload(raw)
        let entry = try LedgerEntry(type: "owner_key.added", time: now, actor: actor, subject: subject.rawValue, payload: payload)
        let index = try await ledger.append(entry) { db, index in
            try authorization.commit(db, index: index, now: now)
            try Self.insert(raw, subject: subject, index: index, now: now, db)
        }.index
        return (Self.keyID(raw), index)
    }

    /// Removes key `id` of `subject` under `authorization`; appends `owner_key.removed`.
    public func remove(_ id: String, subject: SubjectID, authorization: ConsentAuthorization, actor: String, now: Date = Date()) async throws -> UInt64 {
        var payload = authorization.payload
        payload["key_id"] = .string(id)
        // The entry carries the public key it retires, like the one that added it.
        if let known = try key(id), known.subject == subject { payload["owner_key"] = Self.keyPayload(known.publicKey) }
        let entry = try LedgerEntry(type: "owner_key.removed", time: now, actor: actor, subject: subject.rawValue, payload: payload)
        let index = try await ledger.append(entry) { db, index in
            guard let row = try db.one("SELECT subject, removed_at FROM owner_keys WHERE key_id = ?", id), try row.string("subject") == subject.rawValue else {
                throw StoreError("owner_key_unknown", "subject \(subject) has no owner key \(id)", kind: .notFound)
            }
            guard try row.optionalDouble("removed_at") == nil else {
                throw StoreError("owner_key_removed", "owner key \(id) is already removed", kind: .conflict)
            }
            // Commit the signature first: a key may sign its own removal.
            try authorization.commit(db, index: index, now: now)
            try db.execute("UPDATE owner_keys SET removed_at = ?, removed_index = ? WHERE key_id = ?", now.timeIntervalSince1970, Int64(index), id)
        }.index
        _ = cache.withLock { $0.removeValue(forKey: id) }
        return index
    }

    /// The statements kept for ledger entries in `[start, end)`, by index.
    public func statements(start: UInt64, end: UInt64) throws -> [(index: UInt64, keyID: String, statement: String)] {
        try ledger.database.writer.read { db in
            try db.query("SELECT ledger_index, key_id, statement FROM owner_statements WHERE ledger_index >= ? AND ledger_index < ? ORDER BY ledger_index",
                         Int64(start), Int64(end)).map { (UInt64(try $0.int("ledger_index")), try $0.string("key_id"), try $0.string("statement")) }
        }
    }

    static func record(_ row: SQLRow) throws -> OwnerKeyRecord {
        OwnerKeyRecord(keyID: try row.string("key_id"), subject: try SubjectID(try row.string("subject")), publicKey: try row.bytes("public_key"),
                       addedAt: Date(timeIntervalSince1970: try row.double("added_at")), addedIndex: UInt64(try row.int("added_index")),
                       removedAt: try row.optionalDouble("removed_at").map(Date.init(timeIntervalSince1970:)),
                       removedIndex: try row.optionalInt("removed_index").map(UInt64.init))
    }
}

