/// The reference's text form: 64 hex digits, bit 255 first. This is what ThreatExchange,
/// `pdq-photo-hasher` and PyPI `pdqhash` users exchange, and what `Codable` reads and writes.
extension PDQHash: CustomStringConvertible, LosslessStringConvertible, Codable {
    /// Parses 64 hexadecimal digits (either case), most significant first, as the reference
    /// prints them. Throws `pdq_invalid_hash` for any other length or character.
    public init(hex: some StringProtocol) throws {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 64 else {
            throw PDQError.invalidHash("a PDQ hash is 64 hex digits, got \(utf8.count) characters")
        }
        var w: [UInt64] = [0, 0, 0, 0]
        // Text digit 0 is the top nibble of words.3; digit 63 the bottom nibble of words.0.
        for (i, c) in utf8.enumerated() {
            guard let nibble = Self.nibble(c) else {
                throw PDQError.invalidHash("a PDQ hash is 64 hex digits, found \(String(UnicodeScalar(c)).debugDescription)")
            }
            let word = 3 - i / 16
            w[word] = (w[word] << 4) | UInt64(nibble)
        }
        self.init(words: (w[0], w[1], w[2], w[3]))
    }

    /// Parses the hex form; nil where `init(hex:)` would throw.
    public init?(_ description: String) {
        try? self.init(hex: description)
    }

    /// The 64 lowercase hex digits, bit 255 first (the reference's `Hash256::format`).
    public var hex: String {
        var out = [UInt8]()
        out.reserveCapacity(64)
        for word in [words.3, words.2, words.1, words.0] {
            for shift in stride(from: 60, through: 0, by: -4) {
                out.append(Self.digits[Int((word >> UInt64(shift)) & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Same as `hex`.
    public var description: String { hex }

    /// Decodes from the hex string form.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(hex: text)
    }

    /// Encodes as the hex string form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
