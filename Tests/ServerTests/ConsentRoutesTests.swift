import CameoCore
import CameoCrypto
import Consent
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import HummingbirdTesting
import Ledger
import Server
import Store
import Testing
import TestSupport

/// The consent API end to end: real SQLite, real ledger, real HTTP (live server on a port).
@Suite struct ConsentRoutesTests {
    /// Registers alice (enrolled by attestation, with an owner device), bob, carol, dave.
    func people(_ c: any TestClientProtocol, _ node: TestNode) async throws -> (alice: String, bob: String, carol: String, dave: String, key: OwnerDevice) {
        var ids: [String] = []
        for h in ["alice", "bob", "carol", "dave"] {
            let r = try await c.call(.post, "/v1/subjects", token: node.service, json: #"{"id":"sub_\#(h)","handle":"\#(h)"}"#)
            #expect(r.status == .created, "\(r.text)")
            ids.append(r.body["id"]!.stringValue!)
        }
        let key = try await node.enroll("sub_alice", "faces/obama/1.jpg")
        return (ids[0], ids[1], ids[2], ids[3], key)
    }

    func check(_ c: any TestClientProtocol, _ node: TestNode, requester: String, cameos: [String], use: String = "generate",
               audience: String = #"{"kind":"only_me"}"#, tags: [String] = [], atLeast: Int? = nil) async throws -> (status: HTTPResponse.Status, body: JSONValue, text: String) {
        let tagJSON = "[" + tags.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let cameoJSON = "[" + cameos.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let at = atLeast.map { #","at_least":\#($0)"# } ?? ""
        return try await c.call(.post, "/v1/consent/check", token: node.service,
                                json: #"{"requester":"\#(requester)","cameos":\#(cameoJSON),"use":"\#(use)","audience":\#(audience),"tags":\#(tagJSON)\#(at)}"#)
    }

    func reason(_ r: (status: HTTPResponse.Status, body: JSONValue, text: String)) -> String? {
        r.body["results"]?.arrayValue?.first?["reason"]?.stringValue
    }

    @Test func approvedGrantAllowsTheFriendAndRevocationDeniesAtOnce() async throws {
        let node = try await TestNode()
        let app = Application(router: CameoServer.router(node.services))
        try await app.test(.live) { c in
            let p = try await people(c, node)
            #expect(reason(try await check(c, node, requester: p.bob, cameos: [p.alice])) == "no_grant")
            let g = try await c.call(.post, "/v1/grants", token: node.service,
                                     json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"approved","subjects":["\#(p.bob)"]},"uses":["generate"],"preferences":"no hats"}"#, p.alice, "grant.create"))
            #expect(g.status == .created, "\(g.text)")
            let grantID = g.body["grant"]!["id"]!.stringValue!
            let receipt = try SignedStatement(json: g.body["receipt"]!)
            try receipt.verify(keyName: node.services.ledger.origin, publicKey: node.services.publicKey)

            let allowed = try await check(c, node, requester: p.bob, cameos: [p.alice])
            #expect(allowed.body["decision"] == "allow" && reason(allowed) == "granted")
            #expect(allowed.body["results"]?.arrayValue?.first?["grant_ids"] == [.string(grantID)])
            #expect(allowed.body["policy_hash"]?.stringValue == node.services.policies.hash)
            let signed = try SignedStatement(json: allowed.body["receipt"]!)
            try signed.verify(keyName: node.services.ledger.origin, publicKey: node.services.publicKey)
            #expect(signed.statement["decision"] == "allow")
            #expect(reason(try await check(c, node, requester: p.carol, cameos: [p.alice])) == "audience_not_allowed")
            #expect(reason(try await check(c, node, requester: p.bob, cameos: [p.alice], use: "remix")) == "use_not_allowed")
            #expect(reason(try await check(c, node, requester: p.alice, cameos: [p.alice])) == "granted")  // owner's own cameo

            // Only the owner's signature revokes: none, another subject's statement, or a replay is refused.
            let unsigned = try await c.call(.delete, "/v1/grants/\(grantID)", token: node.service)
            #expect(unsigned.status == .unauthorized && unsigned.body["error"]?["code"] == "owner_signature_required")
            let revocation = try p.key.sign(#"{"grant_id":"\#(grantID)"}"#, p.alice, "grant.revoke")
            let revoked = try await c.call(.delete, "/v1/grants/\(grantID)", token: node.service, json: revocation)
            #expect(revoked.status == .ok, "\(revoked.text)")
            #expect(try await c.call(.delete, "/v1/grants/\(grantID)", token: node.service, json: revocation).body["error"]?["code"] == "owner_signature_replayed")
            let token = revoked.body["consistency_token"]!.intValue!
            let after = try await check(c, node, requester: p.bob, cameos: [p.alice], atLeast: Int(token))
            #expect(after.body["decision"] == "deny" && reason(after) == "revoked")
            #expect(after.body["consistency_token"]!.intValue! >= token)
            #expect(try await c.call(.delete, "/v1/grants/\(grantID)", token: node.service,
                                     json: try p.key.sign(#"{"grant_id":"\#(grantID)"}"#, p.alice, "grant.revoke")).status == .conflict)
            let shown = try await c.call(.get, "/v1/grants/\(grantID)", token: node.auditor)
            #expect(shown.body["revoked_at"]?.stringValue != nil)
        }
        // Ledger: one entry per grant and revocation; the approved list only as a commitment.
        let entries = try node.services.ledger.entries(start: 0, end: 100).map { String(decoding: $0, as: UTF8.self) }
        #expect(entries.filter { $0.contains("\"grant.created\"") }.count == 1)
        #expect(entries.filter { $0.contains("\"grant.revoked\"") }.count == 1)
        #expect(!entries.contains { $0.contains("sub_bob") || $0.contains("no hats") })
    }

    @Test func mutualsCommunitiesTagsAndVisibility() async throws {
        let node = try await TestNode()
        try await node.test { c in
            let p = try await people(c, node)
            _ = try await c.call(.post, "/v1/grants", token: node.service,
                                 json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"mutuals"},"uses":["generate"],"forbidden_tags":["political"]}"#, p.alice, "grant.create"))
            #expect(try await c.call(.put, "/v1/subjects/\(p.bob)/follows/\(p.alice)", token: node.service).status == .ok)
            #expect(reason(try await check(c, node, requester: p.bob, cameos: [p.alice])) == "audience_not_allowed")  // one-way follow
            _ = try await c.call(.put, "/v1/subjects/\(p.alice)/follows/\(p.bob)", token: node.service)
            #expect(reason(try await check(c, node, requester: p.bob, cameos: [p.alice])) == "granted")
            #expect(reason(try await check(c, node, requester: p.bob, cameos: [p.alice], tags: ["political"])) == "restricted_content")
            #expect(reason(try await check(c, node, requester: p.bob, cameos: [p.alice], audience: #"{"kind":"everyone"}"#)) == "audience_not_allowed")
            _ = try await c.call(.delete, "/v1/subjects/\(p.alice)/follows/\(p.bob)", token: node.service)
            #expect(reason(try await check(c, node, requester: p.bob, cameos: [p.alice])) == "audience_not_allowed")

            _ = try await c.call(.post, "/v1/grants", token: node.service,
                                 json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"community","community":"com_film"},"uses":["generate","remix"]}"#, p.alice, "grant.create"))
            #expect(reason(try await check(c, node, requester: p.dave, cameos: [p.alice], use: "remix")) == "audience_not_allowed")
            #expect(try await c.call(.put, "/v1/communities/com_film/members/\(p.dave)", token: node.service).status == .ok)
            #expect(reason(try await check(c, node, requester: p.dave, cameos: [p.alice], use: "remix")) == "granted")
            // an unverified owner in a multi-cameo request denies the whole request
            let multi = try await check(c, node, requester: p.dave, cameos: [p.alice, p.carol], use: "remix")
            #expect(multi.body["decision"] == "deny" && multi.body["results"]?.arrayValue?[1]["reason"] == "likeness_not_verified")
            // block beats allow
            _ = try await c.call(.post, "/v1/grants", token: node.service,
                                 json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"approved","subjects":["\#(p.dave)"]},"uses":["*"],"effect":"block"}"#, p.alice, "grant.create"))
            #expect(reason(try await check(c, node, requester: p.dave, cameos: [p.alice], use: "remix")) == "blocked")
            let batch = try await c.call(.post, "/v1/consent/check:batch", token: node.service, json: """
                {"items":[{"requester":"\(p.alice)","cameos":["\(p.alice)"],"use":"generate","audience":{"kind":"only_me"}},
                          {"requester":"\(p.dave)","cameos":["\(p.alice)"],"use":"remix","audience":{"kind":"only_me"}}]}
                """)
            #expect(batch.body["items"]?.arrayValue?.map { $0["decision"] } == ["allow", "deny"])
        }
    }

    @Test func expiryIsEvaluatedAgainstTheClockAndSurvivesRestart() async throws {
        let node = try await TestNode()
        let future = Date().addingTimeInterval(3600).formatted(.iso8601)
        let grantID = try await node.test { c -> String in
            let p = try await people(c, node)
            let g = try await c.call(.post, "/v1/grants", token: node.service,
                                     json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"everyone"},"uses":["generate"],"expires_at":"\#(future)"}"#, p.alice, "grant.create"))
            #expect(g.status == .created, "\(g.text)")
            let grantID = g.body["grant"]!["id"]!.stringValue!
            let past = try await c.call(.post, "/v1/grants", token: node.service,
                                        json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"everyone"},"uses":["generate"],"expires_at":"2020-01-01T00:00:00Z"}"#, p.alice, "grant.create"))
            #expect(past.status == .unprocessableContent && past.body["error"]?["code"] == "expiry_in_past")
            let tooLong = try await c.call(.post, "/v1/grants", token: node.service,
                                           json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"everyone"},"uses":["generate"],"expires_at":"2099-01-01T00:00:00Z"}"#, p.alice, "grant.create"))
            #expect(tooLong.body["error"]?["code"] == "grant_lifetime_exceeded")
            return grantID
        }
        let req = try ConsentRequest(requester: SubjectID("sub_carol"), cameos: [SubjectID("sub_alice")], use: Use("generate"), audience: .everyone)
        #expect(try await node.services.consent.check(req).decision.results[0].outcome.code == "granted")
        #expect(try await node.services.consent.check(req, now: Date().addingTimeInterval(7200)).decision.results[0].outcome.code == "expired")
        // A restart rebuilds the index from the store: same decisions, same grant.
        let reopened = try Services(dataDirectory: node.tmp.directory, policies: RepositoryPaths.loadPolicies())
        let again = try await reopened.consent.check(req)
        #expect(again.decision.results[0].outcome.grantIDs.map(\.rawValue) == [grantID])
        #expect(again.token == node.services.ledger.size)
    }

    @Test func badConsentInputIsRejectedWithCodes() async throws {
        let node = try await TestNode()
        try await node.test { c in
            let p = try await people(c, node)
            let cases: [(HTTPRequest.Method, String, String?, HTTPResponse.Status, String)] = [
                (.post, "/v1/consent/check", #"{"requester":"sub_nobody","cameos":["\#(p.alice)"],"use":"generate","audience":{"kind":"only_me"}}"#, .notFound, "unknown_subject"),
                (.post, "/v1/consent/check", #"{"requester":"\#(p.bob)","cameos":[],"use":"generate","audience":{"kind":"only_me"}}"#, .unprocessableContent, "invalid_request"),
                (.post, "/v1/consent/check", #"{"requester":"\#(p.bob)","cameos":["\#(p.alice)"],"use":"GENERATE","audience":{"kind":"only_me"}}"#, .unprocessableContent, "invalid_use"),
                (.post, "/v1/consent/check", #"{"requester":"\#(p.bob)","cameos":["\#(p.alice)"],"use":"generate","audience":{"kind":"galaxy"}}"#, .unprocessableContent, "invalid_request"),
                (.post, "/v1/grants", try p.key.sign(#"{"owner":"sub_nobody","audience":{"kind":"everyone"},"uses":["generate"]}"#, "sub_nobody", "grant.create"), .forbidden, "owner_key_wrong_subject"),
                (.post, "/v1/grants", try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"approved","subjects":[]},"uses":["generate"]}"#, p.alice, "grant.create"), .unprocessableContent, "invalid_grant"),
                (.post, "/v1/grants", try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"everyone"},"uses":[]}"#, p.alice, "grant.create"), .unprocessableContent, "invalid_grant"),
                (.post, "/v1/subjects", #"{"handle":""}"#, .unprocessableContent, "invalid_handle"),
                (.post, "/v1/subjects", #"{"handle":"a\u0000b"}"#, .unprocessableContent, "invalid_handle"),
                (.post, "/v1/subjects:batch", #"{"items":[{"handle":"ok"},{"handle":"x","external_id":"e\u0000"}]}"#, .unprocessableContent, "invalid_external_id"),
                (.put, "/v1/subjects/\(p.bob)/follows/\(p.bob)", nil, .unprocessableContent, "invalid_relationship"),
                (.put, "/v1/subjects/\(p.bob)/follows/sub_ghost", nil, .notFound, "unknown_subject"),
                (.delete, "/v1/grants/grt_missing", nil, .notFound, "unknown_grant"),
                (.post, "/v1/consent/check", #"{"requester":"\#(p.bob)","cameos":["\#(p.alice)"],"use":"generate","audience":{"kind":"only_me"},"at_least":999999}"#, .conflict, "stale"),
            ]
            _ = try await c.call(.post, "/v1/grants", token: node.service, json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"mutuals"},"uses":["remix"]}"#, p.alice, "grant.create"))
            let before = node.services.ledger.size
            let dup = try await c.call(.post, "/v1/grants", token: node.service, json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"mutuals"},"uses":["remix"]}"#, p.alice, "grant.create"))
            #expect(dup.status == .conflict && dup.body["error"]?["code"] == "duplicate_grant")
            let moderator = try await node.services.apiKeys.create(name: "mod", role: .moderator, actor: "test").token
            #expect(try await c.call(.post, "/v1/grants", token: moderator, json: try p.key.sign(#"{"owner":"\#(p.alice)","audience":{"kind":"everyone"},"uses":["generate"]}"#, p.alice, "grant.create")).status == .forbidden)
            let tooMany = (0..<17).map { "\"sub_x\($0)\"" }.joined(separator: ",")
            let big = try await c.call(.post, "/v1/consent/check", token: node.service, json: #"{"requester":"\#(p.bob)","cameos":[\#(tooMany)],"use":"generate","audience":{"kind":"only_me"}}"#)
            #expect(big.status.code == 413 || big.status.code == 422, "\(big.text)")
            #expect(big.body["error"]?["code"] == "too_many_cameos")
            #expect(try await c.call(.get, "/v1/grants/bad%20id", token: node.service).status == .unprocessableContent)
            let afterSetup = node.services.ledger.size
            for (m, path, body, status, code) in cases {
                let r = try await c.call(m, path, token: node.service, json: body)
                #expect(r.status == status && r.body["error"]?["code"]?.stringValue == code, "\(path) \(body?.prefix(60) ?? "") → \(r.status) \(r.text.prefix(160))")
            }
            #expect(before + 1 == afterSetup)  // the moderator key; nothing from the rejected writes
            #expect(node.services.ledger.size == afterSetup)  // nothing half-written
            #expect(try await c.call(.post, "/v1/consent/check", token: node.auditor, json: "{}").status == .forbidden)
        }
    }
}
