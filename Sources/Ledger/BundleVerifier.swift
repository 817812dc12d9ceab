import CameoCore
import CameoCrypto

/// What a successful offline verification established.
public struct BundleSummary: Sendable, Equatable {
    /// The checkpoint's origin (also the signing key name).
    public let origin: String
    /// Number of entries verified.
    public let size: UInt64
    /// The recomputed root, equal to the signed one.
    public let root: TreeHash
    /// Entry count per type.
    public let types: [String: Int]

    /// Creates a summary.
    public init(origin: String, size: UInt64, root: TreeHash, types: [String: Int]) {
        self.origin = origin; self.size = size; self.root = root; self.types = types
    }
}

/// Verifies an export bundle offline: the checkpoint's signature under the given public key,
/// every line of `entries.jsonl` as canonical JSON, and the recomputed Merkle root.
public enum BundleVerifier {
    /// Verifies; throws a `LedgerError` naming the first failing entry or check.
    public static func verify(entriesJSONL: [UInt8], checkpointNote: String, publicKey: Ed25519PublicKey) throws -> BundleSummary {
        let note = try SignedNote(parsing: checkpointNote)
        let checkpoint = try Checkpoint(body: note.text)
        do {
            try note.verify(name: checkpoint.origin, publicKey: publicKey)
        } catch let e as LedgerError {
            throw LedgerError(e.code, "checkpoint: \(e.message)", kind: .integrity)
        }
        var lines = entriesJSONL.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard UInt64(lines.count) == checkpoint.size else {
            throw LedgerError("size_mismatch", "entries.jsonl has \(lines.count) entries but the checkpoint signs size \(checkpoint.size)", kind: .integrity)
        }
        var range = CompactRange()
        var types: [String: Int] = [:]
        for (i, line) in lines.enumerated() {
            let bytes = Array(line)
            do {
                let entry = try LedgerEntry(canonical: bytes)
                types[entry.type, default: 0] += 1
            } catch let e as any CodedError {
                throw LedgerError(e.code, "entry \(i): \(e.message)", kind: .integrity)
            }
            range.append(.leaf(bytes))
        }
        guard range.root == checkpoint.root else {
            throw LedgerError("root_mismatch", "the root of the \(lines.count) entries is \(range.root.base64), the checkpoint signs \(checkpoint.root.base64): an entry was altered, added, removed or reordered", kind: .integrity)
        }
        return BundleSummary(origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root, types: types)
    }
}
