import CameoCore
import Foundation
import Generation
import HTTPTypes
import Hummingbird
import Ledger

/// Generations: request, status, video and manifest, owner appearances, removal.
enum GenerationRoutes {
    static let recordSchema: JSONValue = ["type": "object", "properties": [
        "id": ["type": "string"], "status": ["type": "string", "enum": .array(GenerationStatus.allCases.map { .string($0.rawValue) })],
        "reasons": ["type": "array", "items": ["type": "string"]], "tags": ["type": "array"], "post_check": ["type": ["object", "null"]],
        "content_sha256": ["type": ["string", "null"]], "ledger_index": ["type": ["integer", "null"]]]]

    static func json(_ r: GenerationRecord) throws -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(r.id), "status": .string(r.status.rawValue), "requester": .string(r.request.requester.rawValue),
            "cameos": .array(r.request.cameos.map { .string($0.rawValue) }), "tags": .array(r.tags.map { .string($0) }),
            "reasons": .array(r.reasons.map { .string($0) }), "grant_ids": .array(r.grantIDs.map { .string($0) }),
            "receipts": .array(r.receipts), "seed": .string(String(r.seed)),
            "post_check": try r.postCheck.map { try JSONValue.from($0) } ?? .null,
            "content_sha256": r.contentSHA256.map { .string($0) } ?? .null,
            "ledger_index": r.ledgerIndex.map { .int(Int64($0)) } ?? .null,
            "timings": .object((r.timings ?? [:]).mapValues { .double($0) }),
            "created_at": .string(Timestamp.format(r.createdAt)), "updated_at": .string(Timestamp.format(r.updatedAt)),
        ]
        if let rid = r.request.requestID { o["request_id"] = .string(rid) }
        return .object(o)
    }

    static func register(_ api: APIBuilder, _ s: Services) {
        let limit = s.policies.security.maxBodyBytes
        api.add(Endpoint(.post, "/v1/generations", summary: "Request a clip; pre-checks run now, the generator only if they pass", roles: ConsentRoutes.service,
                         request: ["type": "object", "required": ["requester", "prompt", "cameos", "use", "audience"], "properties": [
                            "request_id": ["type": "string", "minLength": 1, "maxLength": 128], "requester": ConsentSchemas.id,
                            "prompt": ["type": "string", "minLength": 1, "maxLength": 2000], "cameos": ["type": "array", "minItems": 1, "maxItems": 4, "items": ConsentSchemas.id],
                            "use": ConsentSchemas.label, "audience": ConsentSchemas.visibility, "seed": ["type": "integer", "minimum": 0]]],
                         response: Endpoint.json(202, recordSchema), errors: [404, 409])) { req, _, p in
            let body = try await HTTP.decode(GenerationRequest.self, from: req, limit: limit)
            return try HTTP.json(try json(try await s.generations.submit(body, actor: p!.actor)), status: .accepted)
        }
        api.add(Endpoint(.get, "/v1/generations/{id}", summary: "Status, reasons, checks", roles: ConsentRoutes.readers,
                         parameters: [.path("id", "generation id")], response: Endpoint.json(200, recordSchema), errors: [404])) { _, ctx, _ in
            try HTTP.json(try json(try s.generations.record(ctx.parameters.require("id"))))
        }
        api.add(Endpoint(.get, "/v1/generations", summary: "Recent generations (optionally of one requester)", roles: ConsentRoutes.readers,
                         parameters: [.init(name: "requester", location: "query", required: false, schema: ConsentSchemas.id, description: "requester id")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["items": ["type": "array", "items": recordSchema]]]), errors: [422])) { req, _, _ in
            let requester = try req.uri.queryParameters["requester"].map { try SubjectID(String($0)) }
            return try HTTP.json(["items": .array(try s.generations.list(requester: requester, limit: 100).map(json))])
        }
        api.add(Endpoint(.get, "/v1/generations/{id}/video", summary: "The released MP4", roles: ConsentRoutes.readers,
                         parameters: [.path("id", "generation id")], response: (200, "video/mp4", ["type": "string", "format": "binary"]), errors: [404, 409])) { _, ctx, _ in
            let r = try s.generations.record(ctx.parameters.require("id"))
            guard r.status == .released else { throw APIError(.conflict, "not_released", "generation \(r.id) is \(r.status.rawValue), not released") }
            let data = try Data(contentsOf: s.generations.videoURL(r.id))
            var headers = HTTPFields()
            headers[.contentType] = "video/mp4"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        api.add(Endpoint(.get, "/v1/generations/{id}/manifest", summary: "The signed provenance manifest", roles: ConsentRoutes.readers,
                         parameters: [.path("id", "generation id")], response: Endpoint.json(200, ConsentSchemas.signed), errors: [404, 409])) { _, ctx, _ in
            let r = try s.generations.record(ctx.parameters.require("id"))
            guard r.status == .released, let m = r.manifest else { throw APIError(.conflict, "not_released", "generation \(r.id) is \(r.status.rawValue), not released") }
            return try HTTP.json(m)
        }
        api.add(Endpoint(.get, "/v1/subjects/{id}/appearances", summary: "Every generation with this person's cameo or face (drafts and quarantined too)", roles: ConsentRoutes.readers,
                         parameters: [.path("id", "subject id")], response: Endpoint.json(200, ["type": "object", "properties": ["items": ["type": "array", "items": recordSchema]]]),
                         errors: [422])) { _, ctx, _ in
            let subject = try SubjectID(ctx.parameters.require("id"))
            return try HTTP.json(["items": .array(try s.generations.appearances(of: subject).map(json))])
        }
        api.add(Endpoint(.delete, "/v1/generations/{id}", summary: "Remove a generation on behalf of its requester or a person in it, signed by that person (action generation.remove)",
                         roles: ConsentRoutes.service,
                         parameters: [.path("id", "generation id"), .init(name: "on_behalf_of", location: "query", required: true, schema: ConsentSchemas.id, description: "subject asking (the statement's subject)")],
                         request: ConsentSchemas.signedStatement(action: "generation.remove", required: ["generation_id"], properties: ["generation_id": ["type": "string"]]),
                         response: Endpoint.json(200, recordSchema), errors: [400, 404, 409, 422])) { req, ctx, p in
            guard let who = req.uri.queryParameters["on_behalf_of"] else { throw APIError(.badRequest, "missing_query", "query parameter on_behalf_of is required") }
            let id = try ctx.parameters.require("id")
            let subject = try SubjectID(String(who))
            let (_, statement) = try await HTTP.signedBody(req, limit: limit)
            _ = try s.generations.record(id)  // 404 before any signature is looked at
            let authorization = try s.ownerSignatures.authorize(statement, .init(subject: subject, action: "generation.remove", targets: ["generation_id": id]))
            let r = try await s.generations.remove(id, onBehalfOf: subject, authorization: authorization, reason: "requested by \(who)", actor: p!.actor)
            return try HTTP.json(try json(r))
        }
    }
}
