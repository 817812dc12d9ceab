import PDQ

/// An owned 8-bit RGB image (3 bytes per pixel, row-major) with the edits tests apply to
/// fixtures: flips, rotations, brightness, noise, crops and padding.
public struct RGBPixels: Sendable, Equatable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// `width * height * 3` bytes.
    public var bytes: [UInt8]

    /// Wraps `bytes`; throws `pdq_invalid_image` (via PDQ) if the count is wrong.
    public init(width: Int, height: Int, bytes: [UInt8]) throws {
        _ = try PDQHasher.hash(rgb: bytes, width: width, height: height)  // validates the shape
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    private init(unchecked width: Int, _ height: Int, _ bytes: [UInt8]) {
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// This image's PDQ hash and quality.
    public func pdq() throws -> (hash: PDQHash, quality: Int) {
        try PDQHasher.hash(rgb: bytes, width: width, height: height)
    }

    /// A `width`×`height` image whose pixel (x, y) is this image's pixel `source(x, y)`.
    public func remapped(width: Int, height: Int, _ source: (Int, Int) -> (x: Int, y: Int)) -> RGBPixels {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let s = source(x, y)
                let from = (s.y * self.width + s.x) * 3, to = (y * width + x) * 3
                out[to] = bytes[from]; out[to + 1] = bytes[from + 1]; out[to + 2] = bytes[from + 2]
            }
        }
        return RGBPixels(unchecked: width, height, out)
    }

    /// The image after a dihedral transform, with PDQ's meaning of each (see `PDQDihedral`).
    public func transformed(_ t: PDQDihedral) -> RGBPixels {
        let w = width, h = height
        switch t {
        case .original: return self
        case .rotate90: return remapped(width: h, height: w) { (w - 1 - $1, $0) }
        case .rotate180: return remapped(width: w, height: h) { (w - 1 - $0, h - 1 - $1) }
        case .rotate270: return remapped(width: h, height: w) { ($1, h - 1 - $0) }
        case .flipX: return remapped(width: w, height: h) { ($0, h - 1 - $1) }
        case .flipY: return remapped(width: w, height: h) { (w - 1 - $0, $1) }
        case .flipPlus1: return remapped(width: h, height: w) { ($1, $0) }
        case .flipMinus1: return remapped(width: h, height: w) { (w - 1 - $1, h - 1 - $0) }
        }
    }

    /// The `width`×`height` region whose top-left pixel is (x, y).
    public func cropped(x: Int, y: Int, width: Int, height: Int) -> RGBPixels {
        remapped(width: width, height: height) { (x + $0, y + $1) }
    }

    /// Every channel shifted by `delta`, clamped to 0…255.
    public func brightened(by delta: Int) -> RGBPixels {
        RGBPixels(unchecked: width, height, bytes.map { UInt8(clamping: Int($0) + delta) })
    }

    /// Every channel plus uniform noise in −`amplitude`…`amplitude`, clamped (seeded, repeatable).
    public func noisy(amplitude: Int, seed: UInt64) -> RGBPixels {
        var rng = SplitMix64(seed: seed)
        return RGBPixels(unchecked: width, height, bytes.map {
            UInt8(clamping: Int($0) + Int(rng.next() % UInt64(2 * amplitude + 1)) - amplitude)
        })
    }

    /// The bytes laid out with `bytesPerRow` per row, padding filled with `fill`.
    public func padded(bytesPerRow: Int, fill: UInt8 = 0xAB) -> [UInt8] {
        var out = [UInt8](repeating: fill, count: bytesPerRow * height)
        for y in 0..<height {
            out[(y * bytesPerRow)..<(y * bytesPerRow + width * 3)] = bytes[(y * width * 3)..<((y + 1) * width * 3)]
        }
        return out
    }

    /// A repeatable synthetic picture: smooth colour gradients, a few dozen random discs and
    /// bars, and light grain, so it has real structure at every scale PDQ looks at.
    public static func scene(width: Int, height: Int, seed: UInt64) -> RGBPixels {
        var rng = SplitMix64(seed: seed)
        var shapes: [(cx: Double, cy: Double, r: Double, rgb: (Double, Double, Double), bar: Bool)] = []
        for _ in 0..<40 {
            shapes.append((rng.unit() * Double(width), rng.unit() * Double(height),
                           (0.03 + 0.2 * rng.unit()) * Double(min(width, height)),
                           (rng.unit() * 255, rng.unit() * 255, rng.unit() * 255), rng.unit() < 0.3))
        }
        let fx = 1 + rng.unit() * 3, fy = 1 + rng.unit() * 3
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let u = Double(x) / Double(width), v = Double(y) / Double(height)
                var c = (128 + 100 * u - 60 * v, 90 + 80 * v, 60 + 120 * (u * v) + 40 * (fx * u + fy * v).truncatingRemainder(dividingBy: 1))
                for s in shapes {
                    let dx = Double(x) - s.cx, dy = Double(y) - s.cy
                    let inside = s.bar ? abs(dx) < s.r * 0.25 && abs(dy) < s.r : dx * dx + dy * dy < s.r * s.r
                    if inside { c = s.rgb }
                }
                let grain = Double(rng.next() % 9) - 4
                let i = (y * width + x) * 3
                out[i] = UInt8(clamping: Int(c.0 + grain)); out[i + 1] = UInt8(clamping: Int(c.1 + grain))
                out[i + 2] = UInt8(clamping: Int(c.2 + grain))
            }
        }
        return RGBPixels(unchecked: width, height, out)
    }
}

/// A tiny seeded generator (SplitMix64) so test images and banks are the same on every run.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A uniformly random 256-bit hash.
    public mutating func hash() -> PDQHash { PDQHash(words: (next(), next(), next(), next())) }
}
