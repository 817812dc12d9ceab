import CameoCore

/// Builds the OpenAPI 3.1 document served at `/openapi.json` from the registered endpoints.
enum OpenAPIDocument {
    static let errorSchema: JSONValue = [
        "type": "object", "required": ["error"],
        "properties": ["error": ["type": "object", "required": ["code", "message"],
                                 "properties": ["code": ["type": "string"], "message": ["type": "string"]]]],
    ]

    static func build(_ endpoints: [Endpoint], version: String) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for e in endpoints {
            var op: [String: JSONValue] = [
                "summary": .string(e.summary),
                "operationId": .string(operationID(e)),
                "responses": responses(e),
            ]
            if let roles = e.roles {
                op["security"] = [["bearer": []]]
                op["description"] = .string("Roles: \(roles.map(\.rawValue).sorted().joined(separator: ", ")).")
            } else {
                op["security"] = []
            }
            if !e.parameters.isEmpty {
                op["parameters"] = .array(e.parameters.map {
                    ["name": .string($0.name), "in": .string($0.location), "required": .bool($0.required),
                     "schema": $0.schema, "description": .string($0.description)]
                })
            }
            if let req = e.requestSchema {
                op["requestBody"] = ["required": true, "content": ["application/json": ["schema": req]]]
            }
            var item = paths[e.path]?.objectValue ?? [:]
            item[e.method.rawValue.lowercased()] = .object(op)
            paths[e.path] = .object(item)
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "CameoGuard", "version": .string(version),
                     "description": "Consent and likeness governance for AI video: consent ledger, face matcher, takedowns."],
            "paths": .object(paths),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "API key token `<id>.<secret>`"]],
                "schemas": ["Error": errorSchema],
            ],
        ]
    }

    private static func responses(_ e: Endpoint) -> JSONValue {
        var r: [String: JSONValue] = [
            String(e.response.status): ["description": "Success", "content": [e.response.contentType: ["schema": e.response.schema]]],
        ]
        for extra in e.alsoSuccess {
            r[String(extra)] = ["description": "Success (idempotent replay)", "content": [e.response.contentType: ["schema": e.response.schema]]]
        }
        var errors = Set(e.errors)
        if e.roles != nil { errors.formUnion([401, 403]) }
        if e.requestSchema != nil { errors.formUnion([400, 413, 422]) }
        if e.parameters.contains(where: { $0.location == "query" }) { errors.formUnion([400, 422]) }  // a malformed query parameter
        for s in errors.sorted() {
            r[String(s)] = ["description": "Error", "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        }
        return .object(r)
    }

    private static func operationID(_ e: Endpoint) -> String {
        let words = e.path.split(separator: "/").map { $0.replacingOccurrences(of: "{", with: "by_").replacingOccurrences(of: "}", with: "") }
        return ([e.method.rawValue.lowercased()] + words).joined(separator: "_").replacingOccurrences(of: "-", with: "_")
    }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
}
