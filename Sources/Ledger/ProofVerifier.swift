/// Verification of RFC 9162 proofs. Pure functions of their arguments: auditors run the same
/// code offline against an export bundle.
public enum ProofVerifier {
    /// RFC 9162 §2.1.3.2: whether `proof` shows `leaf` at `index` in the tree of `size` with `root`.
    public static func verifyInclusion(leaf: TreeHash, index: UInt64, size: UInt64,
                                       proof: [TreeHash], root: TreeHash) -> Bool {
        guard index < size else { return false }
        var fn = index, sn = size - 1
        var r = leaf
        for p in proof {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = .node(p, r)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                r = .node(r, p)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2: whether `proof` shows the tree (`from`, `fromRoot`) is a prefix of (`to`, `toRoot`).
    public static func verifyConsistency(from: UInt64, to: UInt64, fromRoot: TreeHash, toRoot: TreeHash,
                                         proof: [TreeHash]) -> Bool {
        if from > to { return false }
        if from == to { return proof.isEmpty && fromRoot == toRoot }
        if from == 0 { return proof.isEmpty && fromRoot == .empty }
        guard !proof.isEmpty else { return false }
        var path = proof
        if from & (from - 1) == 0 { path.insert(fromRoot, at: 0) }  // step 2: exact power of two
        var fn = from - 1, sn = to - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = .node(c, fr); sr = .node(c, sr)
                if fn & 1 == 0 {
                    repeat { fn >>= 1; sn >>= 1 } while fn & 1 == 0 && fn != 0
                }
            } else {
                sr = .node(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        return fr == fromRoot && sr == toRoot && sn == 0
    }
}
