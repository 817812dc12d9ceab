import Dispatch
import Foundation

extension Gallery {
    /// Galleries with at least this many entries are searched on all cores.
    public static let defaultParallelThreshold = 16_384

    /// The `k` entries nearest to `query`, nearest first; ties go to the earlier entry.
    ///
    /// Exact search: every entry is compared, 16 lanes at a time. From `parallelThreshold`
    /// entries on, the scan is split into chunks run with `DispatchQueue.concurrentPerform`
    /// and their partial top-k lists are merged.
    public func nearest(to query: FaceDescriptor, k: Int = 1,
                        parallelThreshold: Int = Gallery.defaultParallelThreshold) -> [GalleryMatch] {
        guard k > 0, count > 0 else { return [] }
        let rows = count
        let candidates: [Candidate] = storage.withUnsafeBufferPointer { store in
            query.values.withUnsafeBufferPointer { q in
                let base = store.baseAddress!
                let queryBase = q.baseAddress!
                guard rows >= parallelThreshold else {
                    return Self.scan(base, rows: 0..<rows, query: queryBase, k: k).items
                }
                let chunks = min(ProcessInfo.processInfo.activeProcessorCount * 4, max(rows / 1024, 1))
                let partials = UnsafeMutableBufferPointer<TopK>.allocate(capacity: chunks)
                defer { partials.deallocate() }
                let shared = SharedScan(base: base, query: queryBase, partials: partials)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let lower = rows * chunk / chunks
                    let upper = rows * (chunk + 1) / chunks
                    let result = Self.scan(shared.base, rows: lower..<upper, query: shared.query, k: k)
                    (shared.partials.baseAddress! + chunk).initialize(to: result)
                }
                var merged: [Candidate] = []
                for chunk in 0..<chunks { merged.append(contentsOf: partials[chunk].items) }
                _ = partials.deinitialize()
                merged.sort { ($0.distance, $0.row) < ($1.distance, $1.row) }
                return Array(merged.prefix(k))
            }
        }
        return candidates.map { GalleryMatch(id: ids[$0.row], distance: $0.distance.squareRoot()) }
    }

    /// Matches `query` against the gallery: `.match` when the nearest entry is closer than
    /// `threshold` (default 0.6), otherwise `.noMatch` with the nearest entry.
    public func decide(_ query: FaceDescriptor,
                       threshold: Float = FaceDescriptor.defaultThreshold) -> GalleryDecision {
        guard let best = nearest(to: query, k: 1).first else { return .noMatch(nearest: nil) }
        return best.distance < threshold ? .match(best) : .noMatch(nearest: best)
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

/// A squared distance and the storage row it belongs to.
struct Candidate {
    /// Squared euclidean distance.
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

/// Pointers shared read-only by the parallel scan; each chunk writes only its own slot.
private struct SharedScan: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let query: UnsafePointer<Float>
    let partials: UnsafeMutableBufferPointer<TopK>
}
