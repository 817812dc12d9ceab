import CameoCore
import CameoCrypto
import Consent
import FaceMatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Identity
import Ledger
import Server
import Store
import Testing
import TestSupport

/// Liveness and enrollment with real photos and the real dlib models. Pose frames come from
/// fixture portraits: Obama 2.jpg is turned to his right; its mirror image is turned left;
/// 1.jpg faces the camera.
@Suite(.serialized) struct IdentityVerificationTests {
    static func fixture(_ path: String) -> URL { RepositoryPaths.fixtures.appendingPathComponent(path) }

    /// Base64 of a fixture file, optionally mirrored with ffmpeg's hflip (a real, re-encoded picture).
    static func frame(_ path: String, mirrored: Bool = false) throws -> String {
        guard mirrored else { return try Data(contentsOf: fixture(path)).base64EncodedString() }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-v", "error", "-y", "-i", fixture(path).path, "-vf", "hflip", out.path]
        try p.run(); p.waitUntilExit()
        try #require(p.terminationStatus == 0, "ffmpeg hflip failed")
        return try Data(contentsOf: out).base64EncodedString()
    }

    /// Frames answering `poses` with one identity's portraits.
    static func frames(for poses: [String], turned: String = "faces/obama/2.jpg", frontal: String = "faces/obama/1.jpg") throws -> [String] {
        try poses.map { pose in
            switch pose {
            case "right": try frame(turned)
            case "left": try frame(turned, mirrored: true)
            default: try frame(frontal)
            }
        }
    }

