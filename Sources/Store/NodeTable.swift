import Foundation
import GRDB
import Ledger

/// The `ledger_nodes` table as a `NodeReader`: one `IN (…)` query per proof.
public struct NodeTable: NodeReader {
    let database: AppDatabase

    /// Reader over `database`.
    public init(database: AppDatabase) { self.database = database }

    public func hashes(of ids: Set<NodeID>) throws -> [NodeID: TreeHash] {
        let keys = ids.map(\.storageKey)
        let rows = try database.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, hash FROM ledger_nodes WHERE id IN (\(databaseQuestionMarks(count: keys.count)))",
                             arguments: StatementArguments(keys))
        }
        var out: [NodeID: TreeHash] = [:]
        out.reserveCapacity(rows.count)
        for row in rows {
            out[NodeID(storageKey: row[0])] = try TreeHash([UInt8](row[1] as Data))
        }
        guard out.count == ids.count else {
            throw LedgerError("missing_node", "\(ids.count - out.count) tree node(s) are not stored", kind: .integrity)
        }
        return out
    }

    /// Bulk-inserts nodes in one transaction (benchmarks and imports; the ledger appends through `LedgerStore`).
    public func insert(_ nodes: [(id: NodeID, hash: TreeHash)]) throws {
        try database.writer.write { db in
            let stmt = try db.makeStatement(sql: "INSERT INTO ledger_nodes(id, hash) VALUES (?, ?)")
            for n in nodes { try stmt.execute(arguments: [n.id.storageKey, Data(n.hash.bytes)]) }
        }
    }
}
