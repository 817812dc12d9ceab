import FaceMatch
import Foundation

/// Section 2: exact top-1 search over 1M random 128-D Float32 vectors, ours vs faiss-cpu
/// IndexFlatL2, on the same vectors (written to disk by us, loaded by the peer).
enum GallerySearch {
    static let seed: UInt64 = 0x0CA3_E0F5_2024_0005
    static let dimension = FaceDescriptor.dimension

    struct PeerRun: Decodable {
        let mode: String          // "single" (one call per query) or "batch" (one call)
        let threads: Int
        let blas_threshold: Int
        let rounds: [Double]
        let ids: [Int]
        let distances: [Double]
    }

    struct PeerResult: Decodable {
        let rows: Int
        let queries: Int
        let faiss_version: String
        let omp_threads: Int
        let default_blas_threshold: Int
        let add_seconds: Double
        let runs: [PeerRun]
    }

    /// One line of the table: a call pattern and a thread count.
    struct Mode: Codable {
        let mode: String
        let threads: Int
        /// The previous implementation (direct scan per query; it had no batched call).
        let oursBeforeMillisecondsPerQuery: Double?
        let oursMillisecondsPerQuery: Double
        /// faiss with its default settings.
        let faissDefaultMillisecondsPerQuery: Double
        /// faiss with distance_compute_blas_threshold = 20 (sgemm), batched calls only.
        let faissBLASMillisecondsPerQuery: Double?
        /// ours / the faster faiss configuration; the target is <= 1.2.
        let timeRatio: Double
        /// Our top-1 ids equal those of every faiss configuration of this mode.
        let identicalTop1: Bool
        let mismatches: Int
        let oursRounds: [Double]
    }

    struct Report: Codable {
        let rows: Int
        let queries: Int
        let seed: String
        let distribution: String
        let faissVersion: String
        let faissThreads: Int
        let faissDefaultBLASThreshold: Int
        let modes: [Mode]
        let maxDistanceDifference: Double
    }

    /// The data set: `rows` gallery vectors, `queries` query vectors (half are gallery rows plus
    /// small noise, i.e. re-seen enrolled faces; half are fresh random vectors).
    struct Data {
        let vectors: [Float]
        let queries: [Float]
        let rows: Int
        let queryCount: Int
    }

    static func makeData(rows: Int, queries: Int) -> Data {
        var rng = SplitMix64(seed: seed)
        var vectors = [Float](repeating: 0, count: rows * dimension)
        for i in vectors.indices { vectors[i] = rng.nextUnitFloat() * 0.25 }
        var q = [Float](repeating: 0, count: queries * dimension)
        for i in 0..<queries {
            if i % 2 == 0 {
                let row = Int(rng.next() % UInt64(rows))
                for j in 0..<dimension { q[i * dimension + j] = vectors[row * dimension + j] + rng.nextUnitFloat() * 0.05 }
            } else {
                for j in 0..<dimension { q[i * dimension + j] = rng.nextUnitFloat() * 0.25 }
            }
        }
        return Data(vectors: vectors, queries: q, rows: rows, queryCount: queries)
    }

    /// Writes little-endian Float32 rows (`numpy.fromfile(path, "<f4").reshape(-1, 128)`).
    static func write(_ values: [Float], to url: URL) throws {
        try values.withUnsafeBufferPointer { try Foundation.Data(buffer: $0).write(to: url) }
    }

    /// A gallery with ids "0", "1", ... in row order (so ids equal faiss row numbers).
    static func makeGallery(_ data: Data) throws -> Gallery {
        var gallery = Gallery()
        for row in 0..<data.rows {
            let start = row * dimension
            try gallery.add(id: String(row), descriptor: FaceDescriptor(Array(data.vectors[start..<start + dimension])))
        }
        return gallery
    }

    static func queryDescriptors(_ data: Data) throws -> [FaceDescriptor] {
        try (0..<data.queryCount).map { i in
            try FaceDescriptor(Array(data.queries[i * dimension..<(i + 1) * dimension]))
        }
    }

