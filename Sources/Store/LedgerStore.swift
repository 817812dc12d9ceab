import CameoCore
import CameoCrypto
import Dispatch
import Foundation
import Ledger
import Synchronization

/// The durable ledger: entries and perfect-subtree hashes in SQLite, appended by one
/// group-commit loop so that many concurrent writers share one transaction and one fsync.
///
/// A caller's record (a grant, an API key…) is written in the same transaction as the entry
/// describing it, inside its own savepoint: a failing record rolls back alone, and a failing
/// commit fails every caller in the batch. Nothing is acknowledged before it is durable.
public final class LedgerStore: NodeReader, Sendable {
    /// The record writer a caller passes: runs inside the batch transaction with the index
    /// the entry will get; throwing rolls back this caller's record and entry only.
    public typealias RecordWrite = @Sendable (any SQLTransaction, UInt64) throws -> any Sendable

    private struct Pending: Sendable {
        let entry: [UInt8]?  // nil: a record ordered with the ledger but not itself audited
        let record: RecordWrite
        let done: @Sendable (Result<(value: any Sendable, index: UInt64), Error>) -> Void
    }

    private struct State {
        var range: CompactRange
        var pending: [Pending] = []
        var flushing = false
    }

    /// The database holding the ledger.
    public let database: AppDatabase
    /// The checkpoint origin, also the signing key's name (`cameoguard.local/ledger` by default).
    public let origin: String
    private let state: Mutex<State>
    private let flushQueue = DispatchQueue(label: "cameo.ledger.flush")
    private let maxBatch: Int
    private let nodes: NodeTable
    private let observer = Mutex<(@Sendable (_ size: UInt64) -> Void)?>(nil)

    /// Opens the ledger in `database`, restoring the right border of the tree from stored nodes.
    public init(database: AppDatabase, origin: String = "cameoguard.local/ledger", maxBatch: Int = 4096) throws {
        self.database = database
        self.origin = try database.metaSetIfAbsent("ledger_origin", origin)
        self.maxBatch = maxBatch
        self.nodes = NodeTable(database: database)
        let schema = (database.writer as? PostgresDatabase)?.location.schema
        self.channel = "cameo_ledger" + (schema.map { "_" + $0 } ?? "")
        // Deployments sharing one database in different schemas do not contend for one lock.
        self.sequencerLock = schema.map { AdvisoryLock.key("ledger:" + $0) } ?? AdvisoryLock.ledger
        let range = try database.writer.read(Self.loadRange)
        self.state = Mutex(State(range: range))
    }

    /// The right border of the stored tree: O(log n) node reads.
    static func loadRange(_ db: any SQLTransaction) throws -> CompactRange {
        let size = try storedSize(db)
        var nodes: [(id: NodeID, hash: TreeHash)] = []
        for id in CompactRange.nodeIDs(forSize: size) {
            guard let row = try db.one("SELECT hash FROM ledger_nodes WHERE id = ?", id.storageKey) else {
                throw StoreError("ledger_corrupt", "stored tree is missing node \(id.level)/\(id.index) for size \(size)")
            }
            nodes.append((id, try TreeHash(row.bytes("hash"))))
        }
        return try CompactRange(size: size, nodes: nodes)
    }

    static func storedSize(_ db: any SQLTransaction) throws -> UInt64 {
        UInt64(try db.scalarInt("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM ledger_entries") ?? 0)
    }

    /// Re-reads the tree's border from the database if another process or node appended;
    /// returns the size before and after.
    @discardableResult
    public func refresh() throws -> (from: UInt64, to: UInt64) {
        let known = size
        // One cheap query when nothing was appended (the follower asks every second).
        let range = try database.writer.read { db in try Self.storedSize(db) > known ? try Self.loadRange(db) : nil }
        return state.withLock { s in
            let from = s.range.size
            if let range, range.size > s.range.size { s.range = range }
            return (from, s.range.size)
        }
    }

