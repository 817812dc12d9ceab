/// The right border of a log of `size` leaves: its decomposition into maximal perfect
/// subtrees, left to right (one per set bit of `size`). Appending a leaf merges equal-height
/// subtrees; the nodes created by the merge are exactly the new perfect subtrees to store.
public struct CompactRange: Sendable, Equatable {
    /// Number of leaves covered.
    public private(set) var size: UInt64
    /// Maximal perfect subtrees, left to right, highest first.
    public private(set) var nodes: [(id: NodeID, hash: TreeHash)]

    /// An empty log.
    public init() { size = 0; nodes = [] }

    /// Restores a range from its stored nodes; throws if they do not decompose `size`.
    public init(size: UInt64, nodes: [(id: NodeID, hash: TreeHash)]) throws {
        guard nodes.map(\.id) == Self.nodeIDs(forSize: size) else {
            throw LedgerError("bad_compact_range", "stored nodes do not decompose a tree of size \(size)", kind: .integrity)
        }
        self.size = size
        self.nodes = nodes
    }

    /// The ids of the perfect subtrees that decompose a tree of `size` leaves, left to right.
    public static func nodeIDs(forSize size: UInt64) -> [NodeID] {
        var ids: [NodeID] = []
        var start: UInt64 = 0
        for level in stride(from: 63, through: 0, by: -1) where size & (1 << UInt64(level)) != 0 {
            ids.append(NodeID(level: level, index: start >> UInt64(level)))
            start += 1 << UInt64(level)
        }
        return ids
    }

    /// Appends one leaf and returns every perfect subtree completed by it (the leaf first).
    @discardableResult
    public mutating func append(_ leaf: TreeHash) -> [(id: NodeID, hash: TreeHash)] {
        var created = [(id: NodeID(level: 0, index: size), hash: leaf)]
        nodes.append(created[0])
        while nodes.count >= 2, nodes[nodes.count - 1].id.level == nodes[nodes.count - 2].id.level {
            let right = nodes.removeLast(), left = nodes.removeLast()
            let parent = (id: NodeID(level: left.id.level + 1, index: left.id.index >> 1),
                          hash: TreeHash.node(left.hash, right.hash))
            nodes.append(parent)
            created.append(parent)
        }
        size += 1
        return created
    }

    /// RFC 9162 §2.1.1 MTH of the whole range: fold the subtrees from the right.
    public var root: TreeHash {
        guard var h = nodes.last?.hash else { return .empty }
        for n in nodes.dropLast().reversed() { h = .node(n.hash, h) }
        return h
    }

    public static func == (a: CompactRange, b: CompactRange) -> Bool {
        a.size == b.size && a.nodes.map(\.id) == b.nodes.map(\.id) && a.nodes.map(\.hash) == b.nodes.map(\.hash)
    }
}
