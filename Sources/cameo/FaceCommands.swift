import ArgumentParser
import CameoCore
import FaceMatch
import Foundation
import Identity
import Policy

/// `cameo face`: the matcher on local files (no server): embed, compare, evaluate.
struct FaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "face", abstract: "Run the face matcher on local images.",
                                                     subcommands: [Embed.self, Compare.self, Eval.self, Liveness.self])

    struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("dlib models directory (env CAMEO_MODELS_DIR).", valueName: "dir"))
        var models: String = FaceRuntime.defaultModelsDirectory().path

        func runtime(_ g: GlobalOptions) throws -> FaceRuntime {
            FaceRuntime(modelsDirectory: URL(fileURLWithPath: models), matching: try PolicySet.load(directory: g.policies).matching)
        }
    }

    static func load(_ path: String) throws -> RGBImage {
        guard let d = FileManager.default.contents(atPath: path) else { throw CoreError("file_unreadable", "cannot read \(path)") }
        do { return try ImageDecoder().decode(d) } catch let e as any CodedError { throw CoreError(e.code, "\(path): \(e.message)", kind: e.kind) }
    }

    struct Embed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Detect faces and print their boxes and 128-D descriptors.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var face: Options
        @Argument(help: "JPEG or PNG image.") var image: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let faces = try face.runtime(global).analyze([FaceCommand.load(image)], minFaceSize: 1)[0]
                let out: [JSONValue] = faces.map { f in
                    ["box": ["left": .int(Int64(f.box.left)), "top": .int(Int64(f.box.top)), "right": .int(Int64(f.box.right)), "bottom": .int(Int64(f.box.bottom))],
                     "descriptor": .array(f.descriptor.values.map { .double(Double($0)) })]
                }
                if global.json { return try printJSON(["image": .string(image), "faces": .array(out)]) }
                print("\(image): \(faces.count) face(s)")
                for f in faces { print("  box \(f.box.left),\(f.box.top)-\(f.box.right),\(f.box.bottom)  descriptor[0..3] \(f.descriptor.values.prefix(4).map { String(format: "%.4f", $0) }.joined(separator: " "))") }
            }
        }
    }

    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Distance between the largest faces of two images, and the verdict at the policy threshold.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var face: Options
        @Argument(help: "First image.") var a: String
        @Argument(help: "Second image.") var b: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let rt = try face.runtime(global)
                let faces = try rt.analyze([FaceCommand.load(a), FaceCommand.load(b)], minFaceSize: 1)
                guard let fa = faces[0].max(by: { $0.box.width < $1.box.width }) else { throw CoreError("no_face", "no face in \(a)") }
                guard let fb = faces[1].max(by: { $0.box.width < $1.box.width }) else { throw CoreError("no_face", "no face in \(b)") }
                let d = fa.descriptor.distance(to: fb.descriptor)
                let same = d <= rt.matching.threshold
                if global.json { return try printJSON(["distance": .double(Double(d)), "threshold": .double(Double(rt.matching.threshold)), "same_person": .bool(same)]) }
                print(String(format: "distance %.4f (threshold %.2f): ", d, rt.matching.threshold) + (same ? "same person" : "different people"))
            }
        }
    }

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Evaluate the matcher on a CSV of pairs (img_a,img_b,same): TPR, FPR, accuracy, ROC AUC.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var face: Options
        @Option(help: "CSV with columns img_a,img_b,same (1/0/true/false); a header line is allowed.") var pairs: String
        @Option(help: "Directory image paths are relative to (default: the CSV's).") var root: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                guard let text = FileManager.default.contents(atPath: pairs).map({ String(decoding: $0, as: UTF8.self) }) else {
                    throw CoreError("file_unreadable", "cannot read \(pairs)")
                }
                let base = root ?? (pairs as NSString).deletingLastPathComponent
                let rows = try PairsCSV.parse(text)
                let rt = try face.runtime(global)
                var cache: [String: FaceDescriptor?] = [:]
                func descriptor(_ path: String) throws -> FaceDescriptor? {
                    if let d = cache[path] { return d }
                    let full = path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
                    let d = try rt.analyze([FaceCommand.load(full)], minFaceSize: 1)[0].max(by: { $0.box.width < $1.box.width })?.descriptor
                    cache[path] = d
                    return d
                }
                var scored: [(distance: Float, same: Bool)] = []
                for (i, r) in rows.enumerated() {
                    if !global.json { FileHandle.standardError.write(Data("\rpairs \(i + 1)/\(rows.count)".utf8)) }
                    guard let da = try descriptor(r.a), let db = try descriptor(r.b) else { continue }
                    scored.append((da.distance(to: db), r.same))
                }
                if !global.json { FileHandle.standardError.write(Data("\n".utf8)) }
                let m = MatcherMetrics(scored, threshold: rt.matching.threshold)
                let noFace = cache.values.filter { $0 == nil }.count
                let v: JSONValue = ["pairs": .int(Int64(rows.count)), "scored_pairs": .int(Int64(scored.count)), "threshold": .double(Double(rt.matching.threshold)),
                                    "tpr": num(m.tpr), "fpr": num(m.fpr), "accuracy": num(m.accuracy), "roc_auc": num(m.auc),
                                    "images_without_face": .int(Int64(noFace))]
                if global.json { return try printJSON(v) }
                print(String(format: "pairs %d (scored %d), threshold %.2f: TPR %.3f FPR %.3f accuracy %.3f ROC AUC %.3f, images without a face: %d",
                             rows.count, scored.count, rt.matching.threshold, m.tpr, m.fpr, m.accuracy, m.auc, noFace))
            }
        }
    }
}

