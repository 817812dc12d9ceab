import CameoCrypto

/// A 32-byte SHA-256 Merkle tree hash (of a leaf, an interior node, or a root).
public struct TreeHash: Hashable, Sendable, CustomStringConvertible {
    /// The digest bytes (always 32).
    public let bytes: [UInt8]

    /// Wraps a digest; throws `bad_hash` unless it is 32 bytes.
    public init(_ bytes: [UInt8]) throws {
        guard bytes.count == 32 else { throw LedgerError("bad_hash", "a tree hash is 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// Parses standard base64.
    public init(base64: String) throws {
        guard let b = Base64.decode(base64) else { throw LedgerError("bad_hash", "hash is not valid base64") }
        try self.init(b)
    }

    /// Standard base64 of the digest.
    public var base64: String { Base64.encode(bytes) }
    public var description: String { base64 }

    /// RFC 9162 §2.1.1: the hash of an empty tree is SHA-256 of the empty string.
    public static let empty = TreeHash(unchecked: SHA256.hash([]))

    /// RFC 9162 §2.1.1: leaf hash = SHA-256(0x00 ‖ entry).
    public static func leaf(_ entry: [UInt8]) -> TreeHash {
        TreeHash(unchecked: SHA256.hash([0x00], entry))
    }

    /// RFC 9162 §2.1.1: node hash = SHA-256(0x01 ‖ left ‖ right).
    public static func node(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        TreeHash(unchecked: SHA256.hash([0x01], left.bytes, right.bytes))
    }
}
