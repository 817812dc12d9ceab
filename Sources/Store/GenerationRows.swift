import CameoCore
import Foundation
import GRDB
import Ledger

/// A stored generation: indexed columns plus the record body (JSON) owned by the Generation module.
public struct GenerationRow: Sendable, Equatable {
    public let id: String
    public let requestID: String?
    public let requester: String
    public let status: String
    public let body: Data
    public let subjects: [String]

    /// Creates a row.
    public init(id: String, requestID: String?, requester: String, status: String, body: Data, subjects: [String]) {
        self.id = id; self.requestID = requestID; self.requester = requester; self.status = status; self.body = body; self.subjects = subjects
    }
}

/// Persistence of generation jobs. Status changes that matter to auditors (rejected,
/// released, quarantined, removed) are written with their ledger entry in one transaction.
public struct GenerationRows: Sendable {
    let ledger: LedgerStore

    /// Rows over the ledger's database.
    public init(ledger: LedgerStore) { self.ledger = ledger }

    /// Inserts a new job; `duplicate_request` (409) if the requester already used `requestID`.
    public func insert(_ row: GenerationRow, now: Date) throws {
        try ledger.database.writer.write { db in
            if let rid = row.requestID,
               try Bool.fetchOne(db, sql: "SELECT 1 FROM generations WHERE requester = ? AND request_id = ?", arguments: [row.requester, rid]) ?? false {
                throw StoreError("duplicate_request", "request_id \(rid) was already used by \(row.requester)", kind: .conflict)
            }
            try db.execute(sql: "INSERT INTO generations(id, request_id, requester, status, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [row.id, row.requestID, row.requester, row.status, String(decoding: row.body, as: UTF8.self), now.timeIntervalSince1970, now.timeIntervalSince1970])
            try Self.link(row, db)
        }
    }

    /// Updates a job without a ledger entry (queued → generating → checking).
    public func update(_ row: GenerationRow, now: Date) throws {
        try ledger.database.writer.write { db in try Self.write(row, now: now, db) }
    }

    /// Updates a job and appends `entry` in the same transaction; returns the entry's index.
    public func update(_ row: GenerationRow, entry: LedgerEntry, now: Date) async throws -> UInt64 {
        try await ledger.append(entry) { db, _ in try Self.write(row, now: now, db) }.index
    }

    static func write(_ row: GenerationRow, now: Date, _ db: Database) throws {
        try db.execute(sql: "UPDATE generations SET status = ?, body = ?, updated_at = ? WHERE id = ?",
                       arguments: [row.status, String(decoding: row.body, as: UTF8.self), now.timeIntervalSince1970, row.id])
        guard db.changesCount == 1 else { throw StoreError("unknown_generation", "no generation \(row.id)", kind: .notFound) }
        try link(row, db)
    }

    static func link(_ row: GenerationRow, _ db: Database) throws {
        for s in Set(row.subjects) {
            try db.execute(sql: "INSERT OR IGNORE INTO generation_subjects(generation, subject) VALUES (?, ?)", arguments: [row.id, s])
        }
    }

    /// The job `id`, or nil.
    public func find(_ id: String) throws -> GenerationRow? {
        try ledger.database.writer.read { db in try Self.fetch(db, "WHERE id = ?", [id]).first }
    }

    /// The requester's job with `requestID`, or nil.
    public func find(requester: String, requestID: String) throws -> GenerationRow? {
        try ledger.database.writer.read { db in try Self.fetch(db, "WHERE requester = ? AND request_id = ?", [requester, requestID]).first }
    }

    /// Jobs in any of `statuses`, oldest first.
    public func withStatus(_ statuses: [String]) throws -> [GenerationRow] {
        try ledger.database.writer.read { db in
            try Self.fetch(db, "WHERE status IN (\(databaseQuestionMarks(count: statuses.count))) ORDER BY created_at", StatementArguments(statuses))
        }
    }

    /// Every job that names or shows `subject`, newest first.
    public func appearances(of subject: String) throws -> [GenerationRow] {
        try ledger.database.writer.read { db in
            try Self.fetch(db, "WHERE id IN (SELECT generation FROM generation_subjects WHERE subject = ?) ORDER BY created_at DESC", [subject])
        }
    }

    /// The newest `limit` jobs of `requester` (or all requesters).
    public func list(requester: String?, limit: Int) throws -> [GenerationRow] {
        try ledger.database.writer.read { db in
            if let requester { return try Self.fetch(db, "WHERE requester = ? ORDER BY created_at DESC LIMIT ?", [requester, limit]) }
            return try Self.fetch(db, "ORDER BY created_at DESC LIMIT ?", [limit])
        }
    }

    static func fetch(_ db: Database, _ clause: String, _ args: StatementArguments) throws -> [GenerationRow] {
        try Row.fetchAll(db, sql: "SELECT * FROM generations \(clause)", arguments: args).map { r in
            let id: String = r["id"]
            let subjects = try String.fetchAll(db, sql: "SELECT subject FROM generation_subjects WHERE generation = ?", arguments: [id])
            return GenerationRow(id: id, requestID: r["request_id"], requester: r["requester"], status: r["status"],
                                 body: Data((r["body"] as String).utf8), subjects: subjects)
        }
    }
}
