import CameoCore
import FaceMatch
import Foundation
import Hummingbird
import Identity
import Ledger
import Store

/// Likeness verification: liveness challenge, response (frames or video), status, erasure.
enum IdentityRoutes {
    struct VerifyIn: Decodable {
        let challengeID: ChallengeID
        let nonce: String
        let frames: [String]?
        let video: String?
        let attestation: String?
        let selfie: String?
        let ownerPublicKey: String?
        enum CodingKeys: String, CodingKey {
            case challengeID = "challenge_id", nonce, frames, video, attestation, selfie, ownerPublicKey = "owner_public_key"
        }
    }

    /// Total decoded pixels a stills answer may carry (checked from the headers before decoding).
    static let framesPixelBudget = 24 * 1920 * 1080

    /// Runs an image-decoder step on `what`, mapping its errors to 413/422.
    static func decoding<T>(_ what: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as any CodedError {
            throw APIError(e.kind == .tooLarge ? .contentTooLarge : .unprocessableContent, e.code, "\(what): \(e.message)")
        }
    }

    static let likenessSchema: JSONValue = ["type": "object", "properties": [
        "subject": ["type": "string"], "status": ["type": "string"], "descriptor_commitment": ["type": "string"],
        "enrolled_at": ["type": ["string", "null"]], "erased_at": ["type": ["string", "null"]], "ledger_index": ["type": ["integer", "null"]],
        "method": ["type": ["string", "null"]], "owner_key_id": ["type": ["string", "null"]],
        "dispute_id": ["type": ["string", "null"]], "protected": ["type": ["string", "null"], "description": "protection category, if protected"]]]

