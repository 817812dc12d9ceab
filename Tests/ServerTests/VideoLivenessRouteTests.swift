import CameoCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import Policy
import Server
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
}
