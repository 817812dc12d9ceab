import CameoCore
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Ledger
import Takedown

/// Reports (backend), the moderator queue, counter-notices, court actions and appeals.
enum TakedownRoutes {
    static let moderators: Set<Role> = [.moderator, .senior]
    static let caseSchema: JSONValue = ["type": "object", "properties": [
        "id": ["type": "string"], "status": ["type": "string"], "priority": ["type": "integer"], "sla_deadline": ["type": "string"],
        "report": ["type": "object"], "decision": ["type": ["object", "null"]], "evidence": ["type": "object"], "history": ["type": "array"]]]

    static func json(_ c: TakedownCase) throws -> JSONValue {
        let enc = JSONEncoder()
        enc.dateEncodingStrategy = .custom { d, e in var s = e.singleValueContainer(); try s.encode(Timestamp.format(d)) }
        enc.outputFormatting = .sortedKeys
        enc.keyEncodingStrategy = .convertToSnakeCase
        var v = try JSONValue.parse(try enc.encode(c))
        if case .object(var o) = v {
            o["sla_breached"] = .bool(c.decision == nil && Date() > c.slaDeadline)
            v = .object(o)
        }
        return v
    }

    struct DecideIn: Decodable { let action: ModerationAction; let ground: String; let reason: String }
    struct NoteIn: Decodable { let note: String }
    struct AppealIn: Decodable { let statement: String }

    static let reportTypes = ["copyright", "likeness", "misuse"]
    static let typeParameter = Endpoint.Parameter(name: "type", location: "query", required: false,
                                                  schema: ["type": "string", "enum": .array(reportTypes.map { .string($0) })], description: "report type")

    /// The `type` query parameter: absent, or one of the report types (`422 invalid_type` otherwise).
    static func reportType(_ req: Request) throws -> String? {
        guard let raw = req.uri.queryParameters["type"].map(String.init) else { return nil }
        guard reportTypes.contains(raw) else { throw APIError(.unprocessableContent, "invalid_type", "type must be one of \(reportTypes.joined(separator: ", "))") }
        return raw
    }

