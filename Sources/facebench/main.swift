// facebench: FaceMatch vs Python face_recognition / faiss-cpu, measured in one run.
//
// Run it through scripts/facebench.sh (release build, Python peers installed). Sections:
//   1. faces/s for detection and embedding at 640x360 and 1280x720, 1 core and all cores
//   2. exact top-1 search over 1M random 128-D vectors vs faiss IndexFlatL2
//   3. checking a generated 10 s 720p clip at 2 fps (decode, detect, embed, match)
// Progress goes to stderr; the table and the JSON summary go to stdout.
import FaceMatch
import Foundation

struct Options {
    var models = ProcessInfo.processInfo.environment["CAMEO_MODELS_DIR"] ?? "models"
    var fixtures = "fixtures"
    var work = ".build/facebench"
    var python = "python3"
    var peerScript = "scripts/facebench_peer.py"
    var engines = ProcessInfo.processInfo.activeProcessorCount
    var pythonProcesses = ProcessInfo.processInfo.activeProcessorCount
    var rows = 1_000_000
    var queries = 100
    var rounds = 5
    var galleryRounds = 3
    var clipRounds = 5
    var sections: Set<String> = ["throughput", "gallery", "clip"]
    var clipMaxDimension = 640
    var clipUpsample = 0
    var buildNote = "unknown"
    var jsonOut: String?

    static func parse(_ args: [String]) throws -> Options {
        var o = Options()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func int() throws -> Int {
            let v = try value()
            guard let n = Int(v) else { throw BenchError("\(args[i - 1]) needs an integer, got \(v)") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--models": o.models = try value()
            case "--fixtures": o.fixtures = try value()
            case "--work": o.work = try value()
            case "--python": o.python = try value()
            case "--peer": o.peerScript = try value()
            case "--engines": o.engines = try int()
            case "--python-processes": o.pythonProcesses = try int()
            case "--rows": o.rows = try int()
            case "--queries": o.queries = try int()
            case "--rounds": o.rounds = try int()
            case "--gallery-rounds": o.galleryRounds = try int()
            case "--clip-rounds": o.clipRounds = try int()
            case "--sections": o.sections = Set(try value().split(separator: ",").map(String.init))
            case "--clip-max-dimension": o.clipMaxDimension = try int()
            case "--clip-upsample": o.clipUpsample = try int()
            case "--build-note": o.buildNote = try value()
            case "--json-out": o.jsonOut = try value()
            case "-h", "--help":
                print("usage: facebench [--models DIR] [--fixtures DIR] [--work DIR] [--python EXE] [--peer SCRIPT]\n" +
                      "  [--engines N] [--python-processes N] [--rows N] [--queries N]\n" +
                      "  [--rounds N (throughput)] [--gallery-rounds N] [--clip-rounds N]\n" +
                      "  [--sections throughput,gallery,clip] [--clip-max-dimension N] [--clip-upsample N]\n" +
                      "  [--build-note TEXT] [--json-out FILE]")
                exit(0)
            default: throw BenchError("unknown argument \(args[i])")
            }
            i += 1
        }
        return o
    }
}

struct PrepareResult: Decodable {
    let frames: [String: String]
    let clip: String
    let clip_recipe: String
}

struct Summary: Codable {
    let environment: [String: String]
    let throughput: [Throughput.Row]?
    let gallery: GallerySearch.Report?
    let clip: [ClipCheck.Report]?
    let targets: [String: Bool]
}

/// The shared library a mapped path of this process comes from, e.g. which libblas.so.3.
func mappedLibrary(containing needle: String) -> String {
    // /proc files report size 0, so read them through a handle rather than by size.
    guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps"), let bytes = try? handle.readToEnd() else {
        return "unknown"
    }
    let maps = String(decoding: bytes, as: UTF8.self)
    for line in maps.split(separator: "\n") {
        if let path = line.split(separator: " ", omittingEmptySubsequences: true).last, path.contains(needle) {
            return (try? FileManager.default.destinationOfSymbolicLink(atPath: String(path))) ?? String(path)
        }
    }
    return "not mapped"
}

