import Foundation

/// The JSON summary printed on stdout: the headline numbers only, one row per line (the full
/// report with every round goes to --json-out).
enum CompactJSON {
    struct ThroughputRow: Encodable {
        let frame: String, cores: Int, stage: String, upsample: Int
        let ours_faces_per_s: Double, python_faces_per_s: Double?, ratio_ours_over_python: Double?
    }

    struct GalleryRow: Encodable {
        let mode: String, threads: Int
        let before_ms_per_query: Double?, ours_ms_per_query: Double
        let faiss_ms_per_query: Double, faiss_blas_ms_per_query: Double?
        let ratio_ours_over_faiss: Double, identical_top1: Bool
    }

    struct ClipRow: Encodable {
        let mode: String, detect_max_dimension: Int, upsample: Int, engines: Int, gallery_entries: Int
        let frames: Int, faces: Int, frames_with_expected_faces: Int
        let median_s: Double, best_s: Double
    }

    /// Rounds to 4 significant digits so the summary stays readable.
    static func r(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value.isFinite ? 0 : -1 }
        let scale = pow(10, 3 - floor(log10(abs(value))))
        return (value * scale).rounded() / scale
    }

    static func render(_ s: Summary, detailsPath: String?) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func line<T: Encodable>(_ value: T) -> String { String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self) }
        var sections: [String] = []
        sections.append("  \"environment\": \(line(s.environment))")
        if let rows = s.throughput {
            let items = rows.map { row in
                line(ThroughputRow(frame: row.resolution, cores: row.mode.hasPrefix("1 ") ? 1 : Int(row.mode.prefix { $0.isNumber }) ?? 0,
                                   stage: row.stage, upsample: row.upsample, ours_faces_per_s: r(row.oursFacesPerSecond),
                                   python_faces_per_s: row.pythonFacesPerSecond.map(r), ratio_ours_over_python: row.ratio.map(r)))
            }
            sections.append("  \"throughput\": [\n    " + items.joined(separator: ",\n    ") + "\n  ]")
        }
        if let g = s.gallery {
            let items = g.modes.map { m in
                line(GalleryRow(mode: m.mode, threads: m.threads, before_ms_per_query: m.oursBeforeMillisecondsPerQuery.map(r),
                                ours_ms_per_query: r(m.oursMillisecondsPerQuery), faiss_ms_per_query: r(m.faissDefaultMillisecondsPerQuery),
                                faiss_blas_ms_per_query: m.faissBLASMillisecondsPerQuery.map(r), ratio_ours_over_faiss: r(m.timeRatio),
                                identical_top1: m.identicalTop1))
            }
            sections.append("  \"gallery\": {\"rows\": \(g.rows), \"queries\": \(g.queries), \"seed\": \"\(g.seed)\", \"faiss\": \"\(g.faissVersion)\", \"results\": [\n    "
                            + items.joined(separator: ",\n    ") + "\n  ]}")
        }
        if let clips = s.clip {
            let items = clips.map { c in
                line(ClipRow(mode: c.mode, detect_max_dimension: c.maxDimension, upsample: c.upsample, engines: c.engines,
                             gallery_entries: c.galleryEntries, frames: c.frames, faces: c.faces,
                             frames_with_expected_faces: c.framesWithExpectedFaces, median_s: r(c.medianSeconds), best_s: r(c.bestSeconds)))
            }
            sections.append("  \"clip\": [\n    " + items.joined(separator: ",\n    ") + "\n  ]")
        }
        let targets = s.targets.sorted { $0.key < $1.key }.map { "    \(line($0.key)): \($0.value)" }
        sections.append("  \"targets\": {\n" + targets.joined(separator: ",\n") + "\n  }")
        if let detailsPath { sections.append("  \"details\": \(line(detailsPath))") }
        return "{\n" + sections.joined(separator: ",\n") + "\n}"
    }
}
