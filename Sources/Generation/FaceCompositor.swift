/// Draws a face chip into a frame: bilinear scaling to the target box and a soft elliptical
/// alpha mask (opaque inside `innerRadius` of the inscribed ellipse, fading linearly in r² to
/// transparent at its edge). No rotation, so an upright chip stays upright.
enum FaceCompositor {
    /// Fraction of the ellipse radius that is fully opaque.
    static let innerRadius = 0.8

    /// Composites `face` scaled to `box` into an RGB24 frame of `width` × `height` pixels.
    /// Parts of the box outside the frame are skipped (paths never produce them).
    static func composite(_ face: RGBFace, box: PixelBox, into frame: UnsafeMutablePointer<UInt8>,
                          width: Int, height: Int) {
        let (bw, bh, sw, sh) = (box.width, box.height, face.width, face.height)
        guard bw > 0, bh > 0 else { return }
        let fullyOpaque = Float(innerRadius * innerRadius)
        let fadeScale = 256 / (1 - fullyOpaque)

        // Per column: source byte offsets of the two taps, the 8-bit weight of the right
        // tap, and the squared normalized ellipse coordinate; likewise per row.
        var col0 = [Int](repeating: 0, count: bw), col1 = col0, colW = col0
        var colR = [Float](repeating: 0, count: bw)
        for i in 0..<bw {
            let (o0, o1, w) = taps(i, dst: bw, src: sw)
            (col0[i], col1[i], colW[i]) = (o0 * 3, o1 * 3, w)
            let n = (Float(i) + 0.5 - Float(bw) / 2) / (Float(bw) / 2)
            colR[i] = n * n
        }
        let rowStride = sw * 3
        face.pixels.withUnsafeBufferPointer { src in
            let s = src.baseAddress!
            for j in 0..<bh {
                let fy = box.y + j
                guard fy >= 0, fy < height else { continue }
                let (r0, r1, wy) = taps(j, dst: bh, src: sh)
                let n = (Float(j) + 0.5 - Float(bh) / 2) / (Float(bh) / 2)
                let rowR = n * n
                guard rowR < 1 else { continue }
                let top = s + r0 * rowStride, bottom = s + r1 * rowStride
                let out = frame + (fy * width) * 3
                for i in 0..<bw {
                    let fx = box.x + i
                    guard fx >= 0, fx < width else { continue }
                    let r2 = rowR + colR[i]
                    guard r2 < 1 else { continue }
                    let alpha = r2 <= fullyOpaque ? 256 : Int((1 - r2) * fadeScale)
                    let (a, b, wx) = (col0[i], col1[i], colW[i])
                    let d = out + fx * 3
                    for c in 0..<3 {
                        let upper = Int(top[a + c]) * (256 - wx) + Int(top[b + c]) * wx
                        let lower = Int(bottom[a + c]) * (256 - wx) + Int(bottom[b + c]) * wx
                        let value = (upper * (256 - wy) + lower * wy) >> 16
                        d[c] = UInt8(truncatingIfNeeded: (value * alpha + Int(d[c]) * (256 - alpha)) >> 8)
                    }
                }
            }
        }
    }

    /// Bilinear taps for destination index `i` of `dst` samples over `src` samples, with
    /// pixel centres aligned: the two source indices and the second tap's weight in 0…256.
    static func taps(_ i: Int, dst: Int, src: Int) -> (Int, Int, Int) {
        let position = max(0, (Double(i) + 0.5) * Double(src) / Double(dst) - 0.5)
        let i0 = min(src - 1, Int(position))
        let i1 = min(src - 1, i0 + 1)
        let weight = Int(((position - Double(i0)) * 256).rounded())
        return (i0, i1, min(256, weight))
    }
}