    func subject(_ c: any TestClientProtocol, _ node: TestNode, _ id: String) async throws {
        let r = try await c.call(.post, "/v1/subjects", token: node.service, json: #"{"id":"\#(id)","handle":"\#(id)"}"#)
        #expect(r.status == .created)
    }

    func challenge(_ c: any TestClientProtocol, _ node: TestNode, _ subject: String) async throws -> (id: String, nonce: String, poses: [String]) {
        let r = try await c.call(.post, "/v1/likenesses/\(subject)/challenge", token: node.service)
        #expect(r.status == .created, "\(r.text)")
        let poses = r.body["poses"]!.arrayValue!.map { $0.stringValue! }
        #expect(poses.count >= 3 && Set(poses).count >= 2)
        return (r.body["challenge_id"]!.stringValue!, r.body["nonce"]!.stringValue!, poses)
    }

    func verify(_ c: any TestClientProtocol, _ node: TestNode, _ subject: String, _ ch: (id: String, nonce: String, poses: [String]), frames: [String]) async throws -> (status: HTTPResponse.Status, body: JSONValue, text: String) {
        let list = frames.map { "\"\($0)\"" }.joined(separator: ",")
        return try await c.call(.post, "/v1/likenesses/\(subject)/verify", token: node.service,
                                json: #"{"challenge_id":"\#(ch.id)","nonce":"\#(ch.nonce)","frames":[\#(list)]}"#)
    }

    @Test func aLiveResponseEnrollsAnEncryptedLikenessAndErasureShredsIt() async throws {
        let node = try await TestNode()
        let db = node.tmp.directory.databasePath
        let plaintext = try await node.test { c -> [UInt8] in
            try await subject(c, node, "sub_obama")
            let ch = try await challenge(c, node, "sub_obama")
            let r = try await verify(c, node, "sub_obama", ch, frames: try Self.frames(for: ch.poses))
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.body["status"] == "verified")
            let commitment = r.body["descriptor_commitment"]!.stringValue!
            let shown = try await c.call(.get, "/v1/likenesses/sub_obama", token: node.auditor)
            #expect(shown.body["status"] == "verified" && shown.body["descriptor_commitment"]?.stringValue == commitment)
            // The ledger holds the commitment, never the descriptor.
            let entries = try node.services.ledger.entries(start: 0, end: 100).map { String(decoding: $0, as: UTF8.self) }
            let verified = try #require(entries.first { $0.contains("likeness.verified") })
            #expect(verified.contains(commitment))
            let descriptor = try node.services.likenesses.faces.nearest(to: FaceDescriptor(LikenessStore(ledger: node.services.ledger, masterKey: node.tmp.directory.loadMasterKey()).descriptor(SubjectID("sub_obama"))))
            #expect(descriptor.first?.id == "sub_obama" && descriptor.first!.distance < 0.001)
            return try LikenessStore(ledger: node.services.ledger, masterKey: node.tmp.directory.loadMasterKey()).descriptor(SubjectID("sub_obama"))
                .flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        }
        #expect(!Self.fileContains(db, Array(plaintext.prefix(16))) && !Self.fileContains(db + "-wal", Array(plaintext.prefix(16))),
                "plaintext descriptor bytes found on disk")
        try await node.test { c in
            let erased = try await c.call(.delete, "/v1/likenesses/sub_obama", token: node.service)
            #expect(erased.status == .ok, "\(erased.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_obama", token: node.service).body["status"] == "erased")
            #expect(try await c.call(.delete, "/v1/likenesses/sub_obama", token: node.service).status == .conflict)
            #expect(try await c.call(.post, "/v1/likenesses/sub_obama/challenge", token: node.service).status == .conflict)
        }
        let store = LikenessStore(ledger: node.services.ledger, masterKey: try node.tmp.directory.loadMasterKey())
        #expect(throws: StoreError.self) { try store.descriptor(SubjectID("sub_obama")) }
        #expect(try store.rawDescriptorCiphertext(SubjectID("sub_obama")) != nil)  // ciphertext remains, key is gone
        #expect(node.services.faces.nearest(to: try FaceDescriptor(plaintext.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })).isEmpty)
        let req = try ConsentRequest(requester: SubjectID("sub_obama"), cameos: [SubjectID("sub_obama")], use: Use("generate"), audience: .onlyMe)
        #expect(try await node.services.consent.check(req).decision.results[0].outcome.code == "owner_erased")
        // The ledger still verifies end to end after erasure.
        let key = try node.tmp.directory.loadSigningKey()
        let jsonl: [UInt8] = try node.services.ledger.entries(start: 0, end: 1000).flatMap { $0 + [UInt8(0x0A)] }
        let summary = try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: node.services.ledger.checkpoint(key: key).serialized, publicKey: key.publicKey)
        #expect(summary.types["likeness.erased"] == 1 && summary.types["likeness.verified"] == 1)
    }

    @Test func replaysMixedIdentitiesReusedNoncesAndExpiredChallengesFailWithTheirOwnCodes() async throws {
        let node = try await TestNode()
        try await node.test { c in
            try await subject(c, node, "sub_a")
            // a still photo replayed for every pose
            var ch = try await challenge(c, node, "sub_a")
            let still = try Self.frame("faces/obama/1.jpg")
            var r = try await verify(c, node, "sub_a", ch, frames: Array(repeating: still, count: ch.poses.count))
            #expect(r.status == .unprocessableContent && r.body["error"]?["code"] == "liveness_replay", "\(r.text)")
            // the same challenge cannot be answered twice
            r = try await verify(c, node, "sub_a", ch, frames: try Self.frames(for: ch.poses))
            #expect(r.status == .conflict && r.body["error"]?["code"] == "challenge_used", "\(r.text)")
            // a different person in one of the frames
            ch = try await challenge(c, node, "sub_a")
            var mixed = try Self.frames(for: ch.poses)
            let centreOrAny = ch.poses.firstIndex(of: "centre") ?? 0
            mixed[centreOrAny] = try Self.frame("faces/biden/2.jpg")
            r = try await verify(c, node, "sub_a", ch, frames: mixed)
            #expect(r.body["error"]?["code"] == "liveness_identity_mismatch", "\(r.text)")
            // poses in the wrong order (a palindrome reversed is the right order: ask again)
            repeat { ch = try await challenge(c, node, "sub_a") } while ch.poses == ch.poses.reversed()
            r = try await verify(c, node, "sub_a", ch, frames: try Self.frames(for: ch.poses.reversed()))
            #expect(r.body["error"]?["code"] == "liveness_pose_mismatch", "\(r.text)")
            // two people in a frame
            ch = try await challenge(c, node, "sub_a")
            var group = try Self.frames(for: ch.poses)
            group[0] = try Self.frame("groups/two_people.jpg")
            r = try await verify(c, node, "sub_a", ch, frames: group)
            #expect(r.body["error"]?["code"] == "liveness_face_count", "\(r.text)")
            // a wrong nonce, and a corrupt frame
            ch = try await challenge(c, node, "sub_a")
            r = try await verify(c, node, "sub_a", (ch.id, "00" + ch.nonce.dropFirst(2), ch.poses), frames: try Self.frames(for: ch.poses))
            #expect(r.status == .forbidden && r.body["error"]?["code"] == "nonce_mismatch", "\(r.text)")
            ch = try await challenge(c, node, "sub_a")
            var corrupt = try Self.frames(for: ch.poses)
            corrupt[1] = Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).base64EncodedString()
            r = try await verify(c, node, "sub_a", ch, frames: corrupt)
            #expect(r.status == .unprocessableContent && r.body["error"]?["code"] == "image_corrupt", "\(r.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_a", token: node.service).body["status"] == "unverified")
        }
        // an expired challenge (the service takes `now`; no sleeping in tests)
        let (c, nonce) = try node.services.likenesses.challenge(subject: SubjectID("sub_a"))
        let images = try ["faces/obama/2.jpg", "faces/obama/1.jpg", "faces/obama/2.jpg"].map { try ImageDecoder().decode(Data(contentsOf: Self.fixture($0))) }
        await #expect(throws: IdentityError.self) {
            _ = try await node.services.likenesses.verify(subject: SubjectID("sub_a"), challenge: c.id, nonce: nonce, frames: images,
                                                          actor: "test", now: c.expiresAt.addingTimeInterval(1))
        }
        do {
            _ = try await node.services.likenesses.verify(subject: SubjectID("sub_a"), challenge: c.id, nonce: nonce, frames: images, actor: "test")
            Issue.record("a consumed challenge verified")
        } catch let e as StoreError { #expect(e.code == "challenge_used") }
    }

    @Test func aFaceEnrolledForSomeoneElseIsFlaggedNotAccepted() async throws {
        let node = try await TestNode()
        try await node.test { c in
            try await subject(c, node, "sub_real")
            try await subject(c, node, "sub_fake")
            var ch = try await challenge(c, node, "sub_real")
            #expect(try await verify(c, node, "sub_real", ch, frames: try Self.frames(for: ch.poses)).status == .ok)
            ch = try await challenge(c, node, "sub_fake")
            let r = try await verify(c, node, "sub_fake", ch, frames: try Self.frames(for: ch.poses, frontal: "faces/obama/3-720p.jpg"))
            #expect(r.status == .conflict && r.body["error"]?["code"] == "likeness_conflict", "\(r.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_fake", token: node.service).body["status"] == "unverified")
        }
        let entries = try node.services.ledger.entries(start: 0, end: 100).map { String(decoding: $0, as: UTF8.self) }
        #expect(entries.filter { $0.contains("likeness.flagged") && $0.contains("sub_real") }.count == 1)
    }

    static func fileContains(_ path: String, _ needle: [UInt8]) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let hay = [UInt8](data)
        guard hay.count >= needle.count else { return false }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return true }
        return false
    }
}
