import CameoCrypto
import Foundation
import Ledger
import Testing
import TestSupport

/// An independent, deliberately naive RFC 9162 §2.1.1 MTH used as the reference.
func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
    if leaves.isEmpty { return SHA256.hash([]) }
    if leaves.count == 1 { return SHA256.hash([0], leaves.first!) }
    var k = 1
    while k * 2 < leaves.count { k *= 2 }
    let s = leaves.startIndex
    return SHA256.hash([1], referenceRoot(leaves[s..<(s + k)]), referenceRoot(leaves[(s + k)...]))
}

func tree(of n: Int) -> (InMemoryTree, [[UInt8]]) {
    let t = InMemoryTree()
    let leaves = (0..<n).map { Array("entry \($0)".utf8) }
    for l in leaves { t.append(entry: l) }
    return (t, leaves)
}

func flip(_ h: TreeHash, _ bit: Int = 0) -> TreeHash {
    var b = h.bytes; b[bit / 8 % 32] ^= UInt8(1 << (bit % 8))
    return try! TreeHash(b)
}

@Suite struct MerkleProofTests {
    /// RFC 6962 / certificate-transparency reference tree: the 8 test leaves and the root at every size.
    static let ctLeaves: [String] = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    static let ctRoots: [String] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    @Test func rootsMatchTheCertificateTransparencyReferenceTree() throws {
        let t = InMemoryTree()
        #expect(t.root == .empty)
        #expect(TreeHash.empty.bytes == Hex.decode("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        for (i, leaf) in Self.ctLeaves.enumerated() {
            t.append(entry: Hex.decode(leaf)!)
            #expect(Hex.encode(t.root.bytes) == Self.ctRoots[i], "size \(i + 1)")
            #expect(Hex.encode(try ProofBuilder(reader: t).root(size: UInt64(i + 1)).bytes) == Self.ctRoots[i])
        }
    }

    /// Property: for random sizes 1…2000, every inclusion proof verifies against the reference
    /// root, and a flipped bit in the leaf, any proof hash or the root fails it.
    @Test func inclusionProofsVerifyAndAnyAlterationFails() throws {
        var rng = SeededGenerator(seed: 0x5EED_0001)
        let sizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 127, 129, 1000, 2000] + (0..<12).map { _ in Int.random(in: 1...2000, using: &rng) }
        for n in sizes {
            let (t, leaves) = tree(of: n)
            let b = ProofBuilder(reader: t)
            let root = try TreeHash(referenceRoot(leaves[...]))
            #expect(t.root == root, "size \(n)")
            let indices = n <= 64 ? Array(0..<n) : (0..<40).map { _ in Int.random(in: 0..<n, using: &rng) } + [0, n - 1]
            for i in indices {
                let leaf = TreeHash.leaf(leaves[i])
                let proof = try b.inclusionProof(index: UInt64(i), size: UInt64(n))
                #expect(ProofVerifier.verifyInclusion(leaf: leaf, index: UInt64(i), size: UInt64(n), proof: proof, root: root), "size \(n) index \(i)")
                #expect(!ProofVerifier.verifyInclusion(leaf: flip(leaf, i), index: UInt64(i), size: UInt64(n), proof: proof, root: root))
                #expect(!ProofVerifier.verifyInclusion(leaf: leaf, index: UInt64(i), size: UInt64(n), proof: proof, root: flip(root, i)))
                for j in proof.indices {
                    var bad = proof; bad[j] = flip(bad[j], i + j)
                    #expect(!ProofVerifier.verifyInclusion(leaf: leaf, index: UInt64(i), size: UInt64(n), proof: bad, root: root))
                }
                if n > 1 {
                    #expect(!ProofVerifier.verifyInclusion(leaf: leaf, index: UInt64((i + 1) % n), size: UInt64(n), proof: proof, root: root))
                    #expect(!ProofVerifier.verifyInclusion(leaf: leaf, index: UInt64(i), size: UInt64(n), proof: proof + [root], root: root))
                }
            }
        }
    }

    /// Property: consistency proofs between random sizes verify; any alteration fails.
    @Test func consistencyProofsVerifyAndAnyAlterationFails() throws {
        var rng = SeededGenerator(seed: 0x5EED_0002)
        let (t, leaves) = tree(of: 2000)
        let b = ProofBuilder(reader: t)
        var pairs: [(Int, Int)] = [(1, 1), (1, 2), (1, 3), (2, 3), (3, 7), (4, 8), (7, 8), (8, 9), (1, 2000), (1024, 2000), (1999, 2000), (2000, 2000)]
        pairs += (0..<80).map { _ in let n = Int.random(in: 1...2000, using: &rng); return (Int.random(in: 1...n, using: &rng), n) }
        for (m, n) in pairs {
            let mRoot = try TreeHash(referenceRoot(leaves[0..<m])), nRoot = try TreeHash(referenceRoot(leaves[0..<n]))
            let proof = try b.consistencyProof(from: UInt64(m), to: UInt64(n))
            #expect(ProofVerifier.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: mRoot, toRoot: nRoot, proof: proof), "\(m)→\(n)")
            if m < n {
                #expect(!ProofVerifier.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: flip(mRoot, m), toRoot: nRoot, proof: proof))
                #expect(!ProofVerifier.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: mRoot, toRoot: flip(nRoot, n), proof: proof))
                for j in proof.indices {
                    var bad = proof; bad[j] = flip(bad[j], j)
                    #expect(!ProofVerifier.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: mRoot, toRoot: nRoot, proof: bad), "\(m)→\(n) hash \(j)")
                }
                #expect(!ProofVerifier.verifyConsistency(from: UInt64(m), to: UInt64(n), fromRoot: mRoot, toRoot: nRoot, proof: Array(proof.dropLast())))
            }
        }
    }

    @Test func proofRequestsOutsideTheTreeAreErrors() throws {
        let (t, _) = tree(of: 10)
        let b = ProofBuilder(reader: t)
        #expect(throws: LedgerError.self) { try b.inclusionProof(index: 10, size: 10) }
        #expect(throws: LedgerError.self) { try b.consistencyProof(from: 5, to: 4) }
        #expect(throws: LedgerError.self) { try b.inclusionProof(index: 3, size: 11) }  // node 10 is not stored
    }

    @Test func compactRangeListsTheSubtreesOfEverySize() throws {
        #expect(CompactRange.nodeIDs(forSize: 0).isEmpty)
        #expect(CompactRange.nodeIDs(forSize: 6) == [NodeID(level: 2, index: 0), NodeID(level: 1, index: 2)])
        #expect(CompactRange.nodeIDs(forSize: 7).map(\.level) == [2, 1, 0])
        var r = CompactRange()
        for i in 0..<100 { r.append(.leaf([UInt8(i)])) }
        #expect(r.nodes.map(\.id) == CompactRange.nodeIDs(forSize: 100))
        #expect(try CompactRange(size: 100, nodes: r.nodes) == r)
        #expect(throws: LedgerError.self) { try CompactRange(size: 101, nodes: r.nodes) }
        #expect(NodeID(storageKey: NodeID(level: 23, index: 123_456).storageKey) == NodeID(level: 23, index: 123_456))
    }
}
