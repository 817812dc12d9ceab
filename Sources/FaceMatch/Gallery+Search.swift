import CDlib
import Dispatch
import Foundation

extension Gallery {
    /// Galleries with at least this many entries are searched on all cores.
    public static let defaultParallelThreshold = 16_384

    /// Below this many entries every query is a plain SIMD scan with exact distances.
    static let blasThreshold = 2_048
    /// Rows per BLAS block: 512 rows are 256 KB, which stays in a core's L2 cache together
    /// with the block of values (measured best among 128...4096 on a 1M gallery).
    static let blockRows = 512
    /// Queries per BLAS call (bounds the scratch block to 128 x 512 floats, 256 KB).
    static let queryGroup = 128

    /// The `k` entries nearest to `query`, nearest first; ties go to the earlier entry.
    ///
    /// Exact search; see ``nearest(toEach:k:parallelThreshold:)``.
    public func nearest(to query: FaceDescriptor, k: Int = 1,
                        parallelThreshold: Int = Gallery.defaultParallelThreshold) -> [GalleryMatch] {
        nearest(toEach: [query], k: k, parallelThreshold: parallelThreshold)[0]
    }

    /// The `k` nearest entries of every query (result `i` belongs to `queries[i]`), nearest
    /// first; ties go to the earlier entry. Searching many queries in one call is much
    /// faster than one call per query: each block of the gallery is read once for all of them.
    ///
    /// Exact search. Galleries below ``blasThreshold`` entries are scanned directly. Larger
    /// ones are scanned in blocks by the shim's kernels: one query with a SIMD kernel
    /// (`cdlib_squared_l2`, memory-bound), several with BLAS sgemm as `|x|^2 - 2 x.q` over
    /// the contiguous storage and the stored squared norms (`cdlib_partial_l2`). Every entry
    /// whose kernel value lies within a proven float rounding bound of the k-th best is kept
    /// as a candidate, and the candidates are ranked by ``FaceDescriptor``'s own squared
    /// distance — so results and distances are exactly those of a direct scan. From
    /// `parallelThreshold` entries on, the gallery is split into chunks searched on all cores
    /// with `DispatchQueue.concurrentPerform`.
    public func nearest(toEach queries: [FaceDescriptor], k: Int = 1,
                        parallelThreshold: Int = Gallery.defaultParallelThreshold) -> [[GalleryMatch]] {
        guard k > 0, count > 0, !queries.isEmpty else { return queries.map { _ in [] } }
        let dim = FaceDescriptor.dimension
        let rows = count
        var flat: [Float] = []
        flat.reserveCapacity(queries.count * dim)
        for query in queries { flat.append(contentsOf: query.values) }
        let slacks = Self.slacks(flat, queryCount: queries.count, maxSquaredNorm: maxSquaredNorm)
        let kernel: SearchKernel
        if rows < Self.blasThreshold || !slacks.allSatisfy(\.isFinite) {
            kernel = .swiftScan
        } else {
            kernel = queries.count == 1 ? .direct : .gemm
        }

        let ranked: [[Candidate]] = storage.withUnsafeBufferPointer { store in
            norms.withUnsafeBufferPointer { normBuffer in
                flat.withUnsafeBufferPointer { queryBuffer in
                    let input = SearchInput(base: store.baseAddress!, norms: normBuffer.baseAddress!,
                                            queries: queryBuffer.baseAddress!, queryCount: queries.count,
                                            k: k, slacks: slacks, kernel: kernel)
                    let chunks = rows >= parallelThreshold
                        ? min(ProcessInfo.processInfo.activeProcessorCount * 4, max(rows / Self.blockRows, 1)) : 1
                    var perChunk: [[[Candidate]]]
                    if chunks == 1 {
                        perChunk = [Self.search(input, rows: 0..<rows)]
                    } else {
                        let slots = ChunkResults(count: chunks)
                        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                            let lower = rows * chunk / chunks
                            let upper = rows * (chunk + 1) / chunks
                            slots.set(chunk, Self.search(input, rows: lower..<upper))
                        }
                        perChunk = slots.values
                    }
                    return (0..<queries.count).map { q in
                        Self.rank(perChunk.flatMap { $0[q] }, input: input, query: q)
                    }
                }
            }
        }
        return ranked.map { list in list.map { GalleryMatch(id: ids[$0.row], distance: $0.distance.squareRoot()) } }
    }

    /// Matches `query` against the gallery: `.match` when the nearest entry is closer than
    /// `threshold` (default 0.6), otherwise `.noMatch` with the nearest entry.
    public func decide(_ query: FaceDescriptor,
                       threshold: Float = FaceDescriptor.defaultThreshold) -> GalleryDecision {
        decide(each: [query], threshold: threshold)[0]
    }

    /// ``decide(_:threshold:)`` for many queries in one search (result `i` is `queries[i]`'s).
    public func decide(each queries: [FaceDescriptor],
                       threshold: Float = FaceDescriptor.defaultThreshold) -> [GalleryDecision] {
        nearest(toEach: queries, k: 1).map { found in
            guard let best = found.first else { return .noMatch(nearest: nil) }
            return best.distance < threshold ? .match(best) : .noMatch(nearest: best)
        }
    }

    // MARK: - Implementation

    /// Per query, how far above the k-th best kernel value a candidate may lie and still be
    /// among the true k nearest. Kernel values (`|x - q|^2`, or `|x|^2 - 2 x.q` up to the
    /// per-query constant `|q|^2`; any summation order) and ``FaceDescriptor``'s distances
    /// each differ from the exact value by at most `γ (|x| + |q|)^2` with `γ = n u / (1 - n u)`
    /// (u = 2^-24, n = 128 terms plus a few operations; 140 is used), so they differ from
    /// each other by at most `tol = 2 γ (|x| + |q|)^2`, and every true top-k entry lies
    /// within `2 tol` of the k-th best kernel value.
    static func slacks(_ flat: [Float], queryCount: Int, maxSquaredNorm: Float) -> [Float] {
        let u = Float(1) / Float(1 << 24)
        let gamma = 140 * u / (1 - 140 * u)
        let maxNorm = maxSquaredNorm.squareRoot()
        return flat.withUnsafeBufferPointer { buffer in
            (0..<queryCount).map { q in
                let norm = FaceDescriptor.squaredNorm(buffer.baseAddress! + q * FaceDescriptor.dimension).squareRoot()
                let bound = 4 * gamma * (maxNorm + norm) * (maxNorm + norm)
                // Huge components can overflow the BLAS values; such galleries are scanned directly.
                return maxSquaredNorm < 1e30 && bound < 1e30 ? bound : .infinity
            }
        }
    }

    /// Searches `rows` for every query; returns candidates per query (exact distances from
    /// the Swift scan, kernel values otherwise).
    static func search(_ input: SearchInput, rows: Range<Int>) -> [[Candidate]] {
        let dim = FaceDescriptor.dimension
        guard input.kernel != .swiftScan else {
            return (0..<input.queryCount).map { q in
                scan(input.base, rows: rows, query: input.queries + q * dim, k: input.k).items
            }
        }
        var tops = (0..<input.queryCount).map { SlackTopK(capacity: input.k, slack: input.slacks[$0]) }
        // The direct kernel takes one query per call.
        let groupSize = input.kernel == .direct ? 1 : min(input.queryCount, queryGroup)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: groupSize * blockRows)
        let minima = UnsafeMutablePointer<Float>.allocate(capacity: groupSize)
        defer {
            scratch.deallocate()
            minima.deallocate()
        }
        var start = rows.lowerBound
        while start < rows.upperBound {
            let n = min(blockRows, rows.upperBound - start)
            var group = 0
            while group < input.queryCount {
                let size = min(groupSize, input.queryCount - group)
                let status = input.kernel == .direct
                    ? cdlib_squared_l2(input.queries + group * dim, input.base + start * dim, Int32(n), Int32(dim),
                                       scratch, minima)
                    : cdlib_partial_l2(input.queries + group * dim, Int32(size), input.base + start * dim,
                                       input.norms + start, Int32(n), Int32(dim), scratch, minima)
                precondition(status == Int32(CDLIB_OK.rawValue), "gallery kernel rejected valid arguments")
                for i in 0..<size {
                    // Most blocks hold nothing better than the current k-th: the block minimum decides.
                    guard minima[i] <= tops[group + i].threshold else { continue }
                    let values = scratch + i * n
                    for j in 0..<n where values[j] <= tops[group + i].threshold {
                        tops[group + i].offer(Candidate(distance: values[j], row: start + j))
                    }
                }
                group += size
            }
            start += n
        }
        return tops.map(\.items)
    }

    /// The final top-k of one query from the candidates of all chunks.
    static func rank(_ candidates: [Candidate], input: SearchInput, query q: Int) -> [Candidate] {
        let byDistance: (Candidate, Candidate) -> Bool = { ($0.distance, $0.row) < ($1.distance, $1.row) }
        guard input.kernel != .swiftScan else { return Array(candidates.sorted(by: byDistance).prefix(input.k)) }
        let dim = FaceDescriptor.dimension
        let approximate = candidates.map(\.distance).sorted()
        guard !approximate.isEmpty else { return [] }
        let limit = approximate[min(input.k, approximate.count) - 1] + input.slacks[q]
        let exact = candidates.filter { $0.distance <= limit }.map { c in
            Candidate(distance: FaceDescriptor.squaredDistance(input.queries + q * dim, input.base + c.row * dim), row: c.row)
        }
        return Array(exact.sorted(by: byDistance).prefix(input.k))
    }

    /// Scans `rows` of `base` and keeps the `k` smallest squared distances.
    static func scan(_ base: UnsafePointer<Float>, rows: Range<Int>, query: UnsafePointer<Float>, k: Int) -> TopK {
        var top = TopK(capacity: k)
        let dim = FaceDescriptor.dimension
        for row in rows {
            let d = FaceDescriptor.squaredDistance(query, base + row * dim)
            if d < top.worst { top.offer(Candidate(distance: d, row: row)) }
        }
        return top
    }
}

