import Dispatch
import FaceMatch
import Foundation

/// Section 1: faces/s for detection and for embedding, ours vs Python face_recognition.
///
/// Detection: ours = `FaceEngine.locateFaces` (HOG + 5-point landmarks), Python =
/// `face_recognition.face_locations` (HOG only). Embedding: ours = `FaceEngine.descriptors`
/// for known locations (chip + ResNet), Python = `face_recognition.face_encodings` with known
/// locations (5-point landmarks + chip + ResNet). Detect + embed is the same work on both
/// sides; the landmark step (about 1 ms per face) is counted in ours' detection and in
/// Python's embedding.
enum Throughput {
    struct PeerResult: Decodable {
        let faces_per_frame: Int
        let detect_rounds: [PeerRound]
        let embed_rounds: [PeerRound]
    }

    struct PeerRound: Decodable {
        let seconds: Double
        let faces: Int
        var round: Round { Round(seconds: seconds, faces: faces) }
    }

    /// One line of the table: a resolution, a mode and the best round of each side.
    struct Row: Codable {
        let resolution: String
        let mode: String            // "1 core" / "2 cores"
        let stage: String           // "detect" / "embed"
        let upsample: Int
        let oursFacesPerSecond: Double
        let pythonFacesPerSecond: Double?
        let ratio: Double?          // ours / python, higher is better
        let oursRounds: [Round]
        let pythonRounds: [Round]?
        let facesPerFrame: Int
    }

    struct Settings {
        let detectIters: [String: Int]   // per resolution
        let embedIters: Int
        let rounds: Int
        let pythonProcesses: Int         // processes for the all-cores Python figure
    }

    static func run(pool: FaceEnginePool, frames: [(name: String, image: RGBImage, path: String)],
                    peer: Peer, settings: Settings) throws -> [Row] {
        var rows: [Row] = []
        let cores = pool.engines.count
        for frame in frames {
            let iters = settings.detectIters[frame.name] ?? 4
            let options = DetectionOptions(detector: .hog, upsample: 1)
            let locations = try pool.engines[0].locateFaces(in: frame.image, options: options)
            guard !locations.isEmpty else { throw BenchError("no face found in \(frame.name) frame") }

            let up0 = DetectionOptions(detector: .hog, upsample: 0)
            let faces0 = try pool.engines[0].locateFaces(in: frame.image, options: up0).count
            for (mode, engines, procs) in [("1 core", Array(pool.engines.prefix(1)), 1),
                                           ("\(cores) cores", pool.engines, settings.pythonProcesses)] {
                // Rounds alternate between the two sides so both see the same machine load
                // (the machine is shared); every side's best round is reported.
                var detect: [Round] = [], embed: [Round] = [], detect0: [Round] = []
                var pyDetect: [Round] = [], pyEmbed: [Round] = []
                for round in 1...settings.rounds {
                    log("throughput \(frame.name) \(mode), round \(round)/\(settings.rounds): ours")
                    detect += try measure(engines: engines, iters: iters, rounds: 1) { engine in
                        try engine.locateFaces(in: frame.image, options: options).count
                    }
                    embed += try measure(engines: engines, iters: settings.embedIters, rounds: 1) { engine in
                        try engine.descriptors(for: locations, in: frame.image).count
                    }
                    detect0 += try measure(engines: engines, iters: iters * 3, rounds: 1) { engine in
                        try engine.locateFaces(in: frame.image, options: up0).count
                    }
                    log("throughput \(frame.name) \(mode), round \(round)/\(settings.rounds): python (\(procs) process\(procs == 1 ? "" : "es"))")
                    let py = try peer.run(PeerResult.self, [
                        "throughput", "--frame", frame.path, "--upsample", "1", "--procs", String(procs),
                        "--iters", String(iters), "--embed-iters", String(settings.embedIters), "--rounds", "1",
                    ])
                    guard py.faces_per_frame == locations.count else {
                        throw BenchError("python found \(py.faces_per_frame) faces in \(frame.name), ours \(locations.count)")
                    }
                    pyDetect += py.detect_rounds.map(\.round)
                    pyEmbed += py.embed_rounds.map(\.round)
                }
                rows.append(row(frame.name, mode, "detect", 1, detect, pyDetect, locations.count))
                rows.append(row(frame.name, mode, "embed", 1, embed, pyEmbed, locations.count))
                rows.append(row(frame.name, mode, "detect", 0, detect0, nil, faces0))
            }
        }
        return rows
    }

    private static func row(_ resolution: String, _ mode: String, _ stage: String, _ upsample: Int,
                            _ ours: [Round], _ python: [Round]?, _ faces: Int) -> Row {
        let best = ours.map(\.perSecond).max() ?? .nan
        let pyBest = python.map { $0.map(\.perSecond).max() ?? .nan }
        return Row(resolution: resolution, mode: mode, stage: stage, upsample: upsample,
                   oursFacesPerSecond: best, pythonFacesPerSecond: pyBest,
                   ratio: pyBest.map { best / $0 }, oursRounds: ours, pythonRounds: python,
                   facesPerFrame: faces)
    }

    /// Runs `body` `iters` times on every engine at once (one thread per engine), `rounds`
    /// times after one warm-up call per engine; a round's time is its wall time.
    static func measure(engines: [FaceEngine], iters: Int, rounds: Int,
                        _ body: @escaping @Sendable (FaceEngine) throws -> Int) throws -> [Round] {
        for engine in engines { _ = try body(engine) }
        var out: [Round] = []
        for _ in 0..<rounds {
            let counts = Slots<Result<Int, any Error>>(count: engines.count)
            let start = now()
            if engines.count == 1 {
                counts.set(0, Result { try (0..<iters).reduce(0) { acc, _ in acc + (try body(engines[0])) } })
            } else {
                DispatchQueue.concurrentPerform(iterations: engines.count) { worker in
                    counts.set(worker, Result { try (0..<iters).reduce(0) { acc, _ in acc + (try body(engines[worker])) } })
                }
            }
            let seconds = now() - start
            let faces = try counts.all.reduce(0) { acc, slot in
                guard let slot else { throw BenchError("worker did not report") }
                return acc + (try slot.get())
            }
            out.append(Round(seconds: seconds, faces: faces))
        }
        return out
    }
}
