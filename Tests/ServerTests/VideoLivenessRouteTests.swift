import CameoCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import Policy
import Server
import Store
import CameoCrypto
import Testing
import TestSupport

/// Bad video answers over HTTP, on a node that runs the embedded verifier: each gets its own
/// 4xx code and changes nothing; files refused from their headers leave the challenge usable.
@Suite(.serialized) struct VideoLivenessRouteTests {
    static func videoPolicies() throws -> PolicySet {
        let text = try String(contentsOfFile: RepositoryPaths.policies + "/identity.yaml", encoding: .utf8)
        return try RepositoryPaths.loadPolicies(overriding: ["identity.yaml": text.replacingOccurrences(of: "methods: [attestation]", with: "methods: [attestation, video]")])
    }

    /// Runs ffmpeg with `args` writing `name` in a temporary directory; returns the file's bytes.
    static func ffmpeg(_ name: String, _ args: [String]) throws -> Data {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vl-\(UUID().uuidString)-\(name)")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-v", "error", "-y"] + args + [out.path]
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        try #require(p.terminationStatus == 0, "ffmpeg failed for \(name)")
        return try Data(contentsOf: out)
    }

    static func pattern(seconds: Int, size: String = "320x240", audio: Bool = true, format: [String] = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]) throws -> Data {
        var args = ["-f", "lavfi", "-i", "testsrc=size=\(size):rate=15:duration=\(seconds)"]
        if audio { args += ["-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:a", "aac"] }
        return try ffmpeg(format.contains("avi") ? "x.avi" : "x.mp4", args + format + ["-shortest"])
    }

    @Test func badAnswersGetTheirOwnCodesAndChangeNothing() async throws {
        let node = try await TestNode(policies: Self.videoPolicies())
        try await node.test { c in
            #expect(try await c.call(.post, "/v1/subjects", token: node.service, json: #"{"id":"sub_v","handle":"v"}"#).status == .created)
            let issued = try await c.call(.post, "/v1/likenesses/sub_v/challenge", token: node.service)
            #expect(issued.status == .created)
            let blinks = try #require(issued.body["blinks"]?.intValue), digits = try #require(issued.body["digits"]?.stringValue)
            #expect((1...3).contains(blinks) && (4...6).contains(digits.count) && digits.allSatisfy(\.isNumber))
            let id = issued.body["challenge_id"]!.stringValue!, nonce = issued.body["nonce"]!.stringValue!
            func answer(_ data: Data) async throws -> (HTTPResponse.Status, String?, String) {
                let r = try await c.call(.post, "/v1/likenesses/sub_v/verify", token: node.service,
                                         json: #"{"challenge_id":"\#(id)","nonce":"\#(nonce)","video":"\#(data.base64EncodedString())"}"#)
                return (r.status, r.body["error"]?["code"]?.stringValue, r.text)
            }
            // Refused from the headers: the challenge stays answerable.
            let cases: [(String, Data, HTTPResponse.Status)] = [
                ("liveness_no_audio", try Self.pattern(seconds: 4, audio: false), .unprocessableContent),
                ("video_container", try Self.pattern(seconds: 4, format: ["-c:v", "mpeg4", "-f", "avi"]), .unprocessableContent),
                ("video_duration", try Self.pattern(seconds: 25), .unprocessableContent),
                ("video_duration", try Self.pattern(seconds: 2), .unprocessableContent),
                ("video_pixels", try Self.pattern(seconds: 3, size: "2560x1440"), .contentTooLarge),
                ("video_unreadable", Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }), .unprocessableContent),
            ]
            for (code, data, status) in cases {
                let (s, got, text) = try await answer(data)
                #expect(s == status && got == code, "\(code): \(text)")
            }
            // Admitted, then failed by the checks: a test pattern with a tone has no face.
            let (s, got, text) = try await answer(try Self.pattern(seconds: 4))
            #expect(s == .unprocessableContent && got == "liveness_face_count", "\(text)")
            // Now consumed.
            let (s2, got2, _) = try await answer(try Self.pattern(seconds: 4))
            #expect(s2 == .conflict && got2 == "challenge_used")
            #expect(try await c.call(.get, "/v1/likenesses/sub_v", token: node.service).body["status"] == "unverified")
            // Larger than the body limit: refused before base64 decoding.
            let huge = String(repeating: "A", count: 34 << 20)
            let r = try await c.call(.post, "/v1/likenesses/sub_v/verify", token: node.service,
                                     json: #"{"challenge_id":"\#(id)","nonce":"\#(nonce)","video":"\#(huge)"}"#)
            #expect(r.status == .contentTooLarge, "\(r.status)")
        }
    }

    /// A presentation attack answered over HTTP to a challenge that asks exactly what the
    /// attack shows (stored directly, as a seeded challenge would be): refused with a liveness
    /// code, nothing enrolled, the challenge consumed.
    @Test func aTurnedPrintAnsweringItsOwnChallengeIsRefusedOverHTTP() async throws {
        let file = RepositoryPaths.root.appendingPathComponent(".build/liveness-media/attacks/print_turned.mp4")
        let data = try #require(FileManager.default.contents(atPath: file.path), "run python3 scripts/liveness_media.py (make test does)")
        let node = try await TestNode(policies: Self.videoPolicies())
        let subject = try SubjectID("sub_print")
        _ = try await node.services.consent.upsertSubject(id: subject, handle: "p", externalID: nil)
        let nonce = "00112233445566778899aabbccddeeff", id = ChallengeID.random()
        try node.services.likenesses.store.saveChallenge(ChallengeRow(id: id, subject: subject, poses: ["centre", "left", "centre", "right"], blinks: 2, digits: "3719",
                                                                      nonceHash: SHA256.hex(Array(nonce.utf8)), issuedAt: Date(), expiresAt: Date().addingTimeInterval(120)))
        try await node.test { c in
            let body = #"{"challenge_id":"\#(id.rawValue)","nonce":"\#(nonce)","video":"\#(data.base64EncodedString())"}"#
            let r = try await c.call(.post, "/v1/likenesses/sub_print/verify", token: node.service, json: body)
            #expect(r.status == .unprocessableContent && r.body["error"]?["code"]?.stringValue?.hasPrefix("liveness_") == true, "\(r.text)")
            #expect(try await c.call(.get, "/v1/likenesses/sub_print", token: node.service).body["status"] == "unverified")
            #expect(try await c.call(.post, "/v1/likenesses/sub_print/verify", token: node.service, json: body).body["error"]?["code"] == "challenge_used")
        }
    }
}