    static func register(_ api: APIBuilder, _ s: Services) {
        let limit = s.policies.security.maxBodyBytes
        let t = s.takedowns
        api.add(Endpoint(.post, "/v1/reports", summary: "Report a clip: copyright (DMCA §512(c)(3)), likeness, or misuse; idempotent on client_report_id",
                         roles: ConsentRoutes.service,
                         request: ["type": "object", "required": ["type", "client_report_id", "generation_id"], "properties": [
                            "type": ["type": "string", "enum": ["copyright", "likeness", "misuse"]], "client_report_id": ["type": "string", "minLength": 1, "maxLength": 128],
                            "generation_id": ["type": "string"], "reporter": ConsentSchemas.id, "notice": ["type": "object"],
                            "category": ["type": "string"], "details": ["type": "string", "maxLength": 5000]]],
                         response: Endpoint.json(201, caseSchema), errors: [404, 409], alsoSuccess: [200])) { req, _, p in
            let body = try await HTTP.decode(ReportIn.self, from: req, limit: limit)
            let (c, created) = try await t.submit(body, actor: p!.actor)
            return try HTTP.json(try json(c), status: created ? .created : .ok)
        }
        api.add(Endpoint(.get, "/v1/queue", summary: "Waiting items, highest priority first (all=1: every case)", roles: moderators,
                         parameters: [typeParameter,
                                      .init(name: "all", location: "query", required: false, schema: ["type": "string"], description: "1 to list every case")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["items": ["type": "array", "items": caseSchema]]]))) { req, _, _ in
            let type = try reportType(req)
            let items = req.uri.queryParameters["all"] == "1" ? try t.all(type: type) : try t.queue(type: type)
            return try HTTP.json(["items": .array(try items.map(json))])
        }
        api.add(Endpoint(.post, "/v1/queue/next", summary: "Claim the highest-priority item you may take", roles: moderators,
                         parameters: [typeParameter], response: Endpoint.json(200, caseSchema), errors: [404])) { req, _, p in
            guard let c = try await t.next(moderator: p!.actor, isSenior: p!.role == .senior, type: try reportType(req)) else {
                throw APIError(.notFound, "queue_empty", "no item is waiting for you")
            }
            return try HTTP.json(try json(c))
        }
        api.add(Endpoint(.get, "/v1/queue/{id}", summary: "One case with evidence, history and statement of reasons", roles: moderators,
                         parameters: [.path("id", "case id")], response: Endpoint.json(200, caseSchema), errors: [404])) { _, ctx, _ in
            try HTTP.json(try json(try t.show(ctx.parameters.require("id"))))
        }
        api.add(Endpoint(.get, "/v1/queue/{id}/sheet", summary: "Contact sheet PNG: sampled frames, face boxes, matched names and distances", roles: moderators,
                         parameters: [.path("id", "case id")], response: (200, "image/png", ["type": "string", "format": "binary"]), errors: [404])) { _, ctx, _ in
            let id = try ctx.parameters.require("id")
            let png = try await BackgroundWork.run { try t.contactSheet(id) }
            var headers = HTTPFields()
            headers[.contentType] = "image/png"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        for verb in ["claim", "release"] {
            api.add(Endpoint(.post, "/v1/queue/{id}/\(verb)", summary: verb == "claim" ? "Take a time-limited lease on an item" : "Give a claimed item back",
                             roles: moderators, parameters: [.path("id", "case id")], response: Endpoint.json(200, caseSchema), errors: [403, 404, 409])) { _, ctx, p in
                let id = try ctx.parameters.require("id")
                let c = verb == "claim" ? try await t.claim(id, moderator: p!.actor, isSenior: p!.role == .senior)
                                        : try await t.release(id, moderator: p!.actor)
                return try HTTP.json(try json(c))
            }
        }
        api.add(Endpoint(.post, "/v1/queue/{id}/escalate", summary: "Hand a claimed item to a senior moderator", roles: moderators,
                         parameters: [.path("id", "case id")], request: ["type": "object", "required": ["note"], "properties": ["note": ["type": "string"]]],
                         response: Endpoint.json(200, caseSchema), errors: [404, 409])) { req, ctx, p in
            let b = try await HTTP.decode(NoteIn.self, from: req, limit: limit)
            return try HTTP.json(try json(try await t.escalate(ctx.parameters.require("id"), moderator: p!.actor, note: b.note)))
        }
        api.add(Endpoint(.post, "/v1/queue/{id}/decide", summary: "Decide a claimed item: remove, restrict or keep, with a ground and a written reason", roles: moderators,
                         parameters: [.path("id", "case id")],
                         request: ["type": "object", "required": ["action", "ground", "reason"], "properties": [
                            "action": ["type": "string", "enum": ["remove", "restrict", "keep"]], "ground": ["type": "string"], "reason": ["type": "string", "minLength": 10]]],
                         response: Endpoint.json(200, caseSchema), errors: [404, 409])) { req, ctx, p in
            let b = try await HTTP.decode(DecideIn.self, from: req, limit: limit)
            return try HTTP.json(try json(try await t.decide(ctx.parameters.require("id"), moderator: p!.actor, action: b.action, ground: b.ground, reason: b.reason)))
        }
        api.add(Endpoint(.post, "/v1/reports/{id}/counter-notice", summary: "The uploader's DMCA §512(g)(3) counter-notice; restore after the policy window",
                         roles: ConsentRoutes.service, parameters: [.path("id", "case id")], request: ["type": "object"],
                         response: Endpoint.json(200, caseSchema), errors: [404, 409])) { req, ctx, p in
            let notice = try await HTTP.decode(CounterNotice.self, from: req, limit: limit)
            return try HTTP.json(try json(try await t.counterNotice(ctx.parameters.require("id"), notice: notice, actor: p!.actor)))
        }
        api.add(Endpoint(.post, "/v1/reports/{id}/court-action", summary: "The complainant reports a court action: no put-back", roles: ConsentRoutes.service,
                         parameters: [.path("id", "case id")], response: Endpoint.json(200, caseSchema), errors: [404, 409])) { _, ctx, p in
            try HTTP.json(try json(try await t.courtAction(ctx.parameters.require("id"), actor: p!.actor)))
        }
        api.add(Endpoint(.post, "/v1/reports/{id}/appeal", summary: "Appeal a non-copyright decision; a different moderator reviews it", roles: ConsentRoutes.service,
                         parameters: [.path("id", "case id")], request: ["type": "object", "required": ["statement"], "properties": ["statement": ["type": "string"]]],
                         response: Endpoint.json(200, caseSchema), errors: [404, 409])) { req, ctx, p in
            let b = try await HTTP.decode(AppealIn.self, from: req, limit: limit)
            return try HTTP.json(try json(try await t.appeal(ctx.parameters.require("id"), statement: b.statement, actor: p!.actor)))
        }
        api.add(Endpoint(.post, "/v1/admin/tick", summary: "Run due timers now (counter-notice put-backs)", roles: [.admin],
                         response: Endpoint.json(200, ["type": "object", "properties": ["restored": ["type": "integer"]]]))) { _, _, _ in
            try HTTP.json(["restored": .int(Int64(try await t.tick()))])
        }
    }
}
