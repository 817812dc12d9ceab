/// A perfect subtree of the log: `level` 0 is a leaf; the node at (`level`, `index`) covers
/// leaves `[index·2^level, (index+1)·2^level)`. Only perfect subtrees are ever stored; every
/// other hash the RFC 9162 algorithms need is folded from them.
public struct NodeID: Hashable, Sendable, Comparable {
    /// Height above the leaves.
    public let level: Int
    /// Position among the nodes of that level.
    public let index: UInt64

    /// Creates a node id; `level` must be < 64 and `index` < 2^57.
    public init(level: Int, index: UInt64) {
        precondition(level >= 0 && level < 64 && index < (1 << 57), "node id out of range")
        self.level = level
        self.index = index
    }

    /// A single integer key for storage: level in the top bits, index below.
    public var storageKey: Int64 { Int64(level) << 57 | Int64(index) }

    /// Inverse of `storageKey`.
    public init(storageKey: Int64) {
        self.init(level: Int(storageKey >> 57), index: UInt64(storageKey & ((1 << 57) - 1)))
    }

    /// First leaf covered.
    public var start: UInt64 { index << UInt64(level) }
    /// One past the last leaf covered.
    public var end: UInt64 { (index + 1) << UInt64(level) }

    public static func < (a: NodeID, b: NodeID) -> Bool { a.storageKey < b.storageKey }
}

/// The largest power of two strictly less than `n` (n ≥ 2), the split point `k` of RFC 9162 §2.1.1.
@inline(__always)
func largestPowerOfTwoBelow(_ n: UInt64) -> UInt64 {
    precondition(n >= 2)
    return 1 << (63 - UInt64((n - 1).leadingZeroBitCount))
}
