import CameoCore
import Consent
import Foundation
import Hummingbird
import Ledger
import Metrics
import Store

/// The consent check, single and batch: evaluated from the in-memory index and answered
/// with a consistency token and an Ed25519-signed receipt over the canonical decision.
enum CheckRoutes {
    static let maxBatch = 100

    static func register(_ api: APIBuilder, _ s: Services) {
        let limit = s.policies.security.maxBodyBytes
        api.add(Endpoint(.post, "/v1/consent/check", summary: "May requester use these cameos for this use and audience?", roles: ConsentRoutes.service,
                         request: ConsentSchemas.checkIn, response: Endpoint.json(200, ConsentSchemas.decision), errors: [404, 409])) { req, _, _ in
            let body = try await HTTP.decode(ConsentRoutes.CheckIn.self, from: req, limit: limit)
            return try HTTP.json(try await check(body, s))
        }
        api.add(Endpoint(.post, "/v1/consent/check:batch", summary: "Up to 100 checks in one call", roles: ConsentRoutes.service,
                         request: ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "maxItems": 100, "items": ConsentSchemas.checkIn]]],
                         response: Endpoint.json(200, ["type": "object", "properties": ["items": ["type": "array", "items": ConsentSchemas.decision]]]), errors: [404, 409])) { req, _, _ in
            let body = try await HTTP.decode(ConsentRoutes.Batch<ConsentRoutes.CheckIn>.self, from: req, limit: limit)
            guard body.items.count <= maxBatch else { throw APIError(.contentTooLarge, "batch_too_large", "at most \(maxBatch) checks per batch") }
            var out: [JSONValue] = []
            for item in body.items { out.append(try await check(item, s)) }
            return try HTTP.json(["items": .array(out)])
        }
    }

    static func check(_ body: ConsentRoutes.CheckIn, _ s: Services) async throws -> JSONValue {
        let (decision, token) = try await s.consent.check(body.request, atLeast: body.atLeast,
                                                          wait: .milliseconds(s.policies.consent.atLeastWaitMs))
        guard case .object(var statement) = decision.jsonValue else { throw APIError(.internalServerError, "internal_error", "decision shape") }
        statement["kind"] = "consent.decision"
        statement["policy_hash"] = .string(s.policies.hash)
        statement["consistency_token"] = .int(Int64(token))
        Counter(label: "cameo_consent_checks_total", dimensions: [("decision", decision.verdict.rawValue)]).increment()
        let receipt = try s.sign(.object(statement))
        var out = statement
        out["receipt"] = receipt.json
        return .object(out)
    }
}
