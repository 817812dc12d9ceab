import Foundation

/// A Merkle tree held in memory: every perfect subtree in a dictionary. Used to verify export
/// bundles offline (no database) and as the peer the stored tree is tested against.
public final class InMemoryTree: NodeReader, @unchecked Sendable {
    private let lock = NSLock()
    private var nodes: [NodeID: TreeHash] = [:]
    private var range = CompactRange()

    /// An empty tree.
    public init() {}

    /// Number of leaves.
    public var size: UInt64 { lock.withLock { range.size } }

    /// The current root.
    public var root: TreeHash { lock.withLock { range.root } }

    /// Appends the leaf hash of `entry`.
    public func append(entry: [UInt8]) { append(leafHash: .leaf(entry)) }

    /// Appends a precomputed leaf hash.
    public func append(leafHash: TreeHash) {
        lock.withLock {
            for n in range.append(leafHash) { nodes[n.id] = n.hash }
        }
    }

    public func hashes(of ids: [NodeID]) throws -> [NodeID: TreeHash] {
        try lock.withLock {
            var out: [NodeID: TreeHash] = [:]
            for id in ids {
                guard let h = nodes[id] else { throw LedgerError("missing_node", "node \(id.level)/\(id.index) is beyond the tree") }
                out[id] = h
            }
            return out
        }
    }
}
