import CameoCore
import CameoCrypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Testing

@Suite struct FoundationRoutesTests {
    @Test func healthAndOpenAPIArePublicAndDescribeEveryRoute() async throws {
        let node = try await TestNode()
        try await node.test { c in
            #expect(try await c.call(.get, "/healthz").status == .ok)
            #expect(try await c.call(.get, "/readyz").body["ledger_size"] == .int(3))
            let doc = try await c.call(.get, "/openapi.json").body
            #expect(doc["openapi"] == "3.1.0")
            let paths = doc["paths"]!
            for p in ["/v1/ledger/checkpoint", "/v1/ledger/entries", "/v1/ledger/proof/inclusion", "/v1/ledger/proof/consistency", "/v1/api-keys", "/v1/api-keys/{id}", "/healthz", "/metrics"] {
                #expect(paths[p] != nil, "missing \(p)")
            }
            let metrics = try await c.call(.get, "/metrics")
            #expect(metrics.status == .ok && metrics.text.contains("cameo_ledger_size") && metrics.text.contains("cameo_consent_applied_size"))
        }
    }

    @Test func everyEndpointIsAuthorizedByRole() async throws {
        let node = try await TestNode()
        try await node.test { c in
            // (method, path, token, expected status)
            let table: [(HTTPRequest.Method, String, String?, HTTPResponse.Status)] = [
                (.get, "/v1/ledger/checkpoint", nil, .unauthorized),
                (.get, "/v1/ledger/checkpoint", node.service, .forbidden),
                (.get, "/v1/ledger/checkpoint", node.auditor, .ok),
                (.get, "/v1/ledger/checkpoint", node.admin, .ok),
                (.get, "/v1/api-keys", node.auditor, .forbidden),
                (.get, "/v1/api-keys", node.service, .forbidden),
                (.get, "/v1/api-keys", node.admin, .ok),
                (.get, "/v1/ledger/entries?start=0", node.service, .forbidden),
                (.get, "/v1/ledger/entries?start=0", node.auditor, .ok),
                (.get, "/v1/api-keys", "key_0000.bogus", .unauthorized),
                (.get, "/v1/api-keys", node.admin + "x", .unauthorized),
            ]
            for (m, path, token, expected) in table {
                let r = try await c.call(m, path, token: token)
                #expect(r.status == expected, "\(m) \(path) with \(token?.prefix(8) ?? "none")")
                if expected.code >= 400 { #expect(r.body["error"]?["code"]?.stringValue != nil, "error shape for \(path)") }
            }
        }
    }

    @Test func keysAreCreatedAndRevokedOverHTTPAndRevocationTakesEffect() async throws {
        let node = try await TestNode()
        try await node.test { c in
            let created = try await c.call(.post, "/v1/api-keys", token: node.admin, json: #"{"name":"mod one","role":"moderator"}"#)
            #expect(created.status == .created)
            let token = created.body["token"]!.stringValue!, id = created.body["id"]!.stringValue!
            #expect(created.body["ledger_index"] == .int(3))
            #expect(try await c.call(.get, "/v1/ledger/checkpoint", token: token).status == .forbidden)  // authenticated, wrong role
            #expect(try await c.call(.delete, "/v1/api-keys/\(id)", token: node.admin).status == .ok)
            #expect(try await c.call(.get, "/v1/ledger/checkpoint", token: token).status == .unauthorized)
            let again = try await c.call(.delete, "/v1/api-keys/\(id)", token: node.admin)
            #expect(again.status == .conflict && again.body["error"]?["code"] == "api_key_already_revoked")
            #expect(try await c.call(.delete, "/v1/api-keys/key_missing", token: node.admin).status == .notFound)
            let list = try await c.call(.get, "/v1/api-keys", token: node.admin).text
            #expect(!list.contains(token.split(separator: ".").last!))  // secrets never leave
        }
        let entries = try node.services.ledger.entries(start: 0, end: 10).map { String(decoding: $0, as: UTF8.self) }
        #expect(entries.count == 5 && entries[4].contains("api_key.revoked"))
        #expect(!entries.contains { $0.contains("argon2") })
    }

    @Test func badInputGetsAClearErrorAndWritesNothing() async throws {
        let node = try await TestNode()
        try await node.test { c in
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("{not json", .badRequest, "invalid_json"),
                (#"{"name":"x"}"#, .unprocessableContent, "invalid_request"),
                (#"{"name":"x","role":"emperor"}"#, .unprocessableContent, "invalid_request"),
                (#"{"name":"","role":"admin"}"#, .unprocessableContent, "invalid_name"),
                ("[1,2]", .unprocessableContent, "invalid_request"),
                (#"{"name":"\#(String(repeating: "x", count: 2_000_000))","role":"admin"}"#, .contentTooLarge, "body_too_large"),
            ]
            for (body, status, code) in cases {
                let r = try await c.call(.post, "/v1/api-keys", token: node.admin, json: body)
                #expect(r.status == status && r.body["error"]?["code"]?.stringValue == code, "\(body.prefix(30)) → \(r.status) \(r.text.prefix(200))")
            }
            let missing = try await c.call(.get, "/no/such/route")
            #expect(missing.status == .notFound && missing.body["error"]?["code"] == "route_not_found")
            for q in ["/v1/ledger/entries", "/v1/ledger/entries?start=x", "/v1/ledger/proof/inclusion?index=-1", "/v1/ledger/proof/inclusion?index=99"] {
                let r = try await c.call(.get, q, token: node.auditor)
                #expect(r.status.code >= 400 && r.status.code < 500 && r.body["error"] != nil, "\(q) → \(r.status)")
            }
        }
        #expect(node.services.ledger.size == 3)
    }

    @Test func auditorEndpointsServeVerifiableProofs() async throws {
        let node = try await TestNode()
        try await node.test { c in
            let note = try await c.call(.get, "/v1/ledger/checkpoint", token: node.auditor).text
            let signed = try SignedNote(parsing: note)
            try signed.verify(name: node.services.ledger.origin, publicKey: node.services.publicKey)
            let cp = try Checkpoint(body: signed.text)
            #expect(cp.size == 3)
            let entries = try await c.call(.get, "/v1/ledger/entries?start=0&end=3", token: node.auditor).body["entries"]!.arrayValue!
            let leaf = TreeHash.leaf(Array(entries[1].stringValue!.utf8))
            let p = try await c.call(.get, "/v1/ledger/proof/inclusion?index=1&size=3", token: node.auditor).body
            #expect(p["leaf_hash"]?.stringValue == leaf.base64)
            let hashes = try p["hashes"]!.arrayValue!.map { try TreeHash(base64: $0.stringValue!) }
            #expect(ProofVerifier.verifyInclusion(leaf: leaf, index: 1, size: 3, proof: hashes, root: cp.root))
            let old = try node.services.ledger.proofs.root(size: 2)
            let cons = try await c.call(.get, "/v1/ledger/proof/consistency?from=2&to=3", token: node.auditor).body
            let ch = try cons["hashes"]!.arrayValue!.map { try TreeHash(base64: $0.stringValue!) }
            #expect(ProofVerifier.verifyConsistency(from: 2, to: 3, fromRoot: old, toRoot: cp.root, proof: ch))
        }
    }
}
