/// Reads stored perfect-subtree hashes. One call per proof, so a database-backed reader can
/// fetch every node a proof needs in a single query.
public protocol NodeReader: Sendable {
    /// The hashes of `ids` (distinct); throws if any is missing.
    func hashes(of ids: [NodeID]) throws -> [NodeID: TreeHash]
}

/// Builds RFC 9162 inclusion and consistency proofs from stored perfect subtrees in two steps:
/// plan which subtree hashes are needed (pure), then fetch them all at once and fold.
/// A proof at size n reads O(log n) nodes, never the log itself.
public struct ProofBuilder: Sendable {
    let reader: any NodeReader

    /// Creates a builder over `reader`.
    public init(reader: any NodeReader) { self.reader = reader }

    /// RFC 9162 §2.1.3.1 PATH(m, D[n]): the audit path for leaf `index` in the tree of `size`.
    public func inclusionProof(index: UInt64, size: UInt64) throws -> [TreeHash] {
        guard index < size else {
            throw LedgerError("index_out_of_range", "leaf index \(index) is not below tree size \(size)")
        }
        return try hashes(of: ProofPlan.inclusionRanges(index, 0, size))
    }

    /// RFC 9162 §2.1.4.1 PROOF(m, D[n]): proof that the tree of `from` leaves is a prefix of the tree of `to`.
    public func consistencyProof(from: UInt64, to: UInt64) throws -> [TreeHash] {
        guard from <= to else { throw LedgerError("bad_range", "consistency proof needs from ≤ to, got \(from) > \(to)") }
        if from == 0 || from == to { return [] }
        return try hashes(of: ProofPlan.subproofRanges(from, 0, to, true))
    }

    /// RFC 9162 §2.1.1 MTH(D[size]).
    public func root(size: UInt64) throws -> TreeHash {
        size == 0 ? .empty : try hashes(of: [ProofPlan.Range(start: 0, end: size)])[0]
    }

    private func hashes(of ranges: [ProofPlan.Range]) throws -> [TreeHash] {
        var needed: [NodeID] = []
        needed.reserveCapacity(2 * ranges.count + 8)
        for r in ranges { ProofPlan.decompose(r, into: &needed) }
        let stored = try reader.hashes(of: needed)
        return try ranges.map { try fold($0, stored) }
    }

    private func fold(_ r: ProofPlan.Range, _ stored: [NodeID: TreeHash]) throws -> TreeHash {
        if let id = r.perfectNode {
            guard let h = stored[id] else { throw LedgerError("missing_node", "node \(id.level)/\(id.index) is not stored", kind: .integrity) }
            return h
        }
        let k = largestPowerOfTwoBelow(r.end - r.start)
        return .node(try fold(.init(start: r.start, end: r.start + k), stored), try fold(.init(start: r.start + k, end: r.end), stored))
    }
}

/// Which subtree hashes a proof needs (RFC 9162 §2.1.3.1 and §2.1.4.1), as leaf ranges.
enum ProofPlan {
    /// A half-open range of leaves `[start, end)`.
    struct Range: Hashable {
        let start: UInt64
        let end: UInt64

        /// The stored node for this range, if it is a perfect aligned subtree.
        var perfectNode: NodeID? {
            let n = end - start
            guard n > 0, n & (n - 1) == 0, start % n == 0 else { return nil }
            let level = n.trailingZeroBitCount
            return NodeID(level: level, index: start >> UInt64(level))
        }
    }

    /// PATH(m, D[start:end]) as the ranges whose MTH form the proof, leaf side first.
    /// (The RFC's recursion, unrolled: siblings are found top-down, then reversed.)
    static func inclusionRanges(_ m: UInt64, _ start: UInt64, _ end: UInt64) -> [Range] {
        var out: [Range] = []
        out.reserveCapacity(64)
        var (m, start, end) = (m, start, end)
        while end - start > 1 {
            let k = largestPowerOfTwoBelow(end - start)
            if m < k {
                out.append(Range(start: start + k, end: end)); end = start + k
            } else {
                out.append(Range(start: start, end: start + k)); m -= k; start += k
            }
        }
        return out.reversed()
    }

    /// SUBPROOF(m, D[start:end], b) as ranges, unrolled the same way.
    static func subproofRanges(_ m: UInt64, _ start: UInt64, _ end: UInt64, _ b: Bool) -> [Range] {
        var out: [Range] = []
        out.reserveCapacity(64)
        var (m, start, end, b) = (m, start, end, b)
        while true {
            if m == end - start {
                if !b { out.append(Range(start: start, end: end)) }
                break
            }
            let k = largestPowerOfTwoBelow(end - start)
            if m <= k {
                out.append(Range(start: start + k, end: end)); end = start + k
            } else {
                out.append(Range(start: start, end: start + k)); m -= k; start += k; b = false
            }
        }
        return out.reversed()
    }

    /// Adds the perfect subtrees whose hashes determine `r`'s MTH.
    static func decompose(_ r: Range, into out: inout [NodeID]) {
        if let id = r.perfectNode {
            if !out.contains(id) { out.append(id) }
            return
        }
        let k = largestPowerOfTwoBelow(r.end - r.start)
        decompose(Range(start: r.start, end: r.start + k), into: &out)
        decompose(Range(start: r.start + k, end: r.end), into: &out)
    }
}
