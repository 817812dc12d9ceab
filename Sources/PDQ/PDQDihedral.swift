/// The eight rotations and reflections of an image (the dihedral group), named as in the
/// reference. PDQ derives each one's hash from the original's DCT by sign flips and a
/// transpose, so all eight cost little more than one hash. Matching a query against all eight
/// hashes of a banked image catches rotated and mirrored copies.
public enum PDQDihedral: Int, CaseIterable, Sendable, Codable {
    /// The image as given.
    case original
    /// Turned 90° counterclockwise.
    case rotate90
    /// Turned 180°.
    case rotate180
    /// Turned 270° counterclockwise (90° clockwise).
    case rotate270
    /// Upside down: rows in reverse order.
    case flipX
    /// Mirrored left–right: columns in reverse order.
    case flipY
    /// Reflected across the main diagonal (transposed).
    case flipPlus1
    /// Reflected across the anti-diagonal.
    case flipMinus1

    /// Applies this transform to the 16×16 row-major DCT block of the original image, as the
    /// reference's `dct16OriginalTo…` functions do: DCT basis function `k` is even or odd about
    /// the image centre as `k` (1-based) is odd or even, so a flip only negates coefficients.
    func transform(_ a: [Float]) -> [Float] {
        var b = [Float](repeating: 0, count: 256)
        for i in 0..<16 {
            for j in 0..<16 {
                let v = a[i * 16 + j]
                switch self {
                case .original: b[i * 16 + j] = v
                case .rotate90: b[j * 16 + i] = j & 1 == 1 ? v : -v
                case .rotate180: b[i * 16 + j] = (i + j) & 1 == 1 ? -v : v
                case .rotate270: b[j * 16 + i] = i & 1 == 1 ? v : -v
                case .flipX: b[i * 16 + j] = i & 1 == 1 ? v : -v
                case .flipY: b[i * 16 + j] = j & 1 == 1 ? v : -v
                case .flipPlus1: b[j * 16 + i] = v
                case .flipMinus1: b[j * 16 + i] = (i + j) & 1 == 1 ? -v : v
                }
            }
        }
        return b
    }
}

/// The hashes of all eight dihedral transforms of one image.
public struct PDQDihedralHashes: Hashable, Sendable {
    /// The hashes in `PDQDihedral.allCases` order.
    public let all: [PDQHash]

    /// The hash of the image after `transform`.
    public subscript(_ transform: PDQDihedral) -> PDQHash {
        all[transform.rawValue]
    }

    /// The smallest Hamming distance from `hash` to any of the eight, and which transform gave it.
    public func nearest(to hash: PDQHash) -> (transform: PDQDihedral, distance: Int) {
        var best = (transform: PDQDihedral.original, distance: Int.max)
        for t in PDQDihedral.allCases {
            let d = self[t].hammingDistance(to: hash)
            if d < best.distance { best = (t, d) }
        }
        return best
    }
}

extension PDQHasher {
    /// Hashes the image and its seven rotations and reflections in one pass; `all[0]` equals
    /// `hash(rgb:…)`. Same parameters, quality and errors as `hash(rgb:width:height:bytesPerRow:)`;
    /// below `minimumDimension` all eight are `PDQHash.zero`.
    ///
    /// The reference's `pdqDihedralHash256esFromFloatLuma` filters even exactly 64×64 images
    /// (its single-hash path does not); this follows the single-hash path, so for 64×64 input
    /// a few bits can differ from that one reference function.
    public static func dihedralHashes(
        rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bytesPerRow: Int? = nil
    ) throws -> (hashes: PDQDihedralHashes, quality: Int) {
        let image = try validate(rgb, width: width, height: height, bytesPerRow: bytesPerRow)
        guard let (block, quality) = lowFrequencies(image) else {
            return (PDQDihedralHashes(all: Array(repeating: .zero, count: 8)), 0)
        }
        return (PDQDihedralHashes(all: PDQDihedral.allCases.map { threshold($0.transform(block)) }), quality)
    }

    /// Array form of `dihedralHashes(rgb:width:height:bytesPerRow:)`.
    public static func dihedralHashes(
        rgb: [UInt8], width: Int, height: Int, bytesPerRow: Int? = nil
    ) throws -> (hashes: PDQDihedralHashes, quality: Int) {
        try rgb.withUnsafeBufferPointer {
            try dihedralHashes(rgb: $0, width: width, height: height, bytesPerRow: bytesPerRow)
        }
    }
}
