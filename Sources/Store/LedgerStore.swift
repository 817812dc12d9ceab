import CameoCore
import CameoCrypto
import Dispatch
import Foundation
import GRDB
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
    public typealias RecordWrite = @Sendable (Database, UInt64) throws -> any Sendable

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
    private let observer = Mutex<(@Sendable (_ values: [any Sendable], _ size: UInt64) -> Void)?>(nil)

    /// Opens the ledger in `database`, restoring the right border of the tree from stored nodes.
    public init(database: AppDatabase, origin: String = "cameoguard.local/ledger", maxBatch: Int = 4096) throws {
        self.database = database
        self.origin = try database.metaSetIfAbsent("ledger_origin", origin)
        self.maxBatch = maxBatch
        self.nodes = NodeTable(database: database)
        let range = try database.writer.read(Self.loadRange)
        self.state = Mutex(State(range: range))
    }

    /// The right border of the stored tree: O(log n) node reads.
    static func loadRange(_ db: Database) throws -> CompactRange {
        let size = try UInt64(Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries") ?? 0)
        var nodes: [(id: NodeID, hash: TreeHash)] = []
        for id in CompactRange.nodeIDs(forSize: size) {
            guard let blob = try Data.fetchOne(db, sql: "SELECT hash FROM ledger_nodes WHERE id = ?", arguments: [id.storageKey]) else {
                throw StoreError("ledger_corrupt", "stored tree is missing node \(id.level)/\(id.index) for size \(size)")
            }
            nodes.append((id, try TreeHash([UInt8](blob))))
        }
        return try CompactRange(size: size, nodes: nodes)
    }

    /// Hook for several-node deployments to catch up; a single SQLite node is never behind
    /// its own commits, so this does nothing here.
    public func refreshIfBehind(_ size: UInt64) throws {}

    /// Re-reads the size from the database (after another process appended).
    public func refresh() throws {
        let range = try database.writer.read(Self.loadRange)
        state.withLock { if range.size > $0.range.size { $0.range = range } }
    }

    /// Number of durable entries.
    public var size: UInt64 { state.withLock { $0.range.size } }

    /// The current root and size, read together.
    public var head: (size: UInt64, root: TreeHash) { state.withLock { ($0.range.size, $0.range.root) } }

    /// Appends `entry`, writing `record` in the same transaction; returns the record's value
    /// and the entry's leaf index once both are durable.
    public func append<T: Sendable>(_ entry: LedgerEntry, record: @escaping @Sendable (Database, UInt64) throws -> T) async throws -> (value: T, index: UInt64) {
        let bytes: [UInt8]? = try entry.canonicalBytes()
        let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<(value: any Sendable, index: UInt64), Error>) in
            enqueue(Pending(entry: bytes, record: { db, i in try record(db, i) }, done: { c.resume(with: $0) }))
        }
        return (result.value as! T, result.index)  // the closure above produced a T
    }

    /// Writes `record` through the same ordered group-commit queue without a ledger entry
    /// (e.g. a follow edge: ordered with grants, but private data that is not audited).
    /// Returns the value and the ledger size after the batch it committed in.
    public func write<T: Sendable>(record: @escaping @Sendable (Database) throws -> T) async throws -> (value: T, size: UInt64) {
        let result = try await withCheckedThrowingContinuation { (c: CheckedContinuation<(value: any Sendable, index: UInt64), Error>) in
            enqueue(Pending(entry: nil, record: { db, _ in try record(db) }, done: { c.resume(with: $0) }))
        }
        return (result.value as! T, result.index)
    }

    /// Registers the function told, on the commit thread and in commit order, of every
    /// committed record's value before any writer is acknowledged. Indexes that must reflect
    /// every acknowledged write (the consent index) hook in here.
    public func setCommitObserver(_ f: @escaping @Sendable (_ values: [any Sendable], _ size: UInt64) -> Void) {
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
                // Another process (a local CLI verb) may have appended since our last batch.
                let stored = UInt64(try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries") ?? 0)
                if stored != range.size { range = try Self.loadRange(db) }
                let now = Date().timeIntervalSince1970
                for (i, item) in batch.enumerated() {
                    do {
                        var next = range
                        let index = next.size
                        var value: (any Sendable)? = nil
                        try db.inSavepoint {
                            value = try item.record(db, index)
                            guard let entry = item.entry else { return .commit }
                            try db.execute(sql: "INSERT INTO ledger_entries(idx, type, body, created_at) VALUES (?, ?, ?, ?)",
                                           arguments: [Int64(index), Self.entryType(entry), Data(entry), now])
                            for node in next.append(.leaf(entry)) {
                                try db.execute(sql: "INSERT INTO ledger_nodes(id, hash) VALUES (?, ?)",
                                               arguments: [node.id.storageKey, Data(node.hash.bytes)])
                            }
                            return .commit
                        }
                        range = next
                        results[i] = .success((value!, index))
                    } catch {
                        results[i] = .failure(error)
                    }
                }
            }
            state.withLock { $0.range = range }
            if let notify = observer.withLock({ $0 }) {
                notify(results.compactMap { r in if case .success(let v)? = r { return v.value } else { return nil } }, range.size)
            }
            for (i, item) in batch.enumerated() {
                // Records without an entry report the ledger size they committed at.
                if item.entry == nil, case .success(let v)? = results[i] { item.done(.success((v.value, range.size))) } else { item.done(results[i]!) }
            }
        } catch {
            let failure = StoreError("ledger_commit_failed", "the ledger batch did not commit: \(error)", kind: .unavailable)
            for item in batch { item.done(.failure(failure)) }
        }
    }

    private static func entryType(_ bytes: [UInt8]) -> String {
        (try? JSONValue.parse(bytes))?["type"]?.stringValue ?? ""
    }

    // MARK: reads

    /// The stored bytes of entries `[start, end)`; `end` is clamped to the size.
    public func entries(start: UInt64, end: UInt64) throws -> [[UInt8]] {
        let end = min(end, size)
        guard start < end else { return [] }
        return try database.writer.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx",
                              arguments: [Int64(start), Int64(end)]).map { [UInt8]($0) }
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
