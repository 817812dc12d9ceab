import CameoCore
import CameoCrypto
import Consent
import FaceMatch
import Foundation
import Generation
import HTTPTypes
import HummingbirdTesting
import Identity
import Ledger
import Policy
import Server
import Store
import Synchronization
import Testing
import TestSupport

/// The real embedded generator behind a counter: proves when it was (not) invoked.
final class CountingGenerator: VideoGenerator {
    let inner = EmbeddedGenerator()
    let calls = Atomic<Int>(0)
    var id: String { inner.id }
    var version: String { inner.version }
    func render(_ spec: RenderSpec, to output: URL, progress: (@Sendable (Double) -> Void)?) async throws -> RenderResult {
        calls.add(1, ordering: .sequentiallyConsistent)
        return try await inner.render(spec, to: output, progress: progress)
    }
}

/// Test-only configuration standing in for a model that leaks a likeness: it composites an
/// extra, non-consented face into the clip with the real embedded generator.
struct LeakingGenerator: VideoGenerator {
    let leaked: CameoAppearance
    let inner = EmbeddedGenerator()
    var id: String { inner.id }
    var version: String { inner.version }
    func render(_ spec: RenderSpec, to output: URL, progress: (@Sendable (Double) -> Void)?) async throws -> RenderResult {
        let leaky = try RenderSpec(prompt: spec.prompt, seed: spec.seed, width: spec.width, height: spec.height, fps: spec.fps,
                                   duration: spec.duration, cameos: spec.cameos + [leaked], metadata: spec.metadata)
        return try await inner.render(leaky, to: output, progress: progress)
    }
}

/// A generator that writes garbage where the clip goes and never finishes (a crash mid-render).
struct StuckGenerator: VideoGenerator {
    var id: String { "cameoguard-embedded" }
    var version: String { "1.0" }
    func render(_ spec: RenderSpec, to output: URL, progress: (@Sendable (Double) -> Void)?) async throws -> RenderResult {
        try Data("not a checked video".utf8).write(to: output)
        try await Task.sleep(for: .seconds(3600))
        throw CancellationError()
    }
}

@Suite(.serialized) struct GenerationPipelineTests {
    /// Short clips for tests: 3 s at 360×640 (faces stay 90-160 px wide, well above detection size).
    static func policies() throws -> PolicySet {
        try RepositoryPaths.loadPolicies(overriding: ["generation.yaml": "width: 360\nheight: 640\nfps: 12\nduration: 3\nmax_cameos: 4\nworkers: 1\njob_lease_seconds: 300\njob_poll_milliseconds: 100\n"])
    }

