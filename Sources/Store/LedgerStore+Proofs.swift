import CameoCore
import Ledger

extension LedgerStore {
    /// The proof builder reading this store's nodes.
    public var proofs: ProofBuilder { ProofBuilder(reader: self) }

    /// Inclusion proof of leaf `index` in the tree of `size` in the auditor JSON shape
    /// `{"index","size","leaf_hash","hashes","root"}` (hashes base64, leaf side first).
    public func inclusionJSON(index: UInt64, size: UInt64) throws -> JSONValue {
        try checkSize(size)
        guard index < size else { throw LedgerError("index_out_of_range", "index \(index) is not below size \(size)") }
        let leaf = try hashes(of: [NodeID(level: 0, index: index)]).values.first!
        let path = try proofs.inclusionProof(index: index, size: size)
        let root = try proofs.root(size: size)
        return .object(["index": .int(Int64(index)), "size": .int(Int64(size)), "leaf_hash": .string(leaf.base64),
                        "hashes": .array(path.map { .string($0.base64) }), "root": .string(root.base64)])
    }

    /// Consistency proof between sizes `from` ≤ `to` as `{"from","to","hashes"}`.
    public func consistencyJSON(from: UInt64, to: UInt64) throws -> JSONValue {
        try checkSize(to)
        let path = try proofs.consistencyProof(from: from, to: to)
        return .object(["from": .int(Int64(from)), "to": .int(Int64(to)), "hashes": .array(path.map { .string($0.base64) })])
    }

    private func checkSize(_ n: UInt64) throws {
        let current = size
        guard n <= current else { throw LedgerError("size_out_of_range", "the ledger has \(current) entries; size \(n) is in the future") }
    }
}
