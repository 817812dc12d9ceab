import CameoCore
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Ledger
import Store
import Takedown

/// Likeness disputes (a face enrolled for two subjects) and protected likenesses: senior
/// moderators decide and protect; every moderator can read.
enum DisputeRoutes {
    static let disputeSchema: JSONValue = ["type": "object", "properties": [
        "id": ["type": "string"], "subject": ["type": "string"], "earlier_subject": ["type": "string"], "distance": ["type": "number"],
        "threshold": ["type": "number"], "protected": ["type": "boolean"], "status": ["type": "string", "enum": ["open", "decided"]],
        "sla_deadline": ["type": "string"], "sla_breached": ["type": "boolean"],
        "decision": ["type": ["string", "null"], "enum": ["different_people", "keep_earlier", "transfer", .null]]]]

    static func json(_ d: DisputeRow, now: Date = Date()) throws -> JSONValue {
        let enc = JSONEncoder()
        enc.dateEncodingStrategy = .custom { d, e in var s = e.singleValueContainer(); try s.encode(Timestamp.format(d)) }
        guard case .object(var o) = try JSONValue.parse(try enc.encode(d)) else { return .null }
        o["sla_breached"] = .bool(d.status == "open" && now > d.slaDeadline)
        o["decision"] = d.decision.map { .string($0.rawValue) } ?? .null
        return .object(o)
    }

    struct DecideIn: Decodable { let decision: DisputeDecision; let reason: String }
    struct ProtectIn: Decodable { let category: String; let reason: String }
    struct UnprotectIn: Decodable { let reason: String }

    static func register(_ api: APIBuilder, _ s: Services) {
        let limit = s.policies.security.maxBodyBytes
        let t = s.takedowns
        api.add(Endpoint(.get, "/v1/disputes", summary: "Likeness disputes, open ones by deadline (status=decided for the decided ones)",
                         roles: TakedownRoutes.moderators,
                         parameters: [.init(name: "status", location: "query", required: false, schema: ["type": "string", "enum": ["open", "decided"]], description: "open (default) or decided")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["disputes": ["type": "array", "items": disputeSchema]]]), errors: [422])) { req, _, _ in
            let status = req.uri.queryParameters["status"].map(String.init) ?? "open"
            return try HTTP.json(["disputes": .array(try t.disputes(status: status).map { try json($0) })])
        }
        api.add(Endpoint(.get, "/v1/disputes/{id}", summary: "One likeness dispute", roles: TakedownRoutes.moderators,
                         parameters: [.path("id", "dispute id")], response: Endpoint.json(200, disputeSchema), errors: [404])) { _, ctx, _ in
            try HTTP.json(try json(try t.dispute(ctx.parameters.require("id"))))
        }
        api.add(Endpoint(.get, "/v1/disputes/{id}/sheet", summary: "Contact sheet PNG: both enrollments' reference faces side by side with their distance",
                         roles: TakedownRoutes.moderators, parameters: [.path("id", "dispute id")],
                         response: (200, "image/png", ["type": "string", "format": "binary"]), errors: [404])) { _, ctx, _ in
            let id = try ctx.parameters.require("id")
            let png = try await BackgroundWork.run { try t.disputeSheet(id) }
            var headers = HTTPFields()
            headers[.contentType] = "image/png"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        api.add(Endpoint(.post, "/v1/disputes/{id}/decide", summary: "Settle a dispute (senior): different_people, keep_earlier, or transfer (the earlier likeness erased, its clips withheld, a strike)",
                         roles: [.senior], parameters: [.path("id", "dispute id")],
                         request: ["type": "object", "required": ["decision", "reason"], "properties": [
                            "decision": ["type": "string", "enum": ["different_people", "keep_earlier", "transfer"]],
                            "reason": ["type": "string", "minLength": 10, "maxLength": 5000]]],
                         response: Endpoint.json(200, disputeSchema), errors: [403, 404, 409])) { req, ctx, p in
            let body = try await HTTP.decode(DecideIn.self, from: req, limit: limit)
            let d = try await t.decideDispute(ctx.parameters.require("id"), body.decision, reason: body.reason, moderator: p!.actor, isSenior: p!.role == .senior)
            return try HTTP.json(try json(d))
        }
        api.add(Endpoint(.post, "/v1/likenesses/{subject}/protection", summary: "Protect a likeness (senior): public_figure, deceased (an estate's request) or minor",
                         roles: [.senior], parameters: [.path("subject", "subject id")],
                         request: ["type": "object", "required": ["category", "reason"], "properties": [
                            "category": ["type": "string", "enum": ["public_figure", "deceased", "minor"]], "reason": ["type": "string", "minLength": 10, "maxLength": 5000]]],
                         response: Endpoint.json(201, ["type": "object", "properties": ["subject": ["type": "string"], "ledger_index": ["type": "integer"]]]),
                         errors: [404, 409])) { req, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let body = try await HTTP.decode(ProtectIn.self, from: req, limit: limit)
            let index = try await t.protect(subject, category: body.category, reason: body.reason, moderator: p!.actor, isSenior: p!.role == .senior)
            return try HTTP.json(["subject": .string(subject.rawValue), "ledger_index": .int(Int64(index))], status: .created)
        }
        api.add(Endpoint(.delete, "/v1/likenesses/{subject}/protection", summary: "Lift a likeness's protection (senior)",
                         roles: [.senior], parameters: [.path("subject", "subject id")],
                         request: ["type": "object", "required": ["reason"], "properties": ["reason": ["type": "string", "minLength": 10, "maxLength": 5000]]],
                         response: Endpoint.json(200, ["type": "object", "properties": ["subject": ["type": "string"], "ledger_index": ["type": "integer"]]]),
                         errors: [404])) { req, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("subject"))
            let body = try await HTTP.decode(UnprotectIn.self, from: req, limit: limit)
            let index = try await t.unprotect(subject, reason: body.reason, moderator: p!.actor, isSenior: p!.role == .senior)
            return try HTTP.json(["subject": .string(subject.rawValue), "ledger_index": .int(Int64(index))])
        }
    }
}