    static func register(_ api: APIBuilder, _ s: Services) {
        api.add(Endpoint(.post, "/v1/likenesses/{subject}/challenge", summary: "Issue a liveness challenge: head turns, blinks and digits to read aloud, with a single-use nonce",
                         roles: ConsentRoutes.service, parameters: [.path("subject", "subject id")],
                         response: Endpoint.json(201, ["type": "object", "properties": [
                            "challenge_id": ["type": "string"], "nonce": ["type": "string"], "poses": ["type": "array", "items": ["type": "string", "enum": ["left", "centre", "right"]]],
                            "blinks": ["type": "integer", "description": "blinks to make during the recording"],
                            "digits": ["type": "string", "description": "digits to read aloud during the recording"],
                            "expires_at": ["type": "string"]]]), errors: [404, 409, 422])) { _, ctx, _ in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let (c, nonce) = try s.likenesses.challenge(subject: subject)
            return try HTTP.json(["challenge_id": .string(c.id.rawValue), "nonce": .string(nonce),
                                  "poses": .array(c.poses.map { .string($0.rawValue) }), "blinks": .int(Int64(c.blinks)), "digits": .string(c.digits),
                                  "expires_at": .string(Timestamp.format(c.expiresAt))],
                                 status: .created)
        }
        api.add(Endpoint(.post, "/v1/likenesses/{subject}/verify",
                         summary: "Answer a challenge: a vendor attestation (JWS) with its selfie (default), or a video / frames where the policy allows; may register an owner key",
                         roles: ConsentRoutes.service, parameters: [.path("subject", "subject id")],
                         request: ["type": "object", "required": ["challenge_id", "nonce"], "properties": [
                            "challenge_id": ["type": "string"], "nonce": ["type": "string"],
                            "attestation": ["type": "string", "description": "compact JWS (EdDSA or ES256) of a trusted identity vendor"],
                            "selfie": ["type": "string", "contentEncoding": "base64", "description": "the JPEG/PNG the attestation's selfie_sha256 covers"],
                            "owner_public_key": ["type": "string", "description": "Ed25519 device key to register: SPKI PEM or raw 32 bytes base64"],
                            "frames": ["type": "array", "maxItems": 120, "items": ["type": "string", "contentEncoding": "base64"]],
                            "video": ["type": "string", "contentEncoding": "base64"]]],
                         response: Endpoint.json(200, likenessSchema), errors: [404, 409, 503])) { req, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let body = try await HTTP.decode(VerifyIn.self, from: req, limit: s.policies.identity.maxBodyBytes)
            let ownerKey = try body.ownerPublicKey.map(OwnerPublicKey.parse)
            let answers = [body.attestation != nil || body.selfie != nil, body.video != nil, body.frames != nil].filter { $0 }.count
            guard answers == 1 else { throw APIError(.unprocessableContent, "invalid_request", "send one answer: attestation with selfie, a video, or frames") }
            let result: VerificationResult
            if body.attestation != nil || body.selfie != nil {
                guard let token = body.attestation, let selfie = body.selfie else {
                    throw APIError(.unprocessableContent, "invalid_request", "an attestation is sent with the selfie it covers")
                }
                guard let bytes = Data(base64Encoded: selfie) else { throw APIError(.unprocessableContent, "invalid_base64", "selfie is not base64") }
                result = try await s.likenesses.verify(subject: subject, challenge: body.challengeID, nonce: body.nonce, attestation: token,
                                                       selfie: [UInt8](bytes), ownerKey: ownerKey, actor: p!.actor)
            } else if let video = body.video {
                let limit = s.policies.identity.video.maxBytes
                // base64 is 4/3 of the bytes: refuse an oversized answer before decoding it.
                guard video.utf8.count / 4 * 3 <= limit + 3 else {
                    throw APIError(.contentTooLarge, "video_too_large", "the video is larger than \(limit) bytes")
                }
                guard let bytes = Data(base64Encoded: video) else { throw APIError(.unprocessableContent, "invalid_base64", "video is not base64") }
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("cameo-verify-\(UUID().uuidString).mp4")
                try bytes.write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                result = try await s.likenesses.verify(subject: subject, challenge: body.challengeID, nonce: body.nonce, video: file, ownerKey: ownerKey, actor: p!.actor)
            } else {
                let frames = body.frames ?? []
                let policy = s.policies.identity
                // Count and size every frame from its header before decoding any of them.
                guard (policy.framesMin...policy.framesMax).contains(frames.count) else {
                    throw APIError(.unprocessableContent, "liveness_frame_count", "send \(policy.framesMin)-\(policy.framesMax) frames, got \(frames.count)")
                }
                var raw: [Data] = []
                var pixels = 0
                for (i, b64) in frames.enumerated() {
                    guard let bytes = Data(base64Encoded: b64) else { throw APIError(.unprocessableContent, "invalid_base64", "frame \(i) is not base64") }
                    let info = try decoding("frame \(i)") { try ImageDecoder().probe(bytes) }
                    pixels += info.width * info.height
                    raw.append(bytes)
                }
                guard pixels <= framesPixelBudget else {
                    throw APIError(.contentTooLarge, "frames_too_large", "the frames hold \(pixels) pixels; at most \(framesPixelBudget) in one answer")
                }
                let images = try raw.enumerated().map { i, bytes in try decoding("frame \(i)") { try ImageDecoder().decode(bytes) } }
                result = try await s.likenesses.verify(subject: subject, challenge: body.challengeID, nonce: body.nonce, frames: images, ownerKey: ownerKey, actor: p!.actor)
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
                out["method"] = r.method.map { .string($0) } ?? .null
                if let e = r.erasedAt { out["erased_at"] = .string(Timestamp.format(e)) }
            }
            out["dispute_id"] = try s.likenesses.disputes.openDispute(of: subject).map { .string($0.id) } ?? .null
            out["protected"] = try s.likenesses.disputes.protection(subject).map { .string($0.category) } ?? .null
            return try HTTP.json(.object(out))
        }
        api.add(Endpoint(.delete, "/v1/likenesses/{subject}", summary: "Erase a likeness, signed by its owner (action likeness.erase): crypto-shredding, owner keys retired, grants revoked",
                         roles: ConsentRoutes.service, parameters: [.path("subject", "subject id")],
                         request: ConsentSchemas.signedStatement(action: "likeness.erase"),
                         response: Endpoint.json(200, ["type": "object", "properties": ["subject": ["type": "string"], "ledger_index": ["type": "integer"]]]),
                         errors: [404, 409, 422])) { req, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let (_, statement) = try await HTTP.signedBody(req, limit: s.policies.security.maxBodyBytes)
            let authorization = try s.ownerSignatures.authorize(statement, .init(subject: subject, action: "likeness.erase"))
            let index = try await s.likenesses.erase(subject: subject, authorization: authorization, actor: p!.actor)
            return try HTTP.json(["subject": .string(subject.rawValue), "ledger_index": .int(Int64(index))])
        }
    }
}