    static func wait(_ c: any TestClientProtocol, _ node: TestNode, _ id: String) async throws -> JSONValue {
        for _ in 0..<600 {
            let r = try await c.call(.get, "/v1/generations/\(id)", token: node.service).body
            if let s = r["status"]?.stringValue, !["queued", "generating", "checking"].contains(s) { return r }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CoreError("timeout", "generation \(id) did not finish")
    }

    static func submit(_ c: any TestClientProtocol, _ node: TestNode, requester: String = "sub_bob", cameos: [String], prompt: String,
                       requestID: String? = nil) async throws -> (status: HTTPResponse.Status, body: JSONValue, text: String) {
        let rid = requestID.map { #","request_id":"\#($0)""# } ?? ""
        let list = cameos.map { "\"\($0)\"" }.joined(separator: ",")
        return try await c.call(.post, "/v1/generations", token: node.service,
                                json: #"{"requester":"\#(requester)","prompt":"\#(prompt)","cameos":[\#(list)],"use":"generate","audience":{"kind":"only_me"},"seed":7\#(rid)}"#)
    }

    /// Enrolls obama and kit (by attestation, with owner devices), registers bob, and obama grants;
    /// returns the owners' devices.
    @discardableResult
    static func people(_ node: TestNode, grant: String = #"{"kind":"everyone"}"#, forbidden: String = "[]") async throws -> (obama: OwnerDevice, kit: OwnerDevice) {
        try await people(node.services, issuer: node.issuer, grant: grant, forbidden: forbidden)
    }

    @discardableResult
    static func people(_ s: Services, issuer: LocalTestIssuer, grant: String = #"{"kind":"everyone"}"#, forbidden: String = "[]") async throws -> (obama: OwnerDevice, kit: OwnerDevice) {
        let obama = try await TestNode.enroll(s, issuer: issuer, "sub_obama", "faces/obama/1.jpg")
        let kit = try await TestNode.enroll(s, issuer: issuer, "sub_kit", "faces/kit_harington/1.jpg")
        _ = try await s.consent.upsertSubject(id: SubjectID("sub_bob"), handle: "bob", externalID: nil)
        try await s.signedGrant(obama, #"{"owner":"sub_obama","audience":\#(grant),"uses":["generate"],"forbidden_tags":\#(forbidden),"preferences":"calm"}"#)
        return (obama, kit)
    }

    @Test func aConsentedCameoIsReleasedWithAVerifiableManifestAndTheOwnerCanRemoveIt() async throws {
        let gen = CountingGenerator()
        let node = try await TestNode(policies: Self.policies(), generator: gen)
        let devices = try await Self.people(node)
        try await node.services.start()
        try await node.test { c in
            let r = try await Self.submit(c, node, cameos: ["sub_obama"], prompt: "a calm walk on the beach at sunset")
            #expect(r.status == .accepted, "\(r.text)")
            let done = try await Self.wait(c, node, r.body["id"]!.stringValue!)
            #expect(done["status"] == "released", "\(done)")
            let id = done["id"]!.stringValue!
            #expect(done["post_check"]?["matched_subjects"] == ["sub_obama"])
            #expect((done["post_check"]?["frames_checked"]?.intValue ?? 0) >= 7)  // 3 s at 2 fps + first/last
            #expect(gen.calls.load(ordering: .sequentiallyConsistent) == 1)

            let video = try await c.execute(uri: "/v1/generations/\(id)/video", method: .get, headers: [.authorization: "Bearer \(node.service)"]) { Array($0.body.readableBytesView) }
            let manifest = try await c.call(.get, "/v1/generations/\(id)/manifest", token: node.service).body
            let claim = try ProvenanceManifest.embeddedClaim(in: node.services.generations.videoURL(id))
            let statement = try ProvenanceManifest.verify(video: video, manifest: manifest, embeddedClaim: claim,
                                                          keyName: node.services.ledger.origin, publicKey: node.services.publicKey)
            #expect(statement["content_sha256"]?.stringValue == SHA256.hex(video))
            var tampered = video
            tampered[tampered.count / 2] ^= 0x01
            #expect(throws: GenerationError.self) {
                try ProvenanceManifest.verify(video: tampered, manifest: manifest, embeddedClaim: claim, keyName: node.services.ledger.origin, publicKey: node.services.publicKey)
            }
            let appearances = try await c.call(.get, "/v1/subjects/sub_obama/appearances", token: node.service).body["items"]!.arrayValue!
            #expect(appearances.map { $0["id"] } == [.string(id)])
            // Removal needs the person's own signature: none, or obama's for kit, is refused.
            #expect(try await c.call(.delete, "/v1/generations/\(id)?on_behalf_of=sub_obama", token: node.service).status == .unauthorized)
            let forKit = try devices.obama.sign(#"{"generation_id":"\#(id)"}"#, "sub_kit", "generation.remove")
            #expect(try await c.call(.delete, "/v1/generations/\(id)?on_behalf_of=sub_kit", token: node.service, json: forKit).status == .forbidden)
            let kitOwn = try devices.kit.sign(#"{"generation_id":"\#(id)"}"#, "sub_kit", "generation.remove")
            #expect(try await c.call(.delete, "/v1/generations/\(id)?on_behalf_of=sub_kit", token: node.service, json: kitOwn).status == .forbidden)  // not in it
            let removed = try await c.call(.delete, "/v1/generations/\(id)?on_behalf_of=sub_obama", token: node.service,
                                           json: try devices.obama.sign(#"{"generation_id":"\#(id)"}"#, "sub_obama", "generation.remove"))
            #expect(removed.body["status"] == "removed")
            #expect(!FileManager.default.fileExists(atPath: node.services.generations.videoURL(id).path))
            #expect(try await c.call(.get, "/v1/generations/\(id)/video", token: node.service).status == .conflict)
        }
        let types = try node.services.ledger.entries(start: 0, end: 100).compactMap { try LedgerEntry(canonical: $0).type }
        #expect(types.contains("generation.released") && types.contains("generation.removed"))
    }

    @Test func failedPreChecksRejectBeforeTheGeneratorRuns() async throws {
        let gen = CountingGenerator()
        let node = try await TestNode(policies: Self.policies(), generator: gen)
        try await Self.people(node, forbidden: #"["political"]"#)
        try await node.services.start()
        try await node.test { c in
            let cases: [([String], String, String)] = [
                (["sub_kit"], "a walk in the park", "consent: sub_kit: no_grant"),
                (["sub_obama"], "a speech at the election rally", "consent: sub_obama: restricted_content"),
                (["sub_obama"], "a nude portrait", "prompt_policy"),
                (["sub_obama"], "kids in a gun fight", "prompt_policy"),
            ]
            for (cameos, prompt, reason) in cases {
                let r = try await Self.submit(c, node, cameos: cameos, prompt: prompt)
                #expect(r.status == .accepted && r.body["status"] == "rejected", "\(prompt): \(r.text)")
                #expect(r.body["reasons"]?.arrayValue?.contains { $0.stringValue?.hasPrefix(reason) ?? false } ?? false, "\(prompt): \(r.text)")
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(gen.calls.load(ordering: .sequentiallyConsistent) == 0)  // never invoked
            // bad input: nothing recorded, nothing generated
            let bad: [(String, HTTPResponse.Status, String)] = [
                (#"{"requester":"sub_bob","prompt":"  ","cameos":["sub_obama"],"use":"generate","audience":{"kind":"only_me"}}"#, .unprocessableContent, "invalid_prompt"),
                (#"{"requester":"sub_bob","prompt":"\#(String(repeating: "x", count: 2001))","cameos":["sub_obama"],"use":"generate","audience":{"kind":"only_me"}}"#, .contentTooLarge, "prompt_too_long"),
                (#"{"requester":"sub_bob","prompt":"hi","cameos":["sub_ghost"],"use":"generate","audience":{"kind":"only_me"}}"#, .notFound, "unknown_subject"),
                (#"{"requester":"sub_bob","prompt":"hi","cameos":["sub_a","sub_b","sub_c","sub_d","sub_e"],"use":"generate","audience":{"kind":"only_me"}}"#, .unprocessableContent, "too_many_cameos"),
                (#"{"requester":"sub_bob","prompt":"hi","cameos":[],"use":"generate","audience":{"kind":"only_me"}}"#, .unprocessableContent, "too_many_cameos"),
            ]
            for (body, status, code) in bad {
                let r = try await c.call(.post, "/v1/generations", token: node.service, json: body)
                #expect(r.status == status && r.body["error"]?["code"]?.stringValue == code, "\(body.prefix(80)) → \(r.text.prefix(200))")
            }
            let first = try await Self.submit(c, node, cameos: ["sub_kit"], prompt: "once", requestID: "req-1")
            #expect(first.status == .accepted)
            let again = try await Self.submit(c, node, cameos: ["sub_kit"], prompt: "once", requestID: "req-1")
            #expect(again.status == .conflict && again.body["error"]?["code"] == "duplicate_request")
        }
        #expect(gen.calls.load(ordering: .sequentiallyConsistent) == 0)
    }

    @Test func aLeakedNonConsentedFaceIsQuarantinedWithEvidence() async throws {
        let node0 = try await TestNode(policies: Self.policies())
        // Build the leaked face from a real fixture chip, then run a node whose generator leaks it.
        let kitImage = try ImageDecoder().decode(Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("faces/kit_harington/1.jpg")))
        let kitFace = try #require(try node0.services.faces.analyze([kitImage])[0].first)
        let chip = try node0.services.faces.chip(of: kitFace, in: kitImage)
        let leaked = try CameoAppearance(ownerID: "sub_kit", face: RGBFace(width: chip.width, height: chip.height, pixels: chip.pixels))
        let node = try await TestNode(policies: Self.policies(), generator: LeakingGenerator(leaked: leaked))
        try await Self.people(node)
        try await node.services.start()
        try await node.test { c in
            let r = try await Self.submit(c, node, cameos: ["sub_obama"], prompt: "two friends at a cafe")
            let done = try await Self.wait(c, node, r.body["id"]!.stringValue!)
            #expect(done["status"] == "quarantined", "\(done)")
            let evidence = done["post_check"]?["evidence"]?.arrayValue ?? []
            #expect(!evidence.isEmpty && evidence.allSatisfy { $0["subject"] == "sub_kit" && $0["finding"] == "not_consented" })
            #expect(evidence.allSatisfy { ($0["distance"]?.intValue == nil) && $0["box"]?.arrayValue?.count == 4 && $0["threshold"] != nil })
            #expect(try await c.call(.get, "/v1/generations/\(r.body["id"]!.stringValue!)/video", token: node.service).status == .conflict)
            // the leaked person sees it among their appearances
            let kitSees = try await c.call(.get, "/v1/subjects/sub_kit/appearances", token: node.service).body["items"]!.arrayValue!
            #expect(kitSees.count == 1)
        }
    }

    @Test func aJobInterruptedMidRenderIsRunAgainAndNeverReleasedUnchecked() async throws {
        let tmp = try TempDataDirectory()
        let issuer = try LocalTestIssuer()
        let policies = try Self.policies().trusting(issuer.trusted)
        let models = RepositoryPaths.root.appendingPathComponent("models")
        var id = ""
        do {
            let crashed = try Services(dataDirectory: tmp.directory, policies: policies, modelsDirectory: models, generator: StuckGenerator())
            try await Self.people(crashed, issuer: issuer)
            try await crashed.start()
            let r = try await crashed.generations.submit(GenerationRequest(requestID: nil, requester: SubjectID("sub_bob"), prompt: "a sunny day",
                                                                            cameos: [SubjectID("sub_obama")], use: "generate", audience: ["kind": "only_me"], seed: 1), actor: "test")
            id = r.id
            for _ in 0..<100 where try crashed.generations.record(id).status != .generating { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try crashed.generations.record(id).status == .generating)
            crashed.stop()  // its worker stays stuck in the render, like a dead process
        }
        // "Restart": a new node over the same data directory with the real generator.
        let restarted = try Services(dataDirectory: tmp.directory, policies: policies, modelsDirectory: models)
        defer { restarted.stop() }
        #expect(try restarted.generations.record(id).status == .generating)
        try await restarted.start()
        var status = GenerationStatus.generating
        for _ in 0..<600 {
            status = try restarted.generations.record(id).status
            if ![.queued, .generating, .checking].contains(status) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let record = try restarted.generations.record(id)
        #expect(status == .released && record.postCheck != nil && record.reasons.contains("resumed after an interrupted run"))
        let bytes = [UInt8](try Data(contentsOf: restarted.generations.videoURL(id)))
        #expect(SHA256.hex(bytes) == record.contentSHA256 && bytes.count > 1000)  // not the garbage
    }
}
