import FaceMatch
import Foundation

/// Section 3: time to check a 10 s 720p clip at 2 fps — decode (VideoFrames, downscaled by
/// ffmpeg), detect, embed every face (FaceEnginePool, all cores), and match every face
/// against a gallery (the 1M random vectors plus the enrolled fixture identities).
enum ClipCheck {
    struct Report: Codable {
        /// "pipelined": detection runs while ffmpeg decodes (FaceEnginePool.detectFaces(streaming:));
        /// "sequential": decode all sampled frames, then detect (detectFaces(inEach:)).
        let mode: String
        let clip: String
        let recipe: String
        let maxDimension: Int
        let upsample: Int
        let engines: Int
        let galleryEntries: Int
        let frames: Int
        let faces: Int
        let framesWithExpectedFaces: Int
        let identitiesCorrect: Bool
        let maxMatchDistance: Double
        /// Per round: total, decode, detect+embed, match (seconds); in pipelined mode "decode" is
    /// the time until the last frame was decoded and "detectEmbed" the analysis left after it.
        let rounds: [Timing]
        let bestSeconds: Double
        let medianSeconds: Double
        let problems: [String]
    }

    struct Timing: Codable {
        let total: Double
        let decode: Double
        let detectEmbed: Double
        let match: Double
    }

    /// The identities enrolled into the gallery (from photos that are not in the clip).
    static let enrolled: [(id: String, photo: String)] = [
        ("obama", "faces/obama/1.jpg"), ("biden", "faces/biden/2.jpg"),
        ("kit_harington", "faces/kit_harington/1.jpg"), ("rose_leslie", "faces/rose_leslie/1.jpg"),
        ("alex_lacamoire", "faces/alex_lacamoire/2.jpg"), ("lin_manuel_miranda", "faces/lin_manuel_miranda/1.png"),
    ]

    static func enroll(into gallery: inout Gallery, engine: FaceEngine, fixtures: URL) throws {
        for (id, photo) in enrolled {
            let image = try ImageDecoder().decode(Data(contentsOf: fixtures.appendingPathComponent(photo)))
            let faces = try engine.detectFaces(in: image)
            guard faces.count == 1 else { throw BenchError("\(photo): expected one face, found \(faces.count)") }
            try gallery.add(id: id, descriptor: faces[0].descriptor)
        }
    }

    /// Who should be seen at time `t` of the generated clip (see facebench_peer.py make_clip).
    static func expected(at t: Double) -> Set<String> { t < 5.0 ? ["obama"] : ["obama", "biden"] }

    static func run(clip: URL, recipe: String, pool: FaceEnginePool, gallery: Gallery, maxDimension: Int,
                    upsample: Int, rounds: Int, pipelined: Bool) throws -> Report {
        let video = try VideoFrames()
        let sampling = VideoSampling(framesPerSecond: 2, includeLastFrame: true, maxDimension: maxDimension)
        let options = DetectionOptions(detector: .hog, upsample: upsample)
        var timings: [Timing] = []
        var last: (frames: [VideoFrame], faces: [[DetectedFace]], matches: [[GalleryDecision]])?
        for round in 0...rounds {  // round 0 is a warm-up (page cache, ffmpeg start-up)
            let t0 = now()
            var frames: [VideoFrame] = []
            var decoded = t0
            let faces: [[DetectedFace]]
            if pipelined {
                faces = try pool.detectFaces(streaming: { submit in
                    try video.sample(clip, sampling: sampling) { frame in
                        frames.append(frame)
                        submit(frame.image)
                    }
                    decoded = now()
                }, options: options)
            } else {
                frames = try video.sample(clip, sampling: sampling)
                decoded = now()
                faces = try pool.detectFaces(inEach: frames.map(\.image), options: options)
            }
            let t2 = now()
            let queries = faces.flatMap { $0.map(\.descriptor) }
            let flat = gallery.decide(each: queries)
            var decisions: [[GalleryDecision]] = []
            var cursor = 0
            for frameFaces in faces {
                decisions.append(Array(flat[cursor..<cursor + frameFaces.count]))
                cursor += frameFaces.count
            }
            let t3 = now()
            if round > 0 { timings.append(Timing(total: t3 - t0, decode: decoded - t0, detectEmbed: t2 - decoded, match: t3 - t2)) }
            last = (frames, faces, decisions)
        }
        guard let last else { throw BenchError("clip check did not run") }

        var problems: [String] = []
        var framesOK = 0
        var maxDistance = 0.0
        for (index, frame) in last.frames.enumerated() {
            let want = expected(at: frame.timestamp)
            var seen: [String] = []
            for decision in last.matches[index] {
                switch decision {
                case .match(let m):
                    seen.append(m.id)
                    maxDistance = max(maxDistance, Double(m.distance))
                case .noMatch(let nearest):
                    seen.append("unknown(\(nearest.map { fmt(Double($0.distance), 2) } ?? "-"))")
                }
            }
            if seen.count == want.count && Set(seen) == want {
                framesOK += 1
            } else {
                problems.append("t=\(fmt(frame.timestamp, 2)): saw \(seen.sorted()), expected \(want.sorted())")
            }
        }
        let totals = timings.map(\.total)
        return Report(mode: pipelined ? "pipelined" : "sequential", clip: clip.lastPathComponent, recipe: recipe, maxDimension: maxDimension, upsample: upsample,
                      engines: pool.engines.count, galleryEntries: gallery.count, frames: last.frames.count,
                      faces: last.faces.reduce(0) { $0 + $1.count }, framesWithExpectedFaces: framesOK,
                      identitiesCorrect: problems.isEmpty, maxMatchDistance: maxDistance, rounds: timings,
                      bestSeconds: totals.min() ?? .nan, medianSeconds: totals.median, problems: problems)
    }
}
