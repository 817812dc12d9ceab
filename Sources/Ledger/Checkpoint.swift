import CameoCrypto

/// A C2SP tlog-checkpoint: `<origin>\n<size>\n<base64 root>\n` (c2sp.org/tlog-checkpoint).
public struct Checkpoint: Sendable, Hashable {
    /// The log's origin line, e.g. `cameoguard.example/ledger`.
    public let origin: String
    /// Tree size.
    public let size: UInt64
    /// MTH of the first `size` leaves.
    public let root: TreeHash

    /// Creates a checkpoint; the origin must be a non-empty line without control characters.
    public init(origin: String, size: UInt64, root: TreeHash) throws {
        guard !origin.isEmpty, !origin.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw LedgerError("bad_origin", "checkpoint origin must be one non-empty line")
        }
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The note text that is signed.
    public var body: String { "\(origin)\n\(size)\n\(root.base64)\n" }

    /// Parses a note body (exactly three lines; extension lines are not used by this log).
    public init(body: String) throws {
        var lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard body.hasSuffix("\n"), lines.removeLast().isEmpty, lines.count >= 3 else {
            throw LedgerError("bad_checkpoint", "checkpoint body must be origin, size and root lines ending in newline")
        }
        guard let size = UInt64(lines[1]), String(size) == lines[1] else {
            throw LedgerError("bad_checkpoint", "checkpoint size \(lines[1].prefix(30).debugDescription) is not a decimal number")
        }
        try self.init(origin: lines[0], size: size, root: TreeHash(base64: lines[2]))
    }
}
