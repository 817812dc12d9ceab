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
    /// The owner-signature audit of the consent writes.
    public let signatures: ConsentSignatureSummary

    /// Creates a summary.
    public init(origin: String, size: UInt64, root: TreeHash, types: [String: Int], signatures: ConsentSignatureSummary = .init()) {
        self.origin = origin; self.size = size; self.root = root; self.types = types; self.signatures = signatures
    }
}

/// Verifies an export bundle offline: the checkpoint's signature under the given public key,
/// every line of `entries.jsonl` as canonical JSON, the recomputed Merkle root, then the
/// owner signatures of every consent write (`ConsentSignatureAudit`), against the statements
/// of `statements.jsonl` when the bundle has them.
public enum BundleVerifier {
    /// Verifies; throws a `LedgerError` naming the first failing entry or check.
    public static func verify(entriesJSONL: [UInt8], checkpointNote: String, publicKey: Ed25519PublicKey,
                              statementsJSONL: [UInt8]? = nil) throws -> BundleSummary {
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
        var entries: [LedgerEntry] = []
        entries.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            let bytes = Array(line)
            do {
                let entry = try LedgerEntry(canonical: bytes)
                types[entry.type, default: 0] += 1
                entries.append(entry)
            } catch let e as any CodedError {
                throw LedgerError(e.code, "entry \(i): \(e.message)", kind: .integrity)
            }
            range.append(.leaf(bytes))
        }
        guard range.root == checkpoint.root else {
            throw LedgerError("root_mismatch", "the root of the \(lines.count) entries is \(range.root.base64), the checkpoint signs \(checkpoint.root.base64): an entry was altered, added, removed or reordered", kind: .integrity)
        }
        let signatures = try ConsentSignatureAudit.audit(entries, statements: try statementsJSONL.map { try statements($0, size: checkpoint.size) })
        return BundleSummary(origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root, types: types, signatures: signatures)
    }

    /// Parses `statements.jsonl`: one RFC 8785 object per line, `{"ledger_index": i, "statement": "<the signed bytes>"}`.
    public static func statements(_ jsonl: [UInt8], size: UInt64) throws -> [UInt64: String] {
        var out: [UInt64: String] = [:]
        for (n, line) in jsonl.split(separator: UInt8(ascii: "\n")).enumerated() {
            guard case .object(let o)? = try? JSONValue.parse(Array(line)), let i = o["ledger_index"]?.intValue, i >= 0, UInt64(i) < size,
                  let text = o["statement"]?.stringValue, out[UInt64(i)] == nil else {
                throw LedgerError("statements_malformed", "statements.jsonl line \(n + 1) must be {\"ledger_index\", \"statement\"} for a distinct index in the bundle", kind: .integrity)
            }
            out[UInt64(i)] = text
        }
        return out
    }
}
