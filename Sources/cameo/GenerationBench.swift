import ArgumentParser
import CameoCore
import Consent
import FaceMatch
import Foundation
import Generation
import Identity
import Policy
import Server
import Store

/// `cameo bench generation`: end-to-end pipeline time for real clips on a scratch node,
/// split into render+encode and post-check, next to the post-check target.
struct GenerationBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generation", abstract: "Time the generation pipeline: render+encode and post-check per clip.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "dlib models directory.") var models = FaceRuntime.defaultModelsDirectory().path
    @Option(help: "Enrolled face for the cameo.") var face = "fixtures/faces/obama/1.jpg"
    @Option(help: "Clips to generate.") var clips = 3

    func run() async throws {
        try await runReporting(json: global.json) {
            let dir = DataDirectory(path: NSTemporaryDirectory() + "cameo-genbench-\(getpid())")
            try dir.initKeys()
            defer { try? FileManager.default.removeItem(at: dir.url) }
            // Enrolls through the public verification path with a local test issuer, and the
            // owner signs the grant, as the default policy requires.
            let issuer = try LocalTestIssuer()
            let policies = try PolicySet.load(directory: global.policies).trusting(issuer.trusted)
            let s = try Services(dataDirectory: dir, policies: policies, modelsDirectory: URL(fileURLWithPath: models))
            guard let data = FileManager.default.contents(atPath: face) else { throw CoreError("file_unreadable", "cannot read \(face)") }
            let owner = try SubjectID("sub_owner"), fan = try SubjectID("sub_fan")
            _ = try await s.consent.upsertSubject(id: owner, handle: "owner", externalID: nil)
            _ = try await s.consent.upsertSubject(id: fan, handle: "fan", externalID: nil)
            let device = try OwnerDevice()
            _ = try await issuer.enroll(owner, selfie: [UInt8](data), ownerKey: device.publicKey, in: s.likenesses, actor: "bench")
            let statement = try device.sign(["owner": .string(owner.rawValue), "audience": ["kind": "everyone"], "uses": ["generate"]], subject: owner, action: "grant.create")
            let draft = try JSONDecoder().decode(GrantDraft.self, from: Data(try CanonicalJSON.encode(statement)))
            _ = try await s.consent.createGrant(draft, limits: policies.consent.limits(), authorization: s.ownerSignatures.authorize(statement, .init(subject: owner, action: "grant.create")), actor: "bench")
            try await s.start()
            var rows: [(Double, Double, Double)] = []
            for i in 0..<clips {
                let start = Date()
                let r = try await s.generations.submit(GenerationRequest(requestID: nil, requester: fan, prompt: "a walk by the sea \(i)", cameos: [owner],
                                                                         use: "generate", audience: ["kind": "only_me"], seed: UInt64(i)), actor: "bench")
                var rec = try s.generations.record(r.id)
                while [.queued, .generating, .checking].contains(rec.status) { try await Task.sleep(for: .milliseconds(50)); rec = try s.generations.record(r.id) }
                guard rec.status == .released, let t = rec.timings else { throw CoreError("bench_failed", "clip \(i) ended \(rec.status.rawValue): \(rec.reasons)", kind: .internalFailure) }
                rows.append((t["render_encode"] ?? 0, t["post_check"] ?? 0, Date().timeIntervalSince(start)))
                if !global.json { print(String(format: "clip %d: render+encode %.2f s, post-check %.2f s (%d frames), end to end %.2f s", i, rows[i].0, rows[i].1, rec.postCheck?.framesChecked ?? 0, rows[i].2)) }
            }
            s.generations.stop()
            let med = { (k: KeyPath<(Double, Double, Double), Double>) in rows.map { $0[keyPath: k] }.sorted()[rows.count / 2] }
            let g = policies.generation
            let summary: JSONValue = ["clip": .string("\(Int(g.duration)) s \(g.width)x\(g.height) @\(g.fps) fps"), "clips": .int(Int64(clips)),
                                      "render_encode_s": .double(med(\.0)), "post_check_s": .double(med(\.1)), "end_to_end_s": .double(med(\.2)),
                                      "post_check_target_s": .double(1.5), "post_check_vs_target": .double(med(\.1) / 1.5)]
            if global.json { try printJSON(summary) } else {
                print(String(format: "median: render+encode %.2f s, post-check %.2f s (%.2f× the 1.5 s target), end to end %.2f s", med(\.0), med(\.1), med(\.1) / 1.5, med(\.2)))
            }
        }
    }
}