/// Load average and CPU pressure ("some avg60": share of time runnable tasks waited for a
/// CPU), to judge how busy the shared machine was.
func machineLoad() -> String {
    func read(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
    let load = read("/proc/loadavg")?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    let pressure = read("/proc/pressure/cpu")?.split(separator: "\n").first?
        .split(separator: " ").first { $0.hasPrefix("avg60=") }?.dropFirst(6) ?? "?"
    return "loadavg \(load), cpu pressure avg60 \(pressure)%"
}

func runBenchmark(_ o: Options) throws {
    let work = URL(fileURLWithPath: o.work)
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    let fixtures = URL(fileURLWithPath: o.fixtures)
    let peer = Peer(python: o.python, script: o.peerScript)

    let versions = try peer.run([String: JSONValueLite].self, ["versions"])
    log("preparing frames and clip in \(work.path)")
    let prepared = try peer.run(PrepareResult.self, ["prepare", "--fixtures", fixtures.path, "--work", work.path])

    log("loading \(o.engines) engines")
    let pool = try FaceEnginePool(modelsDirectory: URL(fileURLWithPath: o.models), count: o.engines)
    var environment: [String: String] = [
        "cpus": String(ProcessInfo.processInfo.activeProcessorCount),
        "engines": String(o.engines),
        "build": o.buildNote,
        "blas": mappedLibrary(containing: "libblas"),
        "python_processes_all_cores": String(o.pythonProcesses),
        "machine_load_at_start": machineLoad(),
    ]
    for (key, value) in versions { environment["python_" + key] = value.text }

    var targets: [String: Bool] = [:]
    var throughput: [Throughput.Row]?
    if o.sections.contains("throughput") {
        var frames: [(name: String, image: RGBImage, path: String)] = []
        for name in ["640x360", "1280x720"] {
            guard let path = prepared.frames[name] else { throw BenchError("peer did not write the \(name) frame") }
            frames.append((name, try ImageDecoder().decode(Data(contentsOf: URL(fileURLWithPath: path))), path))
        }
        let settings = Throughput.Settings(detectIters: ["640x360": 8, "1280x720": 3], embedIters: 12,
                                           rounds: o.rounds, pythonProcesses: o.pythonProcesses)
        let rows = try Throughput.run(pool: pool, frames: frames, peer: peer, settings: settings)
        throughput = rows
        for row in rows { if let r = row.ratio { targets["faces/s \(row.stage) \(row.resolution) \(row.mode) >= 1.0x python"] = r >= 1.0 } }
    }

    var galleryReport: GallerySearch.Report?
    var clipReports: [ClipCheck.Report]?
    if o.sections.contains("gallery") || o.sections.contains("clip") {
        log("gallery: generating \(o.rows) x 128 vectors (seed \(GallerySearch.seed))")
        let data = GallerySearch.makeData(rows: o.rows, queries: o.queries)
        let vectorsURL = work.appendingPathComponent("gallery_\(o.rows)x128.f32")
        let queriesURL = work.appendingPathComponent("queries_\(o.queries)x128.f32")
        try GallerySearch.write(data.vectors, to: vectorsURL)
        try GallerySearch.write(data.queries, to: queriesURL)
        // The vectors are regenerated every run; do not leave 512 MB behind.
        defer {
            try? FileManager.default.removeItem(at: vectorsURL)
            try? FileManager.default.removeItem(at: queriesURL)
        }
        let t0 = now()
        var gallery = try GallerySearch.makeGallery(data)
        log("gallery: built \(gallery.count) entries in \(fmt(now() - t0, 2)) s")
        if o.sections.contains("gallery") {
            let report = try GallerySearch.run(gallery: gallery, data: data, queries: try GallerySearch.queryDescriptors(data),
                                               vectorsURL: vectorsURL, queriesURL: queriesURL, peer: peer, rounds: o.galleryRounds)
            galleryReport = report
            for m in report.modes {
                targets["gallery \(m.mode), \(m.threads) thread(s) <= 1.2x faiss time"] = m.timeRatio <= 1.2
                targets["gallery \(m.mode), \(m.threads) thread(s) identical top-1"] = m.identicalTop1
            }
        }
        if o.sections.contains("clip") {
            try ClipCheck.enroll(into: &gallery, engine: pool.engines[0], fixtures: fixtures)
            var reports: [ClipCheck.Report] = []
            let plans = [(o.clipUpsample, true), (o.clipUpsample, false), (1 - o.clipUpsample, true)]
            for (upsample, pipelined) in plans where (0...1).contains(upsample) {
                log("clip: checking \(prepared.clip) (maxDimension \(o.clipMaxDimension), upsample \(upsample), \(pipelined ? "pipelined" : "sequential"))")
                reports.append(try ClipCheck.run(clip: URL(fileURLWithPath: prepared.clip), recipe: prepared.clip_recipe,
                                                 pool: pool, gallery: gallery, maxDimension: o.clipMaxDimension,
                                                 upsample: upsample, rounds: o.clipRounds, pipelined: pipelined))
            }
            clipReports = reports
            if let main = reports.first {
                targets["clip check <= 1.5 s on \(o.engines) cores (median, upsample \(main.upsample))"] = main.medianSeconds <= 1.5
                targets["clip check finds and identifies every face (upsample \(main.upsample))"] = main.identitiesCorrect
            }
        }
    }

    environment["machine_load_at_end"] = machineLoad()
    let summary = Summary(environment: environment, throughput: throughput, gallery: galleryReport,
                          clip: clipReports, targets: targets)
    Table.print(summary)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if let path = o.jsonOut { try encoder.encode(summary).write(to: URL(fileURLWithPath: path)) }
    print("\nJSON summary:")
    print(CompactJSON.render(summary, detailsPath: o.jsonOut))

    // Correctness is asserted (non-zero exit); speed targets are only reported.
    var failures: [String] = []
    for m in galleryReport?.modes ?? [] where !m.identicalTop1 {
        failures.append("gallery \(m.mode), \(m.threads) thread(s): \(m.mismatches) top-1 ids differ from faiss")
    }
    for c in clipReports ?? [] where !c.identitiesCorrect {
        failures.append("clip \(c.mode) upsample \(c.upsample): \(c.frames - c.framesWithExpectedFaces) frames without the expected faces")
    }
    if !failures.isEmpty {
        throw BenchError("assertion failed:\n  " + failures.joined(separator: "\n  "))
    }
}

/// A JSON scalar from the peer's `versions` output.
enum JSONValueLite: Decodable {
    case string(String), bool(Bool), number(Double), null
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else { self = .string(try c.decode(String.self)) }
    }
    var text: String {
        switch self {
        case .string(let s): return s
        case .bool(let b): return String(b)
        case .number(let n): return String(n)
        case .null: return "missing"
        }
    }
}

do {
    try runBenchmark(try Options.parse(Array(CommandLine.arguments.dropFirst())))
} catch {
    FileHandle.standardError.write(Data("facebench: error: \(error)\n".utf8))
    exit(1)
}
