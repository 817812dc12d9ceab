#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The stages after the downsample, each matching the reference (pdq/cpp/hashing/pdqhashing.cpp)
/// in its float arithmetic and evaluation order, so hashes agree bit for bit.
extension PDQHasher {
    /// The reference's `dct_matrix_64`: 16 rows × 64 columns, row-major, entry (i, j) =
    /// √(2/64) · cos(π/128 · (i+1) · (2j+1)), computed in double and stored as float.
    /// Row 0 of the full DCT (the mean) is skipped: PDQ keeps frequencies 1…16.
    static let dctMatrix: [Float] = {
        let scale = Double(Float((2.0 / 64.0).squareRoot()))
        var m = [Float](repeating: 0, count: 16 * 64)
        for i in 0..<16 {
            for j in 0..<64 {
                m[i * 64 + j] = Float(scale * cos((Double.pi / 2.0 / 64.0) * Double(i + 1) * Double(2 * j + 1)))
            }
        }
        return m
    }()

    /// `dctMatrix` transposed into 64 vectors: `dctColumns[k][j]` = entry (j, k).
    static let dctColumns: [SIMD16<Float>] = (0..<64).map { k in
        var v = SIMD16<Float>()
        for j in 0..<16 { v[j] = dctMatrix[j * 64 + k] }
        return v
    }

    /// The reference's `dct64To16`: B = D · A · Dᵀ for the 64×64 row-major `a`, giving the
    /// 16×16 row-major low-frequency block. Each output sums its 64 products from k = 0 up,
    /// one float accumulator per output, exactly as the reference does; the vectors only run
    /// independent outputs side by side.
    static func dct64To16(_ a: UnsafePointer<Float>) -> [Float] {
        var t = [SIMD8<Float>](repeating: .zero, count: 16 * 8)  // D·A, 16×64
        let araw = UnsafeRawPointer(a)
        for i in 0..<16 {
            var acc = (SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero,
                       SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero, SIMD8<Float>.zero)
            for k in 0..<64 {
                let d = SIMD8<Float>(repeating: dctMatrix[i * 64 + k])
                let row = k * 256
                acc.0 += d * araw.loadUnaligned(fromByteOffset: row, as: SIMD8<Float>.self)
                acc.1 += d * araw.loadUnaligned(fromByteOffset: row + 32, as: SIMD8<Float>.self)
                acc.2 += d * araw.loadUnaligned(fromByteOffset: row + 64, as: SIMD8<Float>.self)
                acc.3 += d * araw.loadUnaligned(fromByteOffset: row + 96, as: SIMD8<Float>.self)
                acc.4 += d * araw.loadUnaligned(fromByteOffset: row + 128, as: SIMD8<Float>.self)
                acc.5 += d * araw.loadUnaligned(fromByteOffset: row + 160, as: SIMD8<Float>.self)
                acc.6 += d * araw.loadUnaligned(fromByteOffset: row + 192, as: SIMD8<Float>.self)
                acc.7 += d * araw.loadUnaligned(fromByteOffset: row + 224, as: SIMD8<Float>.self)
            }
            t[i * 8] = acc.0; t[i * 8 + 1] = acc.1; t[i * 8 + 2] = acc.2; t[i * 8 + 3] = acc.3
            t[i * 8 + 4] = acc.4; t[i * 8 + 5] = acc.5; t[i * 8 + 6] = acc.6; t[i * 8 + 7] = acc.7
        }
        var b = [Float](repeating: 0, count: 256)
        for i in 0..<16 {
            var acc = SIMD16<Float>.zero
            for k in 0..<64 {
                acc += SIMD16<Float>(repeating: t[i * 8 + k / 8][k % 8]) * dctColumns[k]
            }
            for j in 0..<16 { b[i * 16 + j] = acc[j] }
        }
        return b
    }

    /// The reference's `pdqImageDomainQualityMetric`: the sum of vertical and horizontal
    /// neighbour differences of the 64×64 downsample, each scaled to percent of 255 and
    /// truncated to an int, divided by 90 and capped at 100. Flat images score near 0.
    static func quality(_ a: UnsafePointer<Float>) -> Int {
        var gradientSum = 0
        for i in 0..<63 {
            for j in 0..<64 {
                gradientSum += abs(Int(((a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100) / 255))
            }
        }
        for i in 0..<64 {
            for j in 0..<63 {
                gradientSum += abs(Int(((a[i * 64 + j] - a[i * 64 + j + 1]) * 100) / 255))
            }
        }
        return min(100, gradientSum / 90)
    }

    /// The reference's `pdqBuffer16x16ToBits`: bit `k` is set when coefficient `k` of the
    /// row-major 16×16 block is strictly above the median. The median is what the reference's
    /// Torben routine returns for 256 values: the 128th smallest.
    static func threshold(_ block: [Float]) -> PDQHash {
        let median = block.sorted()[127]
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        for k in 0..<64 where block[k] > median { w.0 |= 1 << UInt64(k) }
        for k in 0..<64 where block[64 + k] > median { w.1 |= 1 << UInt64(k) }
        for k in 0..<64 where block[128 + k] > median { w.2 |= 1 << UInt64(k) }
        for k in 0..<64 where block[192 + k] > median { w.3 |= 1 << UInt64(k) }
        return PDQHash(words: w)
    }
}