/// A JSON number, or null when undefined (e.g. no positive pairs).
func num(_ d: Double) -> JSONValue { d.isFinite ? .double(d) : .null }

/// Parsing of the `img_a,img_b,same` CSV.
enum PairsCSV {
    static func parse(_ text: String) throws -> [(a: String, b: String, same: Bool)] {
        var out: [(String, String, Bool)] = []
        for (n, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let cols = raw.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if n == 0, cols.first == "img_a" { continue }
            guard cols.count == 3, !cols[0].isEmpty, !cols[1].isEmpty else { throw CoreError("invalid_csv", "line \(n + 1): expected img_a,img_b,same") }
            switch cols[2].lowercased() {
            case "1", "true", "yes": out.append((cols[0], cols[1], true))
            case "0", "false", "no": out.append((cols[0], cols[1], false))
            default: throw CoreError("invalid_csv", "line \(n + 1): same must be 1/0/true/false, got \(cols[2].debugDescription)")
            }
        }
        return out
    }
}

/// Verification metrics at a distance threshold, and the ROC AUC over all thresholds
/// (the probability that a same-person pair is closer than a different-person pair; ties count ½).
struct MatcherMetrics {
    let tpr: Double, fpr: Double, accuracy: Double, auc: Double

    init(_ scored: [(distance: Float, same: Bool)], threshold: Float) {
        let pos = scored.filter(\.same).map(\.distance), neg = scored.filter { !$0.same }.map(\.distance)
        let tp = pos.filter { $0 <= threshold }.count, fp = neg.filter { $0 <= threshold }.count
        tpr = pos.isEmpty ? .nan : Double(tp) / Double(pos.count)
        fpr = neg.isEmpty ? .nan : Double(fp) / Double(neg.count)
        accuracy = scored.isEmpty ? .nan : Double(tp + neg.count - fp) / Double(scored.count)
        var wins = 0.0
        for p in pos { for n in neg { wins += p < n ? 1 : (p == n ? 0.5 : 0) } }
        auc = pos.isEmpty || neg.isEmpty ? .nan : wins / Double(pos.count * neg.count)
    }
}

extension FaceCommand {
    struct Liveness: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the embedded video-liveness checks on a recorded answer against a given challenge, locally; enrolls nothing.",
            discussion: "Prints every check with its measured value and threshold (Policies/identity.yaml: video). Exit status 0 when all pass, 1 otherwise.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var face: Options
        @Argument(help: "The recorded answer (MP4/MOV/WebM with sound).") var video: String
        @Option(help: "Asked head turns, comma-separated (left, centre, right).") var poses: String
        @Option(help: "Asked blinks.") var blinks: Int
        @Option(help: "Asked digits, e.g. 3719.") var digits: String
        @Option(help: ArgumentHelp("Also write what was measured in each analysed frame (time, faces, yaw, eye aspect ratio, mouth opening, speech energy) to this CSV file.", valueName: "file"))
        var trace: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let asked = try poses.split(separator: ",").map { p in
                    guard let t = HeadTurn(rawValue: p.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("unknown pose \(p)") }
                    return t
                }
                guard digits.allSatisfy(\.isNumber), (1...12).contains(digits.count) else { throw ValidationError("--digits takes 1-12 digits") }
                let policies = try PolicySet.load(directory: global.policies)
                let verifier = VideoLivenessVerifier(faces: try face.runtime(global), policy: policies.identity)
                let challenge = LivenessChallenge(id: .random(), subject: try SubjectID("sub_analyze"), poses: asked, blinks: blinks, digits: digits,
                                                  issuedAt: Date(), expiresAt: Date().addingTimeInterval(60), nonceHash: "")
                _ = try verifier.admit(URL(fileURLWithPath: video))
                let (report, measured) = try verifier.assess(URL(fileURLWithPath: video), challenge: challenge)
                if let trace {
                    let energy = VideoLivenessTracker.energy(measured.audio, frames: measured.frames, fps: policies.identity.video.analysisFps)
                    var csv = "time,faces,yaw,ear,mouth,energy\n"
                    for (f, e) in zip(measured.frames, energy) {
                        csv += [String(format: "%.3f", f.time), String(f.faceCount), f.yaw.map { String(format: "%.2f", $0) } ?? "",
                                f.shape.map { String(format: "%.4f", $0.eyeAspectRatio) } ?? "", f.shape.map { String(format: "%.4f", $0.mouthOpening) } ?? "",
                                String(format: "%.1f", e)].joined(separator: ",") + "\n"
                    }
                    try csv.write(toFile: trace, atomically: true, encoding: .utf8)
                }
                if global.json {
                    try printJSON(["video": .string(video), "passed": .bool(report.passed), "frames": .int(Int64(measured.frames.count)), "checks": report.evidence])
                } else {
                    print("\(video): \(measured.frames.count) frames analysed, \(report.passed ? "PASS" : "FAIL")")
                    for c in report.checks {
                        let v = String(decoding: try CanonicalJSON.encode(c.value), as: UTF8.self)
                        let t = String(decoding: try CanonicalJSON.encode(c.threshold), as: UTF8.self)
                        print("  \(c.passed ? "pass" : "FAIL")  \(c.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(v)  (rule \(t))")
                    }
                }
                if !report.passed { throw ExitCode(1) }
            }
        }
    }
}
