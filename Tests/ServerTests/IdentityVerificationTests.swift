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
import Policy
import Server
import Store
import Testing
import TestSupport

/// Liveness and enrollment with real photos and the real dlib models. Pose frames come from
/// fixture portraits: Obama 2.jpg is turned to his right; its mirror image is turned left;
/// 1.jpg faces the camera.
@Suite(.serialized) struct IdentityVerificationTests {
    static func fixture(_ path: String) -> URL { RepositoryPaths.fixtures.appendingPathComponent(path) }

    /// The repository's policies with the development-only stills method switched on (the
    /// frame checks below still run; every such enrollment says `method: stills`).
    static func stillsPolicies() throws -> PolicySet {
        let text = try String(contentsOfFile: RepositoryPaths.policies + "/identity.yaml", encoding: .utf8)
        return try RepositoryPaths.loadPolicies(overriding: ["identity.yaml": text.replacingOccurrences(of: "methods: [attestation]", with: "methods: [attestation, stills]")])
    }

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

    func attest(_ c: any TestClientProtocol, _ node: TestNode, _ subject: String, photo: String = "faces/obama/1.jpg", device: OwnerDevice? = nil) async throws -> (status: HTTPResponse.Status, body: JSONValue, text: String) {
        let ch = try await challenge(c, node, subject)
        let selfie = try [UInt8](Data(contentsOf: Self.fixture(photo)))
        let token = try node.issuer.attest(subject: SubjectID(subject), nonce: ch.nonce, selfie: selfie)
        let key = try device.map { try $0.key.publicKey.pemSPKI() }
        let body: JSONValue = ["challenge_id": .string(ch.id), "nonce": .string(ch.nonce), "attestation": .string(token),
                               "selfie": .string(Base64.encode(selfie)), "owner_public_key": key.map { .string($0) } ?? .null]
        return try await c.call(.post, "/v1/likenesses/\(subject)/verify", token: node.service, json: String(decoding: try CanonicalJSON.encode(body), as: UTF8.self))
    }

