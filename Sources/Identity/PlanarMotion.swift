import Foundation

/// How well one plane-to-plane projection (a homography) explains the motion of landmarks
/// between two views of a face.
///
/// A printed photo or a screen, however it is tilted or turned, moves as a plane: every
/// landmark of the second view is the first view's landmark under one homography, up to the
/// landmark detector's noise. A real head turning shows parallax — the nose tip moves across
/// the cheeks, the far jaw line slides behind the face — which no homography reproduces.
/// ``residual(from:to:scale:)`` fits the homography by least squares (normalised DLT,
/// Hartley and Zisserman §4.4) and returns the RMS transfer error over `scale`.
public enum PlanarMotion {
    /// RMS distance between `to` and `from` mapped by the best homography, divided by
    /// `scale` (e.g. the interocular distance of the `to` face). Needs ≥ 5 point pairs;
    /// returns `nil` for fewer or for degenerate input.
    public static func residual(from: [(x: Double, y: Double)], to: [(x: Double, y: Double)], scale: Double) -> Double? {
        guard from.count == to.count, from.count >= 5, scale > 0, let h = homography(from: from, to: to) else { return nil }
        var sum = 0.0
        for (p, q) in zip(from, to) {
            let w = h[6] * p.x + h[7] * p.y + h[8]
            guard abs(w) > 1e-12 else { return nil }
            let u = (h[0] * p.x + h[1] * p.y + h[2]) / w, v = (h[3] * p.x + h[4] * p.y + h[5]) / w
            sum += (u - q.x) * (u - q.x) + (v - q.y) * (v - q.y)
        }
        return (sum / Double(from.count)).squareRoot() / scale
    }

    /// The least-squares homography (row-major 3×3) mapping `from` onto `to`.
    static func homography(from: [(x: Double, y: Double)], to: [(x: Double, y: Double)]) -> [Double]? {
        guard let (a, ta) = normalise(from), let (b, tb) = normalise(to) else { return nil }
        // AᵀA of the 2n×9 DLT system, accumulated row by row.
        var ata = [Double](repeating: 0, count: 81)
        for (p, q) in zip(a, b) {
            let r1: [Double] = [-p.x, -p.y, -1, 0, 0, 0, q.x * p.x, q.x * p.y, q.x]
            let r2: [Double] = [0, 0, 0, -p.x, -p.y, -1, q.y * p.x, q.y * p.y, q.y]
            for i in 0..<9 {
                for j in 0..<9 { ata[i * 9 + j] += r1[i] * r1[j] + r2[i] * r2[j] }
            }
        }
        let hn = smallestEigenvector(ata, n: 9)
        // H = Tb⁻¹ · Hn · Ta
        let tbInv = invertSimilarity(tb)
        return multiply(multiply(tbInv, hn), ta)
    }

    /// Moves the points' centroid to the origin and scales their mean distance to √2; returns
    /// them with the 3×3 transform that did it.
    static func normalise(_ pts: [(x: Double, y: Double)]) -> ([(x: Double, y: Double)], [Double])? {
        let n = Double(pts.count)
        let cx = pts.reduce(0) { $0 + $1.x } / n, cy = pts.reduce(0) { $0 + $1.y } / n
        let mean = pts.reduce(0) { $0 + (($1.x - cx) * ($1.x - cx) + ($1.y - cy) * ($1.y - cy)).squareRoot() } / n
        guard mean > 1e-9 else { return nil }
        let s = 2.0.squareRoot() / mean
        return (pts.map { (x: ($0.x - cx) * s, y: ($0.y - cy) * s) }, [s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1])
    }

    static func invertSimilarity(_ t: [Double]) -> [Double] {
        let s = t[0]
        return [1 / s, 0, -t[2] / s, 0, 1 / s, -t[5] / s, 0, 0, 1]
    }

    static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { out[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j] } } }
        return out
    }

    /// Eigenvector of the smallest eigenvalue of the symmetric `n`×`n` matrix `m` (cyclic Jacobi).
    static func smallestEigenvector(_ m: [Double], n: Int) -> [Double] {
        var a = m
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<60 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<n { off += a[p * n + q] * a[p * n + q] } }
            if off < 1e-22 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where abs(a[p * n + q]) > 1e-300 {
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * a[p * n + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let smallest = (0..<n).min { a[$0 * n + $0] < a[$1 * n + $1] }!
        return (0..<n).map { v[$0 * n + smallest] }
    }
}