    /// Number of durable entries.
    public var size: UInt64 { state.withLock { $0.range.size } }

    /// The current root and size, read together.
    public var head: (size: UInt64, root: TreeHash) { state.withLock { ($0.range.size, $0.range.root) } }

    /// Appends `entry`, writing `record` in the same transaction; returns the record's value
    /// and the entry's leaf index once both are durable.
    public func append<T: Sendable>(_ entry: LedgerEntry, record: @escaping @Sendable (any SQLTransaction, UInt64) throws -> T) async throws -> (value: T, index: UInt64) {
        let bytes: [UInt8]? = try entry.canonicalBytes()
        let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<(value: any Sendable, index: UInt64), Error>) in
            enqueue(Pending(entry: bytes, record: { db, i in try record(db, i) }, done: { c.resume(with: $0) }))
        }
        return (result.value as! T, result.index)  // the closure above produced a T
    }

    /// Writes `record` through the same ordered group-commit queue without a ledger entry
    /// (e.g. a follow edge: ordered with grants, but private data that is not audited).
    /// Returns the value and the ledger size after the batch it committed in.
    public func write<T: Sendable>(record: @escaping @Sendable (any SQLTransaction) throws -> T) async throws -> (value: T, size: UInt64) {
        let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<(value: any Sendable, index: UInt64), Error>) in
            enqueue(Pending(entry: nil, record: { db, _ in try record(db) }, done: { c.resume(with: $0) }))
        }
        return (result.value as! T, result.index)
    }

    /// Registers the function told, on the commit thread and in commit order, of the ledger
    /// size after every committed batch, before any writer in it is acknowledged. Indexes that
    /// must reflect every acknowledged write (the consent index) catch up here.
    public func setCommitObserver(_ f: @escaping @Sendable (_ size: UInt64) -> Void) {
        observer.withLock { $0 = f }
    }

    /// Appends an entry with no accompanying record.
    @discardableResult
    public func append(_ entry: LedgerEntry) async throws -> UInt64 {
        try await append(entry) { _, _ in () }.index
    }

    private func enqueue(_ p: Pending) {
        let start = state.withLock { s -> Bool in
            s.pending.append(p)
            if s.flushing { return false }
            s.flushing = true
            return true
        }
        if start { flushQueue.async { self.flushLoop() } }
    }

    private func flushLoop() {
        while true {
            let (batch, startRange) = state.withLock { s -> ([Pending], CompactRange) in
                let n = min(s.pending.count, maxBatch)
                let b = Array(s.pending.prefix(n))
                s.pending.removeFirst(n)
                if b.isEmpty { s.flushing = false }
                return (b, s.range)
            }
            if batch.isEmpty { return }
            flush(batch, from: startRange)
        }
    }

    private func flush(_ batch: [Pending], from startRange: CompactRange) {
        var results = [Result<(value: any Sendable, index: UInt64), Error>?](repeating: nil, count: batch.count)
        var range = startRange
        do {
            try database.writer.write { db in
                // On PostgreSQL the batch's transaction holds the sequencer lock: one node assigns
                // indices at a time, and a node that dies releases it with its connection.
                if db.dialect == .postgres { try db.execute("SELECT pg_advisory_xact_lock(?)", sequencerLock) }
                // Another node or process (a local CLI verb) may have appended since our last batch.
                if try Self.storedSize(db) != range.size { range = try Self.loadRange(db) }
                let now = SQLValue.double(Date().timeIntervalSince1970)
                // Entries and tree nodes of the batch are written together after the records,
                // in multi-row statements: a few round trips per batch, not per entry.
                var entryRows: [SQLValue] = [], nodeRows: [SQLValue] = []
                for (i, item) in batch.enumerated() {
                    do {
                        let index = range.size
                        let value = try db.savepoint { try item.record(db, index) }
                        if let entry = item.entry {
                            entryRows += [.int(Int64(index)), .text(Self.entryType(entry)), .blob(entry), now]
                            for node in range.append(.leaf(entry)) { nodeRows += [.int(node.id.storageKey), .blob(node.hash.bytes)] }
                        }
                        results[i] = .success((value, index))
                    } catch {
                        results[i] = .failure(error)
                    }
                }
                try Self.insertRows(db, "ledger_entries(idx, type, body, created_at)", columns: 4, entryRows)
                try Self.insertRows(db, "ledger_nodes(id, hash)", columns: 2, nodeRows)
                // Delivered at commit to every node listening (they catch up from the tables).
                if db.dialect == .postgres { try db.execute("SELECT pg_notify(?, ?)", channel, String(range.size)) }
            }
            // The follower may already have loaded a larger tree committed by another node
            // after this batch: never move the border backwards.
            state.withLock { if range.size >= $0.range.size { $0.range = range } }
            observer.withLock({ $0 })?(range.size)
            for (i, item) in batch.enumerated() {
                // Records without an entry report the ledger size they committed at.
                if item.entry == nil, case .success(let v)? = results[i] { item.done(.success((v.value, range.size))) } else { item.done(results[i]!) }
            }
        } catch {
            let failure = StoreError("ledger_commit_failed", "the ledger batch did not commit: \(error)", kind: .unavailable)
            for item in batch { item.done(.failure(failure)) }
        }
    }

    /// Inserts `values` (`columns` per row) into `table` in statements of up to 500 rows.
    static func insertRows(_ db: any SQLTransaction, _ table: String, columns: Int, _ values: [SQLValue]) throws {
        let rowsPerStatement = 500
        var start = 0
        while start < values.count {
            let chunk = Array(values[start..<min(start + rowsPerStatement * columns, values.count)])
            let row = "(" + sqlPlaceholders(columns) + ")"
            try db.execute("INSERT INTO \(table) VALUES " + Array(repeating: row, count: chunk.count / columns).joined(separator: ", "), arguments: chunk)
            start += chunk.count
        }
    }

    /// The PostgreSQL NOTIFY channel of ledger commits (payload: the new size); one per schema.
    public let channel: String
    /// The advisory lock that makes one node at a time the sequencer; one per schema.
    let sequencerLock: Int64

    private static func entryType(_ bytes: [UInt8]) -> String {
        (try? JSONValue.parse(bytes))?["type"]?.stringValue ?? ""
    }

    // MARK: reads

    /// The stored bytes of entries `[start, end)`; `end` is clamped to the size.
    public func entries(start: UInt64, end: UInt64) throws -> [[UInt8]] {
        let end = min(end, size)
        guard start < end else { return [] }
        return try database.writer.read { db in
            try db.query("SELECT body FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx", Int64(start), Int64(end)).map { try $0.bytes("body") }
        }
    }

    /// The types of entries `[start, end)` (what a catching-up node must reload).
    public func entryTypes(start: UInt64, end: UInt64) throws -> Set<String> {
        guard start < end else { return [] }
        return try database.writer.read { db in
            Set(try db.query("SELECT DISTINCT type FROM ledger_entries WHERE idx >= ? AND idx < ?", Int64(start), Int64(end)).map { try $0.string("type") })
        }
    }

    public func hashes(of ids: [NodeID]) throws -> [NodeID: TreeHash] {
        try nodes.hashes(of: ids)
    }

    /// A signed checkpoint for `size` (default: the current size).
    public func checkpoint(size: UInt64? = nil, key: Ed25519PrivateKey) throws -> SignedNote {
        let (current, currentRoot) = head
        let n = size ?? current
        guard n <= current else { throw LedgerError("size_out_of_range", "the ledger has \(current) entries; cannot checkpoint size \(n)") }
        let root = n == current ? currentRoot : try ProofBuilder(reader: self).root(size: n)
        let cp = try Checkpoint(origin: origin, size: n, root: root)
        return try SignedNote.sign(text: cp.body, name: origin, key: key)
    }
}