/// A squared distance (or kernel value) and the storage row it belongs to.
struct Candidate {
    /// Squared euclidean distance, or the kernel's value before re-ranking.
    var distance: Float
    /// Row in the gallery's storage.
    var row: Int
}

/// The `capacity` best candidates seen so far, sorted by (distance, row).
struct TopK {
    let capacity: Int
    private(set) var items: [Candidate] = []

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(min(capacity, 1024))
    }

    /// The distance a new candidate must beat once the list is full.
    var worst: Float { items.count < capacity ? .infinity : items[items.count - 1].distance }

    /// Inserts `candidate` if it belongs among the best; rows arrive in increasing order, so
    /// inserting after equal distances keeps the earlier row first.
    mutating func offer(_ candidate: Candidate) {
        if items.count == capacity {
            guard candidate.distance < items[items.count - 1].distance else { return }
            items.removeLast()
        }
        var position = items.count
        while position > 0 && items[position - 1].distance > candidate.distance { position -= 1 }
        items.insert(candidate, at: position)
    }
}

/// The `capacity` best candidates plus every candidate within `slack` of the `capacity`-th
/// best, sorted by (value, row): what may still be among the true top-k after re-ranking.
struct SlackTopK {
    let capacity: Int
    let slack: Float
    private(set) var items: [Candidate] = []

