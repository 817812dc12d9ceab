import CameoCore
import CameoCrypto
import Identity
import Ledger

/// JSON schemas of the consent API, for the OpenAPI document.
enum ConsentSchemas {
    static let id: JSONValue = ["type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,128}$"]
    static let idList: JSONValue = ["type": "array", "items": id]
    static let audience: JSONValue = ["type": "object", "required": ["kind"], "properties": [
        "kind": ["type": "string", "enum": ["only_me", "approved", "mutuals", "everyone", "community"]],
        "subjects": idList, "community": id]]
    static let visibility: JSONValue = ["type": "object", "required": ["kind"], "properties": [
        "kind": ["type": "string", "enum": ["only_me", "mutuals", "everyone", "community"]], "community": id]]
    static let label: JSONValue = ["type": "string", "pattern": "^[a-z_]{1,32}$"]
    static let subjectIn: JSONValue = ["type": "object", "required": ["handle"], "properties": [
        "id": id, "handle": ["type": "string", "minLength": 1, "maxLength": 64], "external_id": ["type": "string", "minLength": 1, "maxLength": 128]]]
    static let subject: JSONValue = ["type": "object", "properties": [
        "id": ["type": "string"], "handle": ["type": "string"], "external_id": ["type": ["string", "null"]],
        "status": ["type": "object", "properties": ["likeness": ["type": "string"], "suspended": ["type": "boolean"]]]]]
    /// `owner_signature`: Ed25519 over the RFC 8785 bytes of the body without this member.
    static let ownerSignature: JSONValue = ["type": "object", "required": ["key_id", "alg", "value"], "properties": [
        "key_id": ["type": "string"], "alg": ["type": "string", "enum": ["Ed25519"]], "value": ["type": "string", "contentEncoding": "base64"]],
        "description": "Ed25519 signature by one of the subject's owner keys over the RFC 8785 bytes of the request body without owner_signature"]
    /// The members every owner-signed statement carries besides its own fields.
    static func signedStatement(action: String, required: [String] = [], properties: [String: JSONValue] = [:]) -> JSONValue {
        var props = properties
        props["subject"] = id
        props["action"] = ["type": "string", "enum": .array([.string(action)])]
        props["nonce"] = ["type": "string", "pattern": "^[A-Za-z0-9_-]{16,128}$"]
        props["issued_at"] = ["type": "string", "format": "date-time"]
        props["owner_signature"] = ownerSignature
        return ["type": "object", "required": .array((required + ["subject", "action", "nonce", "issued_at", "owner_signature"]).map { .string($0) }),
                "properties": .object(props), "description": .string("Owner-signed statement (action \(action)); see the README, \"Signing as an owner\"")]
    }
    static let grantIn: JSONValue = {
        guard case .object(var schema) = signedStatement(action: "grant.create", required: ["owner", "audience", "uses"], properties: [
            "owner": id, "audience": audience, "uses": ["type": "array", "minItems": 1, "items": ["type": "string"]],
            "forbidden_tags": ["type": "array", "items": label], "preferences": ["type": "string", "maxLength": 2000],
            "effect": ["type": "string", "enum": ["allow", "block"]], "expires_at": ["type": "string", "format": "date-time"]]) else { return .null }
        schema["example"] = grantExample
        return .object(schema)
    }()

    /// A worked example of a signed body: a real signature (by a fixed demonstration key, seed
    /// 32 × 0x07, key id in the example) over the RFC 8785 bytes of the body without owner_signature.
    static let grantExample: JSONValue = {
        guard let key = try? Ed25519PrivateKey(seed: [UInt8](repeating: 7, count: 32)), let device = try? OwnerDevice(key: key),
              let issued = Timestamp.parse("2026-12-03T18:00:00Z") else { return .null }
        let body: JSONValue = ["owner": "sub_alice", "audience": ["kind": "mutuals"], "uses": ["generate"], "forbidden_tags": ["political"],
                               "nonce": "mZ3xQ8d1Kp0vR7yT2wLb4hNe"]
        return (try? device.sign(body, subject: SubjectID("sub_alice"), action: "grant.create", now: issued)) ?? .null
    }()
    static let signed: JSONValue = ["type": "object", "properties": ["statement": ["type": "object"], "signature": ["type": "object"]]]
    static let grantOut: JSONValue = ["type": "object", "properties": [
        "grant": ["type": "object"], "revoked_at": ["type": ["string", "null"]], "ledger_index": ["type": "integer"], "receipt": signed]]
    static let checkIn: JSONValue = ["type": "object", "required": ["requester", "cameos", "use", "audience"], "properties": [
        "requester": id, "cameos": ["type": "array", "minItems": 1, "maxItems": 16, "items": id], "use": label,
        "audience": visibility, "tags": ["type": "array", "items": label], "at_least": ["type": "integer", "minimum": 0]]]
    static let decision: JSONValue = ["type": "object", "properties": [
        "decision": ["type": "string", "enum": ["allow", "deny"]], "results": ["type": "array"], "policy_hash": ["type": "string"],
        "consistency_token": ["type": "integer"], "receipt": signed]]
    static let token: JSONValue = ["type": "object", "properties": ["consistency_token": ["type": "integer"]]]
}