    @Test func aVendorAttestationEnrollsAnEncryptedLikenessAndOnlyTheOwnerCanEraseIt() async throws {
        let node = try await TestNode()
        let db = node.tmp.directory.databasePath
        let device = try OwnerDevice()
        let plaintext = try await node.test { c -> [UInt8] in
            try await subject(c, node, "sub_obama")
            let r = try await attest(c, node, "sub_obama", device: device)
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.body["status"] == "verified" && r.body["method"] == "attestation" && r.body["owner_key_id"]?.stringValue == device.keyID)
            let commitment = r.body["descriptor_commitment"]!.stringValue!
            let shown = try await c.call(.get, "/v1/likenesses/sub_obama", token: node.auditor)
            #expect(shown.body["status"] == "verified" && shown.body["descriptor_commitment"]?.stringValue == commitment && shown.body["method"] == "attestation")
            let keys = try await c.call(.get, "/v1/subjects/sub_obama/owner-keys", token: node.auditor).body["items"]!.arrayValue!
            #expect(keys.map { $0["key_id"] } == [.string(device.keyID)])
            // The ledger names the method, the issuer and the policy, commits to the descriptor and never holds it.
            let entries = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }
            let verified = try #require(entries.first { $0.type == "likeness.verified" })
            #expect(verified.payload["method"] == "attestation" && verified.payload["issuer"]?.stringValue == node.issuer.iss)
            #expect(verified.payload["descriptor_commitment"]?.stringValue == commitment && verified.payload["policy_sha256"]?.stringValue == node.services.policies.hash)
            #expect(verified.payload["owner_key"]?["key_id"]?.stringValue == device.keyID)
            let descriptor = try LikenessStore(ledger: node.services.ledger, masterKey: node.tmp.directory.loadMasterKey()).descriptor(SubjectID("sub_obama"))
            #expect(node.services.likenesses.faces.nearest(to: try FaceDescriptor(descriptor)).first?.id == "sub_obama")
            return descriptor.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
        }
        #expect(!Self.fileContains(db, Array(plaintext.prefix(16))) && !Self.fileContains(db + "-wal", Array(plaintext.prefix(16))),
                "plaintext descriptor bytes found on disk")
        let other = try await node.enroll("sub_kit", "faces/kit_harington/1.jpg")
        try await node.test { c in
            // The platform's key alone, or another subject's key, cannot erase a likeness.
            let unsigned = try await c.call(.delete, "/v1/likenesses/sub_obama", token: node.service)
            #expect(unsigned.status == .unauthorized && unsigned.body["error"]?["code"] == "owner_signature_required")
            let foreign = try await c.call(.delete, "/v1/likenesses/sub_obama", token: node.service, json: try other.sign("{}", "sub_obama", "likeness.erase"))
            #expect(foreign.status == .forbidden && foreign.body["error"]?["code"] == "owner_key_wrong_subject")
            let erasure = try device.sign("{}", "sub_obama", "likeness.erase")
            let erased = try await c.call(.delete, "/v1/likenesses/sub_obama", token: node.service, json: erasure)
            #expect(erased.status == .ok, "\(erased.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_obama", token: node.service).body["status"] == "erased")
            // The erasure retired the device key: neither a replay nor a fresh statement by it works.
            #expect(try await c.call(.delete, "/v1/likenesses/sub_obama", token: node.service, json: erasure).body["error"]?["code"] == "owner_key_removed")
        }
        let store = LikenessStore(ledger: node.services.ledger, masterKey: try node.tmp.directory.loadMasterKey())
        #expect(throws: StoreError.self) { try store.descriptor(SubjectID("sub_obama")) }
        #expect(try store.rawDescriptorCiphertext(SubjectID("sub_obama")) != nil)  // ciphertext remains, key is gone
        #expect(node.services.faces.nearest(to: try FaceDescriptor(plaintext.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })).first?.id != "sub_obama")
        let req = try ConsentRequest(requester: SubjectID("sub_obama"), cameos: [SubjectID("sub_obama")], use: Use("generate"), audience: .onlyMe)
        #expect(try await node.services.consent.check(req).decision.results[0].outcome.code == "owner_erased")
        // The person may enrol again, afresh: a new subject key and commitment, a new device.
        let fresh = try OwnerDevice()
        try await node.test { c in
            let again = try await attest(c, node, "sub_obama", device: fresh)
            #expect(again.status == .ok, "\(again.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_obama", token: node.service).body["status"] == "verified")
        }
        // The ledger still verifies end to end, erasure on record, every consent write owner-signed.
        let key = try node.tmp.directory.loadSigningKey()
        let jsonl: [UInt8] = try node.services.ledger.entries(start: 0, end: 1000).flatMap { $0 + [UInt8(0x0A)] }
        let statements = try OwnerKeyStore(ledger: node.services.ledger).statements(start: 0, end: 1000)
            .flatMap { try CanonicalJSON.encode(["ledger_index": .int(Int64($0.index)), "statement": .string($0.statement)] as JSONValue) + [0x0A] }
        let summary = try BundleVerifier.verify(entriesJSONL: jsonl, checkpointNote: node.services.ledger.checkpoint(key: key).serialized, publicKey: key.publicKey,
                                                statementsJSONL: statements)
        #expect(summary.types["likeness.erased"] == 1 && summary.types["likeness.verified"] == 3)
        #expect(summary.signatures.consentWrites == 1 && summary.signatures.ownerSigned == 1 && summary.signatures.signaturesVerified == 1)
    }

    @Test func stillsAndVideosAreRefusedUnderTheDefaultPolicy() async throws {
        let node = try await TestNode()
        try await node.test { c in
            try await subject(c, node, "sub_obama")
            var ch = try await challenge(c, node, "sub_obama")
            var r = try await verify(c, node, "sub_obama", ch, frames: try Self.frames(for: ch.poses))
            #expect(r.status == .forbidden && r.body["error"]?["code"] == "enrollment_method_disabled", "\(r.text)")
            ch = try await challenge(c, node, "sub_obama")
            let clip = try Data(contentsOf: Self.fixture("video/short_hamilton_clip.mp4")).base64EncodedString()
            r = try await c.call(.post, "/v1/likenesses/sub_obama/verify", token: node.service,
                                 json: #"{"challenge_id":"\#(ch.id)","nonce":"\#(ch.nonce)","video":"\#(clip)"}"#)
            #expect(r.status == .forbidden && r.body["error"]?["code"] == "enrollment_method_disabled", "\(r.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_obama", token: node.service).body["status"] == "unverified")
        }
    }

    @Test func underTheStillsSwitchReplaysMixedIdentitiesReusedNoncesAndExpiredChallengesFailWithTheirOwnCodes() async throws {
        let node = try await TestNode(policies: Self.stillsPolicies())
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

    @Test func aStillsEnrollmentIsLabelledStillsInTheLedger() async throws {
        let node = try await TestNode(policies: Self.stillsPolicies())
        try await node.test { c in
            try await subject(c, node, "sub_obama")
            let ch = try await challenge(c, node, "sub_obama")
            let r = try await verify(c, node, "sub_obama", ch, frames: try Self.frames(for: ch.poses))
            #expect(r.status == .ok && r.body["method"] == "stills", "\(r.text)")
        }
        let verified = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }.first { $0.type == "likeness.verified" }
        #expect(verified?.payload["method"] == "stills")
    }

    @Test func aFaceEnrolledForSomeoneElseOpensADisputeInsteadOfBeingTakenOver() async throws {
        let node = try await TestNode()
        try await node.test { c in
            try await subject(c, node, "sub_real")
            try await subject(c, node, "sub_fake")
            #expect(try await attest(c, node, "sub_real").status == .ok)
            let r = try await attest(c, node, "sub_fake", photo: "faces/obama/3-720p.jpg")
            #expect(r.status == .ok && r.body["status"] == "disputed" && r.body["dispute_id"]?.stringValue?.hasPrefix("dsp_") == true, "\(r.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_fake", token: node.service).body["status"] == "disputed")
            #expect(try await c.call(.get, "/v1/likenesses/sub_real", token: node.service).body["status"] == "disputed")
        }
    }

    static func fileContains(_ path: String, _ needle: [UInt8]) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let hay = [UInt8](data)
        guard hay.count >= needle.count else { return false }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle { return true }
        return false
    }
}
