import CameoCore
import Consent
import Foundation
import Hummingbird
import Identity
import Ledger
import Store

/// Grants: create (on the owner's behalf), read, revoke. Each write is one ledger entry and
/// answers with its index and a signed receipt.
enum GrantRoutes {
    static func register(_ api: APIBuilder, _ s: Services) {
        let limit = s.policies.security.maxBodyBytes
        api.add(Endpoint(.post, "/v1/grants", summary: "Create a grant, signed by its owner (action grant.create, subject = owner)", roles: ConsentRoutes.service,
                         request: ConsentSchemas.grantIn, response: Endpoint.json(201, ConsentSchemas.grantOut), errors: [404, 409])) { req, _, p in
            let (data, statement) = try await HTTP.signedBody(req, limit: limit)
            let draft = try HTTP.decode(GrantDraft.self, from: data)
            let authorization = try s.ownerSignatures.authorize(statement, .init(subject: draft.owner, action: "grant.create"))
            let (grant, index) = try await s.consent.createGrant(draft, limits: try s.policies.consent.limits(), authorization: authorization, actor: p!.actor)
            let receipt = try s.sign(["kind": "grant.created", "grant": JSONValue.from(grant), "ledger_index": .int(Int64(index))])
            return try HTTP.json(["grant": JSONValue.from(grant), "revoked_at": .null, "ledger_index": .int(Int64(index)), "receipt": receipt.json], status: .created)
        }
        api.add(Endpoint(.get, "/v1/grants/{id}", summary: "A grant and its revocation state", roles: ConsentRoutes.readers,
                         parameters: [.path("id", "grant id")], response: Endpoint.json(200, ConsentSchemas.grantOut), errors: [404, 422])) { _, ctx, _ in
            let id = try GrantID(ctx.parameters.require("id"))
            guard let view = s.consent.grant(id) else { throw APIError(.notFound, "unknown_grant", "no grant \(id)") }
            return try HTTP.json(json(view))
        }
        api.add(Endpoint(.get, "/v1/grants", summary: "An owner's grants, newest first", roles: ConsentRoutes.readers,
                         parameters: [.init(name: "owner", location: "query", required: true, schema: ConsentSchemas.id, description: "owner subject id")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["items": ["type": "array", "items": ConsentSchemas.grantOut]]]), errors: [400, 422])) { req, _, _ in
            guard let raw = req.uri.queryParameters["owner"] else { throw APIError(.badRequest, "missing_query", "query parameter owner is required") }
            let owner = try SubjectID(String(raw))
            return try HTTP.json(["items": .array(try s.consent.grants(owner: owner).map(json))])
        }
        api.add(Endpoint(.delete, "/v1/grants/{id}", summary: "Revoke a grant, signed by its owner (action grant.revoke, grant_id); effective on acknowledgement",
                         roles: ConsentRoutes.service, parameters: [.path("id", "grant id")],
                         request: ConsentSchemas.signedStatement(action: "grant.revoke", required: ["grant_id"], properties: ["grant_id": ConsentSchemas.id]),
                         response: Endpoint.json(200, ["type": "object", "properties": ["id": ["type": "string"], "ledger_index": ["type": "integer"], "consistency_token": ["type": "integer"], "receipt": ConsentSchemas.signed]]),
                         errors: [404, 409, 422])) { req, ctx, p in
            let id = try GrantID(ctx.parameters.require("id"))
            let (_, statement) = try await HTTP.signedBody(req, limit: limit)
            guard let grantOwner = s.consent.owner(of: id) else { throw APIError(.notFound, "unknown_grant", "no grant \(id)") }
            let authorization = try s.ownerSignatures.authorize(statement, .init(subject: grantOwner, action: "grant.revoke", targets: ["grant_id": id.rawValue]))
            let (owner, index) = try await s.consent.revokeGrant(id, authorization: authorization, actor: p!.actor)
            let token = Int64(index + 1)
            let receipt = try s.sign(["kind": "grant.revoked", "grant_id": .string(id.rawValue), "owner": .string(owner.rawValue),
                                      "ledger_index": .int(Int64(index)), "consistency_token": .int(token)])
            return try HTTP.json(["id": .string(id.rawValue), "ledger_index": .int(Int64(index)), "consistency_token": .int(token), "receipt": receipt.json])
        }
    }

    /// `POST /v1/revocations`: an owner revokes directly, with no API key: the signed statement is
    /// the credential, so a backend that withholds a revocation cannot stop it.
    static func registerDirectRevocation(_ api: APIBuilder, _ s: Services) {
        api.add(Endpoint(.post, "/v1/revocations", summary: "Revoke a grant with the owner's signed statement alone (no API key): the owner's own path, which no backend can block",
                         roles: nil,
                         request: ConsentSchemas.signedStatement(action: "grant.revoke", required: ["grant_id"], properties: ["grant_id": ConsentSchemas.id]),
                         response: Endpoint.json(200, ["type": "object", "properties": ["id": ["type": "string"], "ledger_index": ["type": "integer"], "consistency_token": ["type": "integer"]]]),
                         errors: [401, 403, 404, 409, 422])) { req, _, _ in
            let (_, statement) = try await HTTP.signedBody(req, limit: s.policies.security.maxBodyBytes)
            guard let raw = statement?["grant_id"]?.stringValue else { throw APIError(.unprocessableContent, "invalid_request", "grant_id is required") }
            let id = try GrantID(raw)
            guard let owner = s.consent.owner(of: id) else { throw APIError(.notFound, "unknown_grant", "no grant \(id)") }
            // Always owner-signed here, whatever the migration setting: there is no other credential.
            let authorization = try s.ownerSignaturesAlways.authorize(statement, .init(subject: owner, action: "grant.revoke", targets: ["grant_id": id.rawValue]))
            guard case .owner(let record) = authorization else { throw APIError(.unauthorized, "owner_signature_required", "a signed statement is required") }
            let (_, index) = try await s.consent.revokeGrant(id, authorization: authorization, actor: "owner:\(record.keyID)")
            return try HTTP.json(["id": .string(id.rawValue), "ledger_index": .int(Int64(index)), "consistency_token": .int(Int64(index + 1))])
        }
    }

    static func json(_ v: GrantView) throws -> JSONValue {
        ["grant": try JSONValue.from(v.grant), "revoked_at": v.revokedAt.map { .string(Timestamp.format($0)) } ?? .null]
    }
}
