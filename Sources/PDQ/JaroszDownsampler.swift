/// A borrowed view of interleaved 8-bit RGB pixels (3 bytes per pixel, rows `bytesPerRow` apart).
struct RGBImage {
    let base: UnsafePointer<UInt8>
    let width: Int
    let height: Int
    let bytesPerRow: Int
}

/// PDQ's luma downsample to 64×64, bit-identical to the reference's
/// `fillFloatLumaFromRGB` → `jaroszFilterFloat` (two rounds of a box filter along rows, then
/// down columns) → `decimateFloat` (pick the pixel at each of 64×64 cell centres).
///
/// The reference filters the whole image four times with strided column passes. This does the
/// same arithmetic in a cache-friendly order: rows are filtered eight at a time in SIMD lanes,
/// columns are filtered as a running sum per column while streaming rows, and the last two
/// passes only divide and store at the 64 sampled columns and rows (their running sums still
/// see every pixel, in the reference's order, so the results are the same floats).
enum JaroszDownsampler {
    /// Luma weights as the reference declares them: `const float c = 0.299;` (a double
    /// literal rounded to float).
    static let lumaR = Float(0.299 as Double)
    static let lumaG = Float(0.587 as Double)
    static let lumaB = Float(0.114 as Double)

    /// `lumaTable[256 * channel + v]` = weight × v: the reference's float products, looked up
    /// instead of converted and multiplied per pixel (same values, so the same sums).
    static let lumaTable: [Float] = [lumaR, lumaG, lumaB].flatMap { weight in
        (0..<256).map { weight * Float($0) }
    }

    /// The 64 source indices the reference's `decimateFloat` samples along an axis of `length`.
    static func samples(_ length: Int) -> [Int] {
        (0..<64).map { Int(((Double($0) + 0.5) * Double(length)) / 64) }
    }

    /// Writes the reference's 64×64 row-major downsample of `image` to `out`.
    static func downsample(_ image: RGBImage, into out: UnsafeMutablePointer<Float>) {
        let w = image.width, h = image.height
        if w == 64 && h == 64 {
            // The reference skips filtering exactly at 64×64 (a window of 1 is not an identity
            // in float arithmetic, so this is not an optimisation but a behaviour).
            for r in 0..<64 {
                let row = image.base + r * image.bytesPerRow
                for c in 0..<64 {
                    out[r * 64 + c] = luma(row + 3 * c)
                }
            }
            return
        }
        let across = BoxWindow(pdqLength: w), down = BoxWindow(pdqLength: h)
        let acrossDivisors = across.divisors.map { SIMD8<Float>(repeating: $0) }
        let sampleColumns = samples(w), sampleRows = samples(h)

        let filtered = UnsafeMutablePointer<Float>.allocate(capacity: w * h)
        let columnSums = UnsafeMutablePointer<Float>.allocate(capacity: max(w, 64))  // pass 4 is 64 wide
        let narrow = UnsafeMutablePointer<Float>.allocate(capacity: h * 64)
        let lanes = LaneBuffer(count: w), sums = LaneBuffer(count: w)
        // A raw copy of the table keeps bounds checks and retains out of the per-pixel loop.
        let table = UnsafeMutablePointer<Float>.allocate(capacity: 768)
        table.initialize(from: lumaTable, count: 768)
        defer {
            table.deallocate()
            filtered.deallocate(); columnSums.deallocate(); narrow.deallocate()
            lanes.deallocate(); sums.deallocate()
        }

        // Pass 1: luma, then box along rows, eight rows per set of SIMD lanes.
        for r0 in stride(from: 0, to: h, by: 8) {
            let n = min(8, h - r0)
            if n < 8 { lanes.zero() }
            for l in 0..<n {
                let row = image.base + (r0 + l) * image.bytesPerRow
                for c in 0..<w {
                    let p = row + 3 &* c
                    lanes[c, lane: l] = table[Int(p[0])] + table[256 &+ Int(p[1])] + table[512 &+ Int(p[2])]
                }
            }
            across.runningSums(lanes, into: sums)
            for c in 0..<w {
                sums[c] = sums[c] / acrossDivisors[c]
            }
            for l in 0..<n {
                let dst = filtered + (r0 + l) * w
                for c in 0..<w {
                    dst[c] = sums[c, lane: l]
                }
            }
        }

        // Passes 2 and 3: box down columns, streaming each output row into a lane; every eight
        // rows, box along rows and keep only the sampled columns.
        var rowDivisors = SIMD8<Float>(repeating: 1)
        down.columnSums(filtered, width: w, sums: columnSums) { i in
            let l = i & 7
            rowDivisors[l] = Float(down.count(i))
            for c in 0..<w {
                lanes[c, lane: l] = columnSums[c]
            }
            guard l == 7 || i == h - 1 else { return }
            for c in 0..<w {
                lanes[c] = lanes[c] / rowDivisors
            }
            across.runningSums(lanes, into: sums)
            for k in 0...l {
                let dst = narrow + (i - l + k) * 64
                for j in 0..<64 {
                    let c = sampleColumns[j]
                    dst[j] = sums[c, lane: k] / acrossDivisors[c][0]
                }
            }
        }

        // Pass 4: box down the 64 kept columns, storing only the sampled rows.
        var next = 0
        down.columnSums(narrow, width: 64, sums: columnSums) { i in
            while next < 64 && sampleRows[next] == i {
                let divisor = Float(down.count(i))
                for j in 0..<64 {
                    out[next * 64 + j] = columnSums[j] / divisor
                }
                next += 1
            }
        }
    }

    /// The reference's float luma of the RGB pixel at `p`: `(0.299 R + 0.587 G) + 0.114 B`.
    @inline(__always)
    static func luma(_ p: UnsafePointer<UInt8>) -> Float {
        lumaR * Float(p[0]) + lumaG * Float(p[1]) + lumaB * Float(p[2])
    }
}
