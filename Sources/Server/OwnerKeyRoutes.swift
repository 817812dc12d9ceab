import CameoCore
import CameoCrypto
import Foundation
import Hummingbird
import Identity
import Ledger
import Store

/// Owner device keys: list, add (signed by an existing key), remove (signed). A lost device
/// is replaced by a fresh likeness verification that registers a new key.
enum OwnerKeyRoutes {
    static let keySchema: JSONValue = ["type": "object", "properties": [
        "key_id": ["type": "string"], "alg": ["type": "string"], "public_key": ["type": "string"], "added_at": ["type": "string"],
        "added_index": ["type": "integer"], "removed_at": ["type": ["string", "null"]], "removed_index": ["type": ["integer", "null"]]]]

    static func json(_ k: OwnerKeyRecord) -> JSONValue {
        ["key_id": .string(k.keyID), "alg": "Ed25519", "public_key": .string(Base64.encode(k.publicKey)),
         "added_at": .string(Timestamp.format(k.addedAt)), "added_index": .int(Int64(k.addedIndex)),
         "removed_at": k.removedAt.map { .string(Timestamp.format($0)) } ?? .null,
         "removed_index": k.removedIndex.map { .int(Int64($0)) } ?? .null]
    }

    static func register(_ api: APIBuilder, _ s: Services) {
        let limit = s.policies.security.maxBodyBytes
        // Key changes are always owner-signed, even while consent writes are in migration.
        let signed = s.ownerSignaturesAlways
        let out: JSONValue = ["type": "object", "properties": ["key_id": ["type": "string"], "ledger_index": ["type": "integer"]]]
        api.add(Endpoint(.get, "/v1/subjects/{id}/owner-keys", summary: "A subject's owner keys (active and removed)", roles: ConsentRoutes.readers,
                         parameters: [.path("id", "subject id")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["items": ["type": "array", "items": keySchema]]]), errors: [404, 422])) { _, ctx, _ in
            let subject = try SubjectID(ctx.parameters.require("id"))
            guard try s.consent.subject(subject) != nil else { throw APIError(.notFound, "unknown_subject", "no subject \(subject)") }
            return try HTTP.json(["items": .array(try s.ownerKeys.keys(of: subject).map(json))])
        }
        api.add(Endpoint(.post, "/v1/subjects/{id}/owner-keys", summary: "Add an owner key, signed by an active key of the subject (action owner_key.add)",
                         roles: ConsentRoutes.service, parameters: [.path("id", "subject id")],
                         request: ConsentSchemas.signedStatement(action: "owner_key.add", required: ["public_key"],
                                                                 properties: ["public_key": ["type": "string", "description": "SPKI PEM or raw 32 bytes base64"]]),
                         response: Endpoint.json(201, out), errors: [404, 409, 422])) { req, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("id"))
            let (_, body) = try await HTTP.signedBody(req, limit: limit)
            guard let text = body?["public_key"]?.stringValue else { throw APIError(.unprocessableContent, "invalid_request", "public_key is required") }
            let raw = try OwnerPublicKey.parse(text)
            let authorization = try signed.authorize(body, .init(subject: subject, action: "owner_key.add", targets: ["public_key": text]))
            let (id, index) = try await s.ownerKeys.add(raw, subject: subject, authorization: authorization, actor: p!.actor)
            return try HTTP.json(["key_id": .string(id), "ledger_index": .int(Int64(index))], status: .created)
        }
        api.add(Endpoint(.delete, "/v1/subjects/{id}/owner-keys/{key_id}", summary: "Remove an owner key, signed by an active key of the subject (action owner_key.remove)",
                         roles: ConsentRoutes.service, parameters: [.path("id", "subject id"), .path("key_id", "owner key id")],
                         request: ConsentSchemas.signedStatement(action: "owner_key.remove", required: ["key_id"], properties: ["key_id": ["type": "string"]]),
                         response: Endpoint.json(200, out), errors: [404, 409, 422])) { req, ctx, p in
            let subject = try SubjectID(ctx.parameters.require("id"))
            let keyID = try ctx.parameters.require("key_id")
            let (_, body) = try await HTTP.signedBody(req, limit: limit)
            let authorization = try signed.authorize(body, .init(subject: subject, action: "owner_key.remove", targets: ["key_id": keyID]))
            let index = try await s.ownerKeys.remove(keyID, subject: subject, authorization: authorization, actor: p!.actor)
            return try HTTP.json(["key_id": .string(keyID), "ledger_index": .int(Int64(index))])
        }
    }
}
