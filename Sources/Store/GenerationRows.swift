import CameoCore
import Foundation
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

    /// The engine the jobs live on.
    public var dialect: SQLDialect { ledger.database.dialect }

    /// Rows over the ledger's database.
    public init(ledger: LedgerStore) { self.ledger = ledger }

    /// Inserts a new job; `duplicate_request` (409) if the requester already used `requestID`.
    /// With `claim`, the new job is held by that node until then (or until released).
    public func insert(_ row: GenerationRow, now: Date, claim: (node: String, until: Date)? = nil) throws {
        try ledger.database.writer.write { db in
            if let rid = row.requestID, try db.exists("SELECT 1 FROM generations WHERE requester = ? AND request_id = ?", row.requester, rid) {
                throw StoreError("duplicate_request", "request_id \(rid) was already used by \(row.requester)", kind: .conflict)
            }
            try db.execute("INSERT INTO generations(id, request_id, requester, status, body, created_at, updated_at, claimed_by, lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           row.id, row.requestID, row.requester, row.status, String(decoding: row.body, as: UTF8.self), now.timeIntervalSince1970, now.timeIntervalSince1970,
                           claim?.node, claim?.until.timeIntervalSince1970)
            try Self.link(row, db)
        }
    }

    /// Updates a job without a ledger entry (queued → generating → checking). With `holder`,
    /// only while that node still holds the job's claim (`claim_lost` otherwise): a run whose
    /// claim passed to another node can no longer change the job.
    public func update(_ row: GenerationRow, now: Date, holder: String? = nil) throws {
        try ledger.database.writer.write { db in try Self.write(row, now: now, holder: holder, db) }
    }

    /// Updates a job and appends `entry` in the same transaction (fenced by `holder` as above);
    /// returns the entry's index.
    public func update(_ row: GenerationRow, entry: LedgerEntry, now: Date, holder: String? = nil) async throws -> UInt64 {
        try await update(entry: entry, now: now, holder: holder) { _ in row }
    }

    /// Same, with the row made from the entry's index inside the transaction (a record that
    /// must name its own ledger entry, like a signed manifest, commits with it).
    /// `authorization`, when given, is committed in the same transaction (an owner-signed removal).
    public func update(entry: LedgerEntry, now: Date, holder: String? = nil, authorization: ConsentAuthorization? = nil,
                       row: @escaping @Sendable (UInt64) throws -> GenerationRow) async throws -> UInt64 {
        try await ledger.append(entry) { db, index in
            try authorization?.commit(db, index: index, now: now)
            try Self.write(row(index), now: now, holder: holder, db)
        }.index
    }

    static func write(_ row: GenerationRow, now: Date, holder: String?, _ db: any SQLTransaction) throws {
        var args: [SQLValue] = [.text(row.status), .text(String(decoding: row.body, as: UTF8.self)), .double(now.timeIntervalSince1970), .text(row.id)]
        if let holder { args.append(.text(holder)) }
        let changed = try db.execute("UPDATE generations SET status = ?, body = ?, updated_at = ? WHERE id = ?" + (holder == nil ? "" : " AND claimed_by = ?"),
                                     arguments: args)
        guard changed == 1 else {
            if let holder, try db.exists("SELECT 1 FROM generations WHERE id = ?", row.id) {
                throw StoreError("claim_lost", "node \(holder) no longer holds generation \(row.id)", kind: .conflict)
            }
            throw StoreError("unknown_generation", "no generation \(row.id)", kind: .notFound)
        }
        try link(row, db)
    }

    static func link(_ row: GenerationRow, _ db: any SQLTransaction) throws {
        for s in Set(row.subjects).sorted() {
            try db.execute("INSERT INTO generation_subjects(generation, subject) VALUES (?, ?) ON CONFLICT DO NOTHING", row.id, s)
        }
    }

    // MARK: the job queue

    /// Claims the oldest job in `statuses` that no live node holds, for `node` until `leaseUntil`;
    /// returns its id. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets nodes claim concurrently
    /// without waiting on each other or taking the same job; SQLite has one writer, so the
    /// same statement without the clause is already exclusive.
    public func claimNext(statuses: [String], node: String, now: Date, leaseUntil: Date) throws -> String? {
        try ledger.database.writer.write { db in
            let lock = db.dialect == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            let args: [SQLValue] = [.text(node), .double(leaseUntil.timeIntervalSince1970)] + statuses.map(SQLValue.text) + [.double(now.timeIntervalSince1970)]
            return try db.query("""
                UPDATE generations SET claimed_by = ?, lease_until = ?
                WHERE id = (SELECT id FROM generations WHERE status IN (\(sqlPlaceholders(statuses.count)))
                            AND (lease_until IS NULL OR lease_until < ?) ORDER BY created_at, id LIMIT 1\(lock))
                RETURNING id
                """, arguments: args).first?.string("id")
        }
    }

    /// Extends `node`'s claim on job `id`; false if the node no longer holds it.
    public func renew(_ id: String, node: String, until: Date) throws -> Bool {
        try ledger.database.writer.write { db in
            try db.execute("UPDATE generations SET lease_until = ? WHERE id = ? AND claimed_by = ?", until.timeIntervalSince1970, id, node) == 1
        }
    }

    /// Ends `node`'s claim on job `id` (finished, or handed back).
    public func release(_ id: String, node: String) throws {
        try ledger.database.writer.write { db in
            try db.execute("UPDATE generations SET claimed_by = NULL, lease_until = NULL WHERE id = ? AND claimed_by = ?", id, node)
        }
    }

    /// Ends every claim `node` holds, or every claim with nil (a restarted node's jobs were
    /// interrupted: they run again).
    public func releaseAll(node: String?) throws -> Int {
        try ledger.database.writer.write { db in
            guard let node else { return try db.execute("UPDATE generations SET claimed_by = NULL, lease_until = NULL WHERE claimed_by IS NOT NULL") }
            return try db.execute("UPDATE generations SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = ?", node)
        }
    }

    /// The job `id`, or nil.
    public func find(_ id: String) throws -> GenerationRow? {
        try ledger.database.writer.read { db in try Self.fetch(db, "WHERE id = ?", [.text(id)]).first }
    }

    /// The requester's job with `requestID`, or nil.
    public func find(requester: String, requestID: String) throws -> GenerationRow? {
        try ledger.database.writer.read { db in try Self.fetch(db, "WHERE requester = ? AND request_id = ?", [.text(requester), .text(requestID)]).first }
    }

    /// Jobs in any of `statuses`, oldest first.
    public func withStatus(_ statuses: [String]) throws -> [GenerationRow] {
        try ledger.database.writer.read { db in
            try Self.fetch(db, "WHERE status IN (\(sqlPlaceholders(statuses.count))) ORDER BY created_at, id", statuses.map(SQLValue.text))
        }
    }

    /// Every job that names or shows `subject`, newest first.
    public func appearances(of subject: String) throws -> [GenerationRow] {
        try ledger.database.writer.read { db in
            try Self.fetch(db, "WHERE id IN (SELECT generation FROM generation_subjects WHERE subject = ?) ORDER BY created_at DESC, id DESC", [.text(subject)])
        }
    }

    /// The newest `limit` jobs of `requester` (or all requesters).
    public func list(requester: String?, limit: Int) throws -> [GenerationRow] {
        try ledger.database.writer.read { db in
            if let requester { return try Self.fetch(db, "WHERE requester = ? ORDER BY created_at DESC, id DESC LIMIT ?", [.text(requester), .int(Int64(limit))]) }
            return try Self.fetch(db, "ORDER BY created_at DESC, id DESC LIMIT ?", [.int(Int64(limit))])
        }
    }

    static func fetch(_ db: any SQLTransaction, _ clause: String, _ args: [SQLValue]) throws -> [GenerationRow] {
        try db.query("SELECT * FROM generations \(clause)", arguments: args).map { r in
            let id = try r.string("id")
            let subjects = try db.query("SELECT subject FROM generation_subjects WHERE generation = ? ORDER BY subject", id).map { try $0.string("subject") }
            return GenerationRow(id: id, requestID: try r.optionalString("request_id"), requester: try r.string("requester"), status: try r.string("status"),
                                 body: try r.data("body"), subjects: subjects)
        }
    }
}