    static func run(gallery: Gallery, data: Data, queries: [FaceDescriptor], vectorsURL: URL, queriesURL: URL,
                    peer: Peer, rounds: Int) throws -> Report {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let perQuery = { (seconds: [Double]) in (seconds.min() ?? .nan) / Double(data.queryCount) * 1000 }
        let threadCounts = Array(Set([cores, 1])).sorted(by: >)

        // Our measurements, one round at a time; keyed by (threads, batched).
        struct Ours { var rounds: [Double] = []; var ids: [Int] = []; var distances: [Float] = [] }
        var ours: [String: Ours] = [:]
        var before = Ours()
        var faiss: [String: PeerRun] = [:]   // keyed by mode/threads/threshold, rounds merged
        var faissInfo: PeerResult?

        // Rounds alternate between faiss and ours so both see the same machine load.
        for round in 1...rounds {
            log("gallery round \(round)/\(rounds): faiss IndexFlatL2 (python peer)")
            let py = try peer.run(PeerResult.self, ["gallery", "--vectors", vectorsURL.path, "--queries", queriesURL.path,
                                                    "--rounds", "1"])
            guard py.rows == data.rows, py.queries == data.queryCount else {
                throw BenchError("peer loaded \(py.rows)x\(py.queries), expected \(data.rows)x\(data.queryCount)")
            }
            faissInfo = py
            for run in py.runs {
                let key = "\(run.mode)/\(run.threads)/\(run.blas_threshold)"
                let earlier = faiss[key]?.rounds ?? []
                faiss[key] = PeerRun(mode: run.mode, threads: run.threads, blas_threshold: run.blas_threshold,
                                     rounds: earlier + run.rounds, ids: run.ids, distances: run.distances)
            }

            log("gallery round \(round)/\(rounds): ours before (previous direct-scan search), one call per query")
            data.vectors.withUnsafeBufferPointer { store in
                data.queries.withUnsafeBufferPointer { qs in
                    _ = BaselineSearch.nearest(store.baseAddress!, rows: data.rows, query: qs.baseAddress!)  // warm-up
                    var ids: [Int] = []
                    let start = now()
                    for q in 0..<data.queryCount {
                        ids.append(BaselineSearch.nearest(store.baseAddress!, rows: data.rows,
                                                          query: qs.baseAddress! + q * dimension).row)
                    }
                    before.rounds.append(now() - start)
                    before.ids = ids
                }
            }
            for threads in threadCounts {
                let threshold = threads == 1 ? Int.max : Gallery.defaultParallelThreshold
                for batched in [false, true] {
                    log("gallery round \(round)/\(rounds): ours, \(batched ? "all queries in one call" : "one call per query"), \(threads) thread(s)")
                    _ = gallery.nearest(toEach: Array(queries.prefix(batched ? 2 : 1)), k: 1, parallelThreshold: threshold)
                    let start = now()
                    let found: [GalleryMatch]
                    if batched {
                        found = gallery.nearest(toEach: queries, k: 1, parallelThreshold: threshold).map { $0[0] }
                    } else {
                        found = queries.map { gallery.nearest(to: $0, k: 1, parallelThreshold: threshold)[0] }
                    }
                    let seconds = now() - start
                    let key = "\(threads)/\(batched)"
                    var entry = ours[key] ?? Ours()
                    entry.rounds.append(seconds)
                    entry.ids = found.map { Int($0.id)! }
                    entry.distances = found.map(\.distance)
                    ours[key] = entry
                }
            }
        }
        guard let py = faissInfo else { throw BenchError("no gallery rounds ran") }

        var modes: [Mode] = []
        var maxDiff = 0.0
        for threads in threadCounts {
            for batched in [false, true] {
                guard let mine = ours["\(threads)/\(batched)"] else { continue }
                let faissRuns = faiss.values.filter { $0.mode == (batched ? "batch" : "single") && $0.threads == threads }
                guard let faissDefault = faissRuns.first(where: { $0.blas_threshold == py.default_blas_threshold }) else {
                    throw BenchError("peer has no faiss run for \(threads) threads")
                }
                let faissBLAS = batched ? faissRuns.first(where: { $0.blas_threshold != py.default_blas_threshold }) : nil
                let mismatches = faissRuns.map { run in zip(mine.ids, run.ids).filter { $0 != $1 }.count }.max() ?? data.queryCount
                for run in faissRuns {
                    maxDiff = max(maxDiff, zip(mine.distances, run.distances).map { abs(Double($0) - $1) }.max() ?? .nan)
                }
                let oursMs = perQuery(mine.rounds)
                let faissDefaultMs = perQuery(faissDefault.rounds)
                let faissBLASMs = faissBLAS.map { perQuery($0.rounds) }
                let best = min(faissDefaultMs, faissBLASMs ?? .infinity)
                let beforeMs = (!batched && threads == cores) ? perQuery(before.rounds) : nil
                if beforeMs != nil, before.ids != mine.ids { throw BenchError("previous and current search disagree on top-1") }
                modes.append(Mode(mode: batched ? "\(data.queryCount) queries per call" : "1 query per call",
                                  threads: threads, oursBeforeMillisecondsPerQuery: beforeMs,
                                  oursMillisecondsPerQuery: oursMs, faissDefaultMillisecondsPerQuery: faissDefaultMs,
                                  faissBLASMillisecondsPerQuery: faissBLASMs, timeRatio: oursMs / best,
                                  identicalTop1: mismatches == 0, mismatches: mismatches, oursRounds: mine.rounds))
            }
        }
        return Report(rows: data.rows, queries: data.queryCount, seed: String(format: "0x%016llx", seed),
                      distribution: "components uniform in [-0.25, 0.25) (24-bit); queries: even = random gallery row + uniform noise ±0.05, odd = fresh random",
                      faissVersion: py.faiss_version, faissThreads: py.omp_threads,
                      faissDefaultBLASThreshold: py.default_blas_threshold, modes: modes, maxDistanceDifference: maxDiff)
    }
}
