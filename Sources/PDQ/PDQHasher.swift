/// Computes Meta's PDQ perceptual hash of an image, bit-identical to the reference C++
/// (ThreatExchange `pdq/cpp`, `pdqHash256FromFloatLuma` after `fillFloatLumaFromRGB`) on the
/// same RGB bytes.
///
/// Steps: RGB → float luma (0.299, 0.587, 0.114) → Jarosz filter (two rounds of box filters
/// ⌈width/128⌉ and ⌈height/128⌉ wide) and decimation to 64×64 → quality metric → 16×16 DCT
/// (frequencies 1…16) → one bit per coefficient above the median.
///
/// Pure and thread-safe; allocates about 4 bytes per pixel of scratch per call. Decoding,
/// EXIF orientation and alpha are the caller's business: pass the pixels as they should be seen.
public enum PDQHasher {
    /// Images narrower or shorter than this hash to `PDQHash.zero` with quality 0, as in the
    /// reference.
    public static let minimumDimension = 5

    /// Hashes interleaved 8-bit RGB pixels (3 bytes per pixel, row-major, top row first).
    ///
    /// - Parameters:
    ///   - rgb: the pixels; exactly `width * height * 3` bytes unless `bytesPerRow` is given,
    ///     then at least `bytesPerRow * (height - 1) + width * 3`.
    ///   - width: pixels per row, ≥ 1.
    ///   - height: rows, ≥ 1.
    ///   - bytesPerRow: distance between row starts (≥ `width * 3`) for padded frames.
    /// - Returns: the hash and the reference's quality score, 0…100 (below ~50 the hash of a
    ///   flat or featureless image is not meaningful; Meta suggests ignoring such hashes).
    /// - Throws: `PDQError` `pdq_invalid_image` when the sizes do not describe the buffer.
    public static func hash(
        rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bytesPerRow: Int? = nil
    ) throws -> (hash: PDQHash, quality: Int) {
        let image = try validate(rgb, width: width, height: height, bytesPerRow: bytesPerRow)
        guard let (block, quality) = lowFrequencies(image) else { return (.zero, 0) }
        return (threshold(block), quality)
    }

    /// Hashes interleaved 8-bit RGB pixels held in an array; see `hash(rgb:width:height:bytesPerRow:)`.
    public static func hash(
        rgb: [UInt8], width: Int, height: Int, bytesPerRow: Int? = nil
    ) throws -> (hash: PDQHash, quality: Int) {
        try rgb.withUnsafeBufferPointer { try hash(rgb: $0, width: width, height: height, bytesPerRow: bytesPerRow) }
    }

    /// The 16×16 DCT block and quality, or nil for images below `minimumDimension`.
    static func lowFrequencies(_ image: RGBImage) -> (block: [Float], quality: Int)? {
        guard image.width >= minimumDimension, image.height >= minimumDimension else { return nil }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: 64 * 64) { buffer in
            let small = buffer.baseAddress!
            JaroszDownsampler.downsample(image, into: small)
            return (dct64To16(small), quality(small))
        }
    }

    /// Checks that the dimensions describe `rgb` and returns a view of it.
    static func validate(
        _ rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int, bytesPerRow: Int?
    ) throws -> RGBImage {
        guard width >= 1, height >= 1 else {
            throw PDQError.invalidImage("image must be at least 1×1, got \(width)×\(height)")
        }
        let (rowBytes, o1) = width.multipliedReportingOverflow(by: 3)
        let stride = bytesPerRow ?? rowBytes
        guard !o1, stride >= rowBytes else {
            throw PDQError.invalidImage("bytesPerRow \(stride) is less than width×3 for width \(width)")
        }
        let (lastRow, o2) = stride.multipliedReportingOverflow(by: height - 1)
        let (needed, o3) = lastRow.addingReportingOverflow(rowBytes)
        guard !o2, !o3 else {
            throw PDQError.invalidImage("image of \(width)×\(height) is too large")
        }
        if bytesPerRow == nil, rgb.count != needed {
            throw PDQError.invalidImage("RGB \(width)×\(height) needs \(needed) bytes, got \(rgb.count)")
        }
        if bytesPerRow != nil, rgb.count < needed {
            throw PDQError.invalidImage("RGB \(width)×\(height) with \(stride) bytes per row needs \(needed) bytes, got \(rgb.count)")
        }
        guard let base = rgb.baseAddress else {
            throw PDQError.invalidImage("empty pixel buffer")
        }
        return RGBImage(base: base, width: width, height: height, bytesPerRow: stride)
    }
}
