import CameoCore
import FaceMatch
import Foundation
import Hummingbird
import Identity
import Ledger

/// Likeness verification: liveness challenge, response (frames or video), status, erasure.
enum IdentityRoutes {
    struct VerifyIn: Decodable {
        let challengeID: ChallengeID
        let nonce: String
        let frames: [String]?
        let video: String?
        enum CodingKeys: String, CodingKey { case challengeID = "challenge_id", nonce, frames, video }
    }

    static let likenessSchema: JSONValue = ["type": "object", "properties": [
        "subject": ["type": "string"], "status": ["type": "string"], "descriptor_commitment": ["type": "string"],
        "enrolled_at": ["type": ["string", "null"]], "erased_at": ["type": ["string", "null"]], "ledger_index": ["type": ["integer", "null"]]]]

    static func register(_ api: APIBuilder, _ s: Services) {
        api.add(Endpoint(.post, "/v1/likenesses/{subject}/challenge", summary: "Issue a liveness challenge (head poses + single-use nonce)",
                         roles: ConsentRoutes.service, parameters: [.path("subject", "subject id")],
                         response: Endpoint.json(201, ["type": "object", "properties": [
                            "challenge_id": ["type": "string"], "nonce": ["type": "string"], "poses": ["type": "array", "items": ["type": "string", "enum": ["left", "centre", "right"]]],
                            "expires_at": ["type": "string"]]]), errors: [404, 409, 422])) { _, ctx, _ in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let (c, nonce) = try s.likenesses.challenge(subject: subject)
            return try HTTP.json(["challenge_id": .string(c.id.rawValue), "nonce": .string(nonce),
                                  "poses": .array(c.poses.map { .string($0.rawValue) }), "expires_at": .string(Timestamp.format(c.expiresAt))],
                                 status: .created)
        }
        api.add(Endpoint(.post, "/v1/likenesses/{subject}/verify", summary: "Answer a challenge with frames (base64 JPEG/PNG) or a video (base64 MP4)",
                         roles: ConsentRoutes.service, parameters: [.path("subject", "subject id")],
                         request: ["type": "object", "required": ["challenge_id", "nonce"], "properties": [
                            "challenge_id": ["type": "string"], "nonce": ["type": "string"],
                            "frames": ["type": "array", "maxItems": 120, "items": ["type": "string", "contentEncoding": "base64"]],
                            "video": ["type": "string", "contentEncoding": "base64"]]],
                         response: Endpoint.json(200, likenessSchema), errors: [404, 409, 503])) { req, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let body = try await HTTP.decode(VerifyIn.self, from: req, limit: s.policies.identity.maxBodyBytes)
            let result: VerificationResult
            if let video = body.video {
                guard body.frames == nil else { throw APIError(.unprocessableContent, "invalid_request", "send frames or video, not both") }
                guard let bytes = Data(base64Encoded: video) else { throw APIError(.unprocessableContent, "invalid_base64", "video is not base64") }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("cameo-verify-\(UUID().uuidString).mp4")
                try bytes.write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                result = try await s.likenesses.verify(subject: subject, challenge: body.challengeID, nonce: body.nonce, video: file, actor: p!.actor)
            } else {
                guard let frames = body.frames, !frames.isEmpty else { throw APIError(.unprocessableContent, "invalid_request", "frames or video is required") }
                let decoder = ImageDecoder()
                let images = try frames.enumerated().map { i, b64 -> RGBImage in
                    guard let bytes = Data(base64Encoded: b64) else { throw APIError(.unprocessableContent, "invalid_base64", "frame \(i) is not base64") }
                    do { return try decoder.decode(bytes) } catch let e as any CodedError {
                        throw APIError(e.kind == .tooLarge ? .contentTooLarge : .unprocessableContent, e.code, "frame \(i): \(e.message)")
                    }
                }
                result = try await s.likenesses.verify(subject: subject, challenge: body.challengeID, nonce: body.nonce, frames: images, actor: p!.actor)
            }
            return try HTTP.json(result)
        }
        api.add(Endpoint(.get, "/v1/likenesses/{subject}", summary: "Likeness status and descriptor commitment (never the descriptor)",
                         roles: ConsentRoutes.readers, parameters: [.path("subject", "subject id")],
                         response: Endpoint.json(200, likenessSchema), errors: [404, 422])) { _, ctx, _ in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            guard let status = try s.consent.subject(subject)?.status else { throw APIError(.notFound, "unknown_subject", "no subject \(subject)") }
            let r = try s.likenesses.record(subject)
            var out: [String: JSONValue] = ["subject": .string(subject.rawValue), "status": .string(status.likeness.rawValue),
                                            "descriptor_commitment": .null, "enrolled_at": .null, "erased_at": .null, "ledger_index": .null]
            if let r {
                out["descriptor_commitment"] = .string(r.commitment)
                out["enrolled_at"] = .string(Timestamp.format(r.enrolledAt))
                out["ledger_index"] = .int(Int64(r.ledgerIndex))
                if let e = r.erasedAt { out["erased_at"] = .string(Timestamp.format(e)) }
            }
            return try HTTP.json(.object(out))
        }
        api.add(Endpoint(.delete, "/v1/likenesses/{subject}", summary: "Erase a likeness (crypto-shredding of the per-subject key)",
                         roles: ConsentRoutes.service, parameters: [.path("subject", "subject id")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["subject": ["type": "string"], "ledger_index": ["type": "integer"]]]),
                         errors: [404, 409, 422])) { _, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let index = try await s.likenesses.erase(subject: subject, actor: p!.actor)
            return try HTTP.json(["subject": .string(subject.rawValue), "ledger_index": .int(Int64(index))])
        }
    }
}
