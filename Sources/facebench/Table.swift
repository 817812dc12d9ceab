import Foundation

/// The compact human-readable table printed before the JSON summary.
enum Table {
    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let gap = String(repeating: " ", count: max(0, width - s.count))
        return right ? gap + s : s + gap
    }

    static func line(_ cells: [(String, Int)]) -> String {
        cells.enumerated().map { i, cell in pad(cell.0, cell.1, right: i > 0 ? true : false) }.joined(separator: "  ")
    }

    static func print(_ s: Summary) {
        let env = s.environment
        Swift.print("""

        facebench — FaceMatch (Swift + dlib shim) vs Python face_recognition / faiss-cpu, same run
        cpus \(env["cpus"] ?? "?"), build: \(env["build"] ?? "?"), BLAS: \(env["blas"] ?? "?")
        python \(env["python_python"] ?? "?"), face_recognition \(env["python_face_recognition"] ?? "?"), dlib-bin \(env["python_dlib-bin"] ?? "?") (AVX \(env["python_dlib_avx"] ?? "?")), faiss-cpu \(env["python_faiss-cpu"] ?? "?")
        shared machine: at start \(env["machine_load_at_start"] ?? "?"); at end \(env["machine_load_at_end"] ?? "?")
        """)
        if let rows = s.throughput {
            Swift.print("\n1. Throughput, faces/s (best of rounds; HOG; ours detect = detect+landmarks, python embed = landmarks+descriptor)")
            Swift.print(line([("frame", 9), ("cores", 7), ("stage", 6), ("upsample", 8), ("ours", 8), ("python", 8), ("ours/py", 8)]))
            for r in rows {
                Swift.print(line([(r.resolution, 9), (r.mode, 7), (r.stage, 6), (String(r.upsample), 8),
                                  (fmt(r.oursFacesPerSecond), 8), (r.pythonFacesPerSecond.map { fmt($0) } ?? "-", 8),
                                  (r.ratio.map { fmt($0, 2) + "x" } ?? "-", 8)]))
            }
        }
        if let g = s.gallery {
            Swift.print("\n2. Gallery search: \(g.rows) x 128 Float32, \(g.queries) queries, top-1, ms per query (best of rounds)")
            Swift.print(line([("mode", 20), ("threads", 7), ("before", 8), ("ours", 8), ("faiss", 8), ("faiss-blas", 10),
                              ("ours/faiss", 10), ("top-1 identical", 16)]))
            for m in g.modes {
                Swift.print(line([(m.mode, 20), (String(m.threads), 7), (m.oursBeforeMillisecondsPerQuery.map { fmt($0, 2) } ?? "-", 8),
                                  (fmt(m.oursMillisecondsPerQuery, 2), 8), (fmt(m.faissDefaultMillisecondsPerQuery, 2), 8),
                                  (m.faissBLASMillisecondsPerQuery.map { fmt($0, 2) } ?? "-", 10), (fmt(m.timeRatio, 2) + "x", 10),
                                  (m.identicalTop1 ? "yes (\(g.queries)/\(g.queries))" : "NO (\(m.mismatches) differ)", 16)]))
            }
            Swift.print("   before = FaceMatch's previous search (direct SIMD scan per query); faiss = faiss-cpu \(g.faissVersion) defaults (blas threshold \(g.faissDefaultBLASThreshold)); faiss-blas = distance_compute_blas_threshold 20 (sgemm); ratio vs the faster faiss")
            Swift.print("   max |distance ours - faiss| over all top-1 results: \(String(format: "%.2e", g.maxDistanceDifference))")
        }
        if let clips = s.clip {
            Swift.print("\n3. Clip check: 10 s 1280x720 clip, 2 fps + last frame, \(clips.first?.engines ?? 0) engines, gallery of \(clips.first?.galleryEntries ?? 0) entries")
            Swift.print(line([("mode", 10), ("detect on", 10), ("upsample", 8), ("frames", 6), ("faces", 5), ("frames ok", 9),
                              ("median s", 8), ("best s", 7), ("decode", 7), ("det+emb", 7), ("match", 7)]))
            Swift.print("   (columns decode/det+emb/match: best round; pipelined: decode = until the last frame arrived, det+emb = analysis left after it)")
            for c in clips {
                let best = c.rounds.min { $0.total < $1.total }
                Swift.print(line([(c.mode, 10), ("max \(c.maxDimension)px", 10), (String(c.upsample), 8), (String(c.frames), 6), (String(c.faces), 5),
                                  ("\(c.framesWithExpectedFaces)/\(c.frames)", 9), (fmt(c.medianSeconds, 3), 8),
                                  (fmt(c.bestSeconds, 3), 7), (best.map { fmt($0.decode, 3) } ?? "-", 7),
                                  (best.map { fmt($0.detectEmbed, 3) } ?? "-", 7), (best.map { fmt($0.match, 3) } ?? "-", 7)]))
                for p in c.problems.prefix(5) { Swift.print("   ! \(p)") }
            }
        }
        Swift.print("\nTargets:")
        for (name, ok) in s.targets.sorted(by: { $0.key < $1.key }) {
            Swift.print("  [\(ok ? "met" : "MISSED")] \(name)")
        }
    }
}
