import CameoCore
import Foundation
import Ledger

/// A stored API key: the public id, role and the argon2id hash of its secret.
public struct APIKeyRecord: Sendable, Equatable, Codable {
    public let id: APIKeyID
    public let name: String
    public let role: Role
    /// argon2id PHC string; the secret itself is never stored.
    public let secretHash: String
    public let createdAt: Date
    public var revokedAt: Date?
    /// The ledger entry that recorded the creation.
    public var ledgerIndex: UInt64

    /// Creates a record.
    public init(id: APIKeyID, name: String, role: Role, secretHash: String, createdAt: Date, revokedAt: Date? = nil, ledgerIndex: UInt64 = 0) {
        self.id = id; self.name = name; self.role = role; self.secretHash = secretHash
        self.createdAt = createdAt; self.revokedAt = revokedAt; self.ledgerIndex = ledgerIndex
    }

    init(row: SQLRow) throws {
        guard let role = Role(rawValue: try row.string("role")) else { throw StoreError("bad_row", "unknown role in api_keys") }
        self.init(id: try APIKeyID(try row.string("id")), name: try row.string("name"), role: role, secretHash: try row.string("secret_hash"),
                  createdAt: Date(timeIntervalSince1970: try row.double("created_at")),
                  revokedAt: try row.optionalDouble("revoked_at").map(Date.init(timeIntervalSince1970:)),
                  ledgerIndex: UInt64(try row.int("ledger_index")))
    }
}

/// API key persistence. Every change is written with its ledger entry in one transaction.
public struct APIKeyRepository: Sendable {
    let ledger: LedgerStore

    /// Repository over the ledger's database.
    public init(ledger: LedgerStore) { self.ledger = ledger }

    /// Inserts `record` together with `entry`; returns the entry's index.
    public func insert(_ record: APIKeyRecord, entry: LedgerEntry) async throws -> UInt64 {
        try await ledger.append(entry) { db, index in
            try db.execute("""
                INSERT INTO api_keys(id, name, role, secret_hash, created_at, revoked_at, ledger_index)
                VALUES (?, ?, ?, ?, ?, NULL, ?)
                """, record.id.rawValue, record.name, record.role.rawValue, record.secretHash,
                               record.createdAt.timeIntervalSince1970, Int64(index))
        }.index
    }

    /// Marks a key revoked together with `entry`; `not_found` / `already_revoked` otherwise.
    public func revoke(_ id: APIKeyID, at time: Date, entry: LedgerEntry) async throws -> UInt64 {
        try await ledger.append(entry) { db, _ in
            guard let row = try db.one("SELECT revoked_at FROM api_keys WHERE id = ?", id.rawValue) else {
                throw StoreError("api_key_not_found", "no API key \(id)", kind: .notFound)
            }
            guard try row.optionalDouble("revoked_at") == nil else {
                throw StoreError("api_key_already_revoked", "API key \(id) is already revoked", kind: .conflict)
            }
            try db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", time.timeIntervalSince1970, id.rawValue)
        }.index
    }

    /// The key `id`, or nil.
    public func find(_ id: APIKeyID) throws -> APIKeyRecord? {
        try ledger.database.writer.read { db in
            try db.one("SELECT * FROM api_keys WHERE id = ?", id.rawValue).map(APIKeyRecord.init(row:))
        }
    }

    /// All keys, oldest first.
    public func list() throws -> [APIKeyRecord] {
        try ledger.database.writer.read { db in
            try db.query("SELECT * FROM api_keys ORDER BY created_at, id").map(APIKeyRecord.init(row:))
        }
    }
}