    init(capacity: Int, slack: Float) {
        self.capacity = capacity
        self.slack = slack
        items.reserveCapacity(min(capacity, 1024) + 4)
    }

    /// A candidate above this value can no longer be among the top `capacity`.
    var threshold: Float { items.count < capacity ? .infinity : items[capacity - 1].distance + slack }

    mutating func offer(_ candidate: Candidate) {
        guard candidate.distance <= threshold else { return }
        var position = items.count
        while position > 0 && items[position - 1].distance > candidate.distance { position -= 1 }
        items.insert(candidate, at: position)
        if items.count > capacity {
            let limit = items[capacity - 1].distance + slack
            while items.count > capacity && items[items.count - 1].distance > limit { items.removeLast() }
        }
    }
}

/// What every chunk of a search reads; pointers stay valid for the whole search.
struct SearchInput: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let norms: UnsafePointer<Float>
    let queries: UnsafePointer<Float>
    let queryCount: Int
    let k: Int
    let slacks: [Float]
    let kernel: SearchKernel
}

/// How distances are computed during a search.
enum SearchKernel: Sendable {
    /// Swift SIMD scan with ``FaceDescriptor``'s exact distances (small galleries).
    case swiftScan
    /// `cdlib_squared_l2`, one query per call, then re-ranking.
    case direct
    /// `cdlib_partial_l2` (BLAS sgemm) for a group of queries, then re-ranking.
    case gemm
}

/// Per-chunk results written by concurrent workers, each slot once.
private final class ChunkResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[[Candidate]]]

    init(count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ chunk: Int, _ value: [[Candidate]]) {
        lock.lock()
        slots[chunk] = value
        lock.unlock()
    }

    var values: [[[Candidate]]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}
