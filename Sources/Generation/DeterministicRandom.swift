import CameoCore
/// 64-bit FNV-1a (Fowler–Noll–Vo) over bytes. Not cryptographic: it only spreads prompt text
/// into a seed, and checksums frames in tests. Parameters from draft-eastlake-fnv §5.
public struct FNV1a64: Sendable {
    /// FNV-1a 64-bit offset basis.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// FNV-1a 64-bit prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of everything fed so far.
    public private(set) var value: UInt64 = FNV1a64.offsetBasis

    /// Starts from the offset basis.
    public init() {}

    /// Feeds bytes in order.
    public mutating func combine<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* Self.prime }
        value = h
    }

    /// Feeds a raw buffer (fast path for frame checksums).
    public mutating func combine(_ buffer: UnsafeRawBufferPointer) {
        var h = value
        for b in buffer { h = (h ^ UInt64(b)) &* Self.prime }
        value = h
    }

    /// Feeds a 64-bit integer as 8 little-endian bytes.
    public mutating func combine(_ word: UInt64) {
        combine((0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) })
    }

    /// The hash of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        var h = FNV1a64()
        h.combine(text.utf8)
        return h.value
    }
}

/// xoshiro256** 1.0 (Blackman, Vigna 2018): the generator's only source of randomness, so the
/// same seed yields the same clip on every run and platform.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words from SplitMix64(`seed`); never all zero.
    public init(seed: UInt64) {
        var mix = SplitMix64(seed: seed)
        s = (mix.next(), mix.next(), mix.next(), mix.next())
        if s == (0, 0, 0, 0) { s.0 = 1 }
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    /// A double in [0, 1) from the top 53 bits (platform independent, unlike `Double.random`).
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A double in `range`, uniformly.
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + unit() * (range.upperBound - range.lowerBound)
    }

    /// An integer in `range`, by multiply-shift (bias below 2⁻³² for the small ranges used here).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(truncatingIfNeeded: next().multipliedFullWidth(by: span).high)
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
