import Dispatch
import Foundation

/// The gallery search FaceMatch had before the BLAS path (Gallery+Search.swift until this
/// benchmark): per query, a direct SIMD16 scan of squared distances over the contiguous
/// storage, split into `cores * 4` chunks run with `concurrentPerform`. Reproduced here (top-1
/// only) so the benchmark can report before/after in the same run on the same data.
enum BaselineSearch {
    static func nearest(_ base: UnsafePointer<Float>, rows: Int, query: UnsafePointer<Float>) -> (row: Int, distance: Float) {
        let chunks = min(ProcessInfo.processInfo.activeProcessorCount * 4, max(rows / 1024, 1))
        let best = BestSlots(count: chunks)
        let shared = Pointers(base: base, query: query)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = rows * chunk / chunks
            let upper = rows * (chunk + 1) / chunks
            var bestRow = -1
            var bestDistance = Float.infinity
            for row in lower..<upper {
                let d = squaredDistance(shared.query, shared.base + row * 128)
                if d < bestDistance { bestDistance = d; bestRow = row }
            }
            best.set(chunk, (bestRow, bestDistance))
        }
        let winner = best.all.min { ($0.1, $0.0) < ($1.1, $1.0) }!
        return (winner.0, winner.1.squareRoot())
    }

    /// The previous FaceDescriptor.squaredDistance: two SIMD16 accumulators over 128 floats.
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        var acc0 = SIMD16<Float>()
        var acc1 = SIMD16<Float>()
        let stride = MemoryLayout<SIMD16<Float>>.stride
        var offset = 0
        for _ in 0..<4 {
            let d0 = ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            let d1 = ra.loadUnaligned(fromByteOffset: offset + stride, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: offset + stride, as: SIMD16<Float>.self)
            acc0 += d0 * d0
            acc1 += d1 * d1
            offset += 2 * stride
        }
        return (acc0 + acc1).sum()
    }

    private struct Pointers: @unchecked Sendable {
        let base: UnsafePointer<Float>
        let query: UnsafePointer<Float>
    }

    private final class BestSlots: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [(Int, Float)]
        init(count: Int) { values = Array(repeating: (-1, .infinity), count: count) }
        func set(_ i: Int, _ v: (Int, Float)) { lock.lock(); values[i] = v; lock.unlock() }
        var all: [(Int, Float)] { lock.lock(); defer { lock.unlock() }; return values }
    }
}
