/// A 256-bit PDQ perceptual hash.
///
/// Bit `k` (0…255) says whether DCT coefficient (row `k / 16`, column `k % 16`) of the image's
/// 16×16 low-frequency block lies above the block's median. `words.0` holds bits 0…63,
/// `words.3` bits 192…255; the text form (`hex`) is the reference's: 64 lowercase hex digits,
/// most significant (bit 255) first. Two images are "the same" when their hashes are within a
/// small Hamming distance (Meta suggests 31).
public struct PDQHash: Hashable, Sendable {
    /// Bits 0…63, 64…127, 128…191 and 192…255, least significant bit first in each word.
    public let words: (UInt64, UInt64, UInt64, UInt64)

    /// The hash with no bits set; what the reference returns for images under 5 px a side.
    public static let zero = PDQHash(words: (0, 0, 0, 0))

    /// Creates a hash from its four 64-bit words (`words.0` = bits 0…63).
    public init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// Whether bit `index` (0…255) is set. Precondition: `0 <= index < 256`.
    public func bit(_ index: Int) -> Bool {
        precondition((0..<256).contains(index), "PDQ bit index out of range")
        return (word(index >> 6) >> UInt64(index & 63)) & 1 == 1
    }

    /// The number of set bits (the reference's `hammingNorm`); ~128 for a real image.
    public var setBitCount: Int {
        words.0.nonzeroBitCount + words.1.nonzeroBitCount
            + words.2.nonzeroBitCount + words.3.nonzeroBitCount
    }

    /// The number of bits in which the two hashes differ (0…256); XOR and popcount.
    @inlinable
    public func hammingDistance(to other: PDQHash) -> Int {
        (words.0 ^ other.words.0).nonzeroBitCount + (words.1 ^ other.words.1).nonzeroBitCount
            + (words.2 ^ other.words.2).nonzeroBitCount + (words.3 ^ other.words.3).nonzeroBitCount
    }

    /// Word `i` (0…3) of `words`.
    func word(_ i: Int) -> UInt64 {
        switch i {
        case 0: words.0
        case 1: words.1
        case 2: words.2
        default: words.3
        }
    }

    public static func == (a: PDQHash, b: PDQHash) -> Bool {
        a.words == b.words
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
