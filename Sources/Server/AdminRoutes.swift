import CameoCore
import Hummingbird
import Identity
import Ledger
import Store

/// Administrator endpoints: API keys.
enum AdminRoutes {
    struct CreateKey: Decodable {
        let name: String
        let role: Role
    }

    static let keySchema: JSONValue = ["type": "object", "properties": [
        "id": ["type": "string"], "name": ["type": "string"], "role": ["type": "string"],
        "created_at": ["type": "string"], "revoked_at": ["type": ["string", "null"]], "ledger_index": ["type": "integer"]]]

    static func register(_ api: APIBuilder, _ s: Services) {
        let roleEnum: JSONValue = .array(Role.allCases.map { .string($0.rawValue) })
        api.add(Endpoint(.post, "/v1/api-keys", summary: "Create an API key (the token is returned once)", roles: [.admin],
                         request: ["type": "object", "required": ["name", "role"], "additionalProperties": false,
                                   "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 100], "role": ["type": "string", "enum": roleEnum]]],
                         response: Endpoint.json(201, ["type": "object", "properties": ["id": ["type": "string"], "token": ["type": "string"], "role": ["type": "string"], "ledger_index": ["type": "integer"]]]))) { request, _, principal in
            let body = try await HTTP.decode(CreateKey.self, from: request, limit: s.policies.security.maxBodyBytes)
            let created = try await s.apiKeys.create(name: body.name, role: body.role, actor: principal!.actor)
            return try HTTP.json(created, status: .created)
        }

        api.add(Endpoint(.get, "/v1/api-keys", summary: "List API keys (never secrets)", roles: [.admin],
                         response: Endpoint.json(200, ["type": "object", "properties": ["keys": ["type": "array", "items": keySchema]]]))) { _, _, _ in
            try HTTP.json(["keys": .array(try s.apiKeys.list().map(keyJSON))])
        }

        api.add(Endpoint(.delete, "/v1/api-keys/{id}", summary: "Revoke an API key", roles: [.admin],
                         parameters: [.path("id", "key id")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["id": ["type": "string"], "ledger_index": ["type": "integer"]]]),
                         errors: [404, 409, 422])) { _, context, principal in
            let id = try APIKeyID(context.parameters.require("id"))
            let index = try await s.apiKeys.revoke(id, actor: principal!.actor)
            return try HTTP.json(["id": .string(id.rawValue), "ledger_index": .int(Int64(index))])
        }
    }

    static func keyJSON(_ k: Store.APIKeyRecord) -> JSONValue {
        ["id": .string(k.id.rawValue), "name": .string(k.name), "role": .string(k.role.rawValue),
         "created_at": .string(Timestamp.format(k.createdAt)),
         "revoked_at": k.revokedAt.map { .string(Timestamp.format($0)) } ?? .null,
         "ledger_index": .int(Int64(k.ledgerIndex))]
    }
}
