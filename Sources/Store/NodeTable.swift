import Foundation
import Ledger
import Synchronization

/// The `ledger_nodes` table as a `NodeReader`: one cached `IN (…)` statement per proof, and
/// an in-memory cache of high nodes (level ≥ 8: at most n/256 of them, immutable once
/// written), so a proof at 10M entries reads only the few low nodes near its leaf.
public final class NodeTable: NodeReader, Sendable {
    let database: AppDatabase
    private let cache = Mutex<[NodeID: TreeHash]>([:])
    static let batch = 64
    static let cachedLevel = 8
    static let sql = "SELECT id, hash FROM ledger_nodes WHERE id IN (\(sqlPlaceholders(batch)))"

    /// Reader over `database`.
    public init(database: AppDatabase) { self.database = database }

    public func hashes(of ids: [NodeID]) throws -> [NodeID: TreeHash] {
        var out: [NodeID: TreeHash] = [:]
        out.reserveCapacity(ids.count)
        var missing: [Int64] = []
        cache.withLock { c in
            for id in ids {
                if let h = c[id] { out[id] = h } else { missing.append(id.storageKey) }
            }
        }
        if !missing.isEmpty {
            var fetched: [(NodeID, TreeHash)] = []
            try database.writer.read { db in
                var start = 0
                while start < missing.count {
                    // Always `batch` arguments: one statement, prepared once per connection.
                    var args = missing[start..<min(start + Self.batch, missing.count)].map { SQLValue.int($0) }
                    args += Array(repeating: .int(-1), count: Self.batch - args.count)
                    for row in try db.query(Self.sql, arguments: args) {
                        guard case .int(let key) = row[0], case .blob(let bytes) = row[1] else {
                            throw LedgerError("corrupt_node", "a stored tree node has the wrong column types", kind: .integrity)
                        }
                        fetched.append((NodeID(storageKey: key), try TreeHash(bytes)))
                    }
                    start += Self.batch
                }
            }
            cache.withLock { c in
                for (id, h) in fetched {
                    out[id] = h
                    if id.level >= Self.cachedLevel { c[id] = h }
                }
            }
        }
        guard out.count == ids.count else {
            throw LedgerError("missing_node", "\(ids.count - out.count) tree node(s) are not stored", kind: .integrity)
        }
        return out
    }

    /// Bulk-inserts nodes in one transaction (benchmarks and imports; the ledger appends through `LedgerStore`).
    public func insert(_ nodes: [(id: NodeID, hash: TreeHash)]) throws {
        try database.writer.write { db in
            for n in nodes { try db.execute("INSERT INTO ledger_nodes(id, hash) VALUES (?, ?)", n.id.storageKey, n.hash.bytes) }
        }
    }
}
