import CameoCore
import Foundation
import Ledger

/// A stored case: queue columns plus the case body (JSON) owned by the Takedown module.
public struct CaseRow: Sendable, Equatable {
    public let id: String
    public let clientReportID: String
    public let type: String
    public let generation: String
    public let status: String
    public let priority: Int
    public let slaDeadline: Date
    public let body: Data

    /// Creates a row.
    public init(id: String, clientReportID: String, type: String, generation: String, status: String, priority: Int, slaDeadline: Date, body: Data) {
        self.id = id; self.clientReportID = clientReportID; self.type = type; self.generation = generation
        self.status = status; self.priority = priority; self.slaDeadline = slaDeadline; self.body = body
    }
}

/// Persistence for takedown cases, strikes, the PDQ hash bank and blocked likenesses. Every
/// change that is a decision is written with its ledger entry in one transaction.
public struct TakedownRows: Sendable {
    let ledger: LedgerStore

    /// Rows over the ledger's database.
    public init(ledger: LedgerStore) { self.ledger = ledger }

    /// Inserts a case with its intake entry; `nil` plus the existing row if the client id was used.
    public func insert(_ row: CaseRow, entry: LedgerEntry, now: Date) async throws -> (inserted: Bool, row: CaseRow) {
        if let existing = try find(type: row.type, clientReportID: row.clientReportID) { return (false, existing) }
        _ = try await ledger.append(entry) { db, _ in
            try db.execute("""
                INSERT INTO takedown_cases(id, client_report_id, type, generation, status, priority, sla_deadline, body, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, row.id, row.clientReportID, row.type, row.generation, row.status, row.priority,
                               row.slaDeadline.timeIntervalSince1970, String(decoding: row.body, as: UTF8.self), now.timeIntervalSince1970, now.timeIntervalSince1970)
        }
        return (true, row)
    }

    /// Updates a case; with `entry`, in the same transaction as its ledger entry. `expectStatus`
    /// guards against a concurrent change (compare-and-set: two moderators cannot both claim).
    @discardableResult
    public func update(_ row: CaseRow, expectStatus: String, expectBody: Data, entry: LedgerEntry?, now: Date,
                       extra: (@Sendable (any SQLTransaction) throws -> Void)? = nil) async throws -> UInt64? {
        let write: @Sendable (any SQLTransaction) throws -> Void = { db in
            let changed = try db.execute("UPDATE takedown_cases SET status = ?, priority = ?, sla_deadline = ?, body = ?, updated_at = ? WHERE id = ? AND status = ? AND body = ?",
                                         row.status, row.priority, row.slaDeadline.timeIntervalSince1970, String(decoding: row.body, as: UTF8.self),
                                         now.timeIntervalSince1970, row.id, expectStatus, String(decoding: expectBody, as: UTF8.self))
            guard changed == 1 else {
                throw StoreError("case_changed", "case \(row.id) was changed by someone else; reload and retry", kind: .conflict)
            }
            try extra?(db)
        }
        if let entry { return try await ledger.append(entry) { db, _ in try write(db) }.index }
        try ledger.database.writer.write { db in try write(db) }
        return nil
    }

    /// Appends an entry that has no record of its own (e.g. a strike count).
    public func record(_ entry: LedgerEntry) async throws -> UInt64 { try await ledger.append(entry) }

    /// The case `id`, or nil.
    public func find(_ id: String) throws -> CaseRow? {
        try ledger.database.writer.read { db in try Self.fetch(db, "WHERE id = ?", [.text(id)]).first }
    }

    func find(type: String, clientReportID: String) throws -> CaseRow? {
        try ledger.database.writer.read { db in try Self.fetch(db, "WHERE type = ? AND client_report_id = ?", [.text(type), .text(clientReportID)]).first }
    }

    /// Cases in `statuses`, highest priority first, then earliest deadline.
    public func list(statuses: [String], type: String?, limit: Int) throws -> [CaseRow] {
        try ledger.database.writer.read { db in
            var args = statuses.map(SQLValue.text)
            var clause = "WHERE status IN (\(sqlPlaceholders(statuses.count)))"
            if let type { clause += " AND type = ?"; args.append(.text(type)) }
            args.append(.int(Int64(limit)))
            return try Self.fetch(db, clause + " ORDER BY priority DESC, sla_deadline ASC, created_at, id LIMIT ?", args)
        }
    }

    static func fetch(_ db: any SQLTransaction, _ clause: String, _ args: [SQLValue]) throws -> [CaseRow] {
        try db.query("SELECT * FROM takedown_cases \(clause)", arguments: args).map { r in
            CaseRow(id: try r.string("id"), clientReportID: try r.string("client_report_id"), type: try r.string("type"),
                    generation: try r.string("generation"), status: try r.string("status"), priority: Int(try r.int("priority")),
                    slaDeadline: Date(timeIntervalSince1970: try r.double("sla_deadline")), body: try r.data("body"))
        }
    }

    // MARK: strikes, bank, blocked likenesses (written inside decision transactions via `extra`)

    /// Adds a strike (idempotent per case) inside a transaction.
    /// Adds one strike outside a case decision (a lost likeness dispute); the caller records it in the ledger.
    public func addStrike(account: String, caseID: String, at: Date) async throws {
        _ = try await ledger.write { db in try Self.addStrike(account: account, caseID: caseID, at: at, db) }
    }

    public static func addStrike(account: String, caseID: String, at: Date, _ db: any SQLTransaction) throws {
        try db.execute("INSERT INTO strikes(account, case_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", account, caseID, at.timeIntervalSince1970)
    }

    /// Strikes of `account` since `since`.
    public func strikes(account: String, since: Date) throws -> Int {
        try ledger.database.writer.read { db in
            Int(try db.scalarInt("SELECT COUNT(*) AS n FROM strikes WHERE account = ? AND at >= ?", account, since.timeIntervalSince1970) ?? 0)
        }
    }

    /// Adds hashes to the bank inside a transaction.
    public static func addHashes(_ hashes: [(id: String, hex: String)], caseID: String, at: Date, _ db: any SQLTransaction) throws {
        for h in hashes {
            try db.execute("INSERT INTO hash_bank(id, case_id, hash, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", h.id, caseID, h.hex, at.timeIntervalSince1970)
        }
    }

    /// Removes a case's hashes (after a restore) inside a transaction.
    public static func removeHashes(caseID: String, _ db: any SQLTransaction) throws {
        try db.execute("DELETE FROM hash_bank WHERE case_id = ?", caseID)
    }

    /// Every banked hash.
    public func bankedHashes() throws -> [(id: String, hex: String)] {
        try ledger.database.writer.read { db in try db.query("SELECT id, hash FROM hash_bank ORDER BY id").map { (try $0.string("id"), try $0.string("hash")) } }
    }

    /// Blocks a likeness inside a transaction.
    public static func blockLikeness(_ subject: String, caseID: String, at: Date, _ db: any SQLTransaction) throws {
        try db.execute("INSERT INTO blocked_likenesses(subject, case_id, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", subject, caseID, at.timeIntervalSince1970)
    }

    /// Every blocked likeness.
    public func blockedLikenesses() throws -> [String] {
        try ledger.database.writer.read { db in try db.query("SELECT subject FROM blocked_likenesses ORDER BY subject").map { try $0.string("subject") } }
    }
}

/// An open write transaction, for domain code that adds rows to a decision's transaction
/// without depending on GRDB itself.
public typealias StoreTransaction = any SQLTransaction
