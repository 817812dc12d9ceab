import CameoCore
import Consent
import FaceMatch
import Foundation
import Generation
import HTTPTypes
import HummingbirdTesting
import Ledger
import Server
import Store
import Takedown
import Testing
import TestSupport

/// Reports from intake to decision, over HTTP, with real clips, real faces and real PDQ.
@Suite(.serialized) struct TakedownWorkflowTests {
    static let notice = #"{"complainant_name":"Studio A","complainant_contact":"legal@studio.example","signature":"/s/ A. Counsel","copyrighted_work":"Film X (2024)","infringing_material":"the clip","good_faith_statement":true,"accuracy_statement":true,"authority_to_act":true}"#
    static let counter = #"{"name":"Bob","contact":"bob@example.com","signature":"/s/ Bob","material_identified":"the clip","mistake_statement":true,"consent_to_jurisdiction":true}"#

    /// A node with Obama (enrolled, everyone may generate), Kit (enrolled, no grant), Bob (requester), two moderators.
    static func node() async throws -> (TestNode, mod1: String, mod2: String, senior: String) {
        let node = try await TestNode(policies: GenerationPipelineTests.policies())
        try await GenerationPipelineTests.people(node)
        try await node.services.start()
        let keys = node.services.apiKeys
        return (node, try await keys.create(name: "mod1", role: .moderator, actor: "test").token,
                try await keys.create(name: "mod2", role: .moderator, actor: "test").token,
                try await keys.create(name: "senior", role: .senior, actor: "test").token)
    }

    static func released(_ c: any TestClientProtocol, _ node: TestNode, prompt: String, seed: Int = 7) async throws -> String {
        let r = try await c.call(.post, "/v1/generations", token: node.service,
                                 json: #"{"requester":"sub_bob","prompt":"\#(prompt)","cameos":["sub_obama"],"use":"generate","audience":{"kind":"only_me"},"seed":\#(seed)}"#)
        let done = try await GenerationPipelineTests.wait(c, node, r.body["id"]!.stringValue!)
        #expect(done["status"] == "released", "\(done)")
        return done["id"]!.stringValue!
    }

    static func report(_ c: any TestClientProtocol, _ node: TestNode, _ body: String) async throws -> (status: HTTPResponse.Status, body: JSONValue, text: String) {
        try await c.call(.post, "/v1/reports", token: node.service, json: body)
    }

    @Test func copyrightFromIntakeToPutBackAfterACounterNotice() async throws {
        let (node, mod1, mod2, _) = try await Self.node()
        try await node.test { c in
            let gen = try await Self.released(c, node, prompt: "a dance on the pier")
            let missing = try await Self.report(c, node, #"{"type":"copyright","client_report_id":"dmca-1","generation_id":"\#(gen)","notice":{"complainant_name":"Studio A","signature":"x"}}"#)
            #expect(missing.status == .unprocessableContent && missing.body["error"]?["code"] == "dmca_incomplete", "\(missing.text)")
            #expect(missing.body["error"]?["message"]?.stringValue?.contains("good_faith_statement") == true)
            #expect(try await Self.report(c, node, #"{"type":"copyright","client_report_id":"dmca-x","generation_id":"gen_nope","notice":\#(Self.notice)}"#).status == .notFound)
            let filed = try await Self.report(c, node, #"{"type":"copyright","client_report_id":"dmca-1","generation_id":"\#(gen)","notice":\#(Self.notice)}"#)
            #expect(filed.status == .created, "\(filed.text)")
            let id = try #require(filed.body["id"]?.stringValue, "\(filed.text)")
            #expect((filed.body["evidence"]?["fingerprints"]?.arrayValue?.count ?? 0) >= 3)
            let retry = try await Self.report(c, node, #"{"type":"copyright","client_report_id":"dmca-1","generation_id":"\#(gen)","notice":\#(Self.notice)}"#)
            #expect(retry.status == .ok && retry.body["id"]?.stringValue == id)

            // deciding without a claim, then two moderators racing for one item: exactly one wins
            let unclaimed = try await c.call(.post, "/v1/queue/\(id)/decide", token: mod1, json: #"{"action":"remove","ground":"copyright_infringement","reason":"matches the registered work"}"#)
            #expect(unclaimed.status == .conflict && unclaimed.body["error"]?["code"] == "not_your_claim")
            async let a = c.call(.post, "/v1/queue/\(id)/claim", token: mod1)
            async let b = c.call(.post, "/v1/queue/\(id)/claim", token: mod2)
            let (ra, rb) = try await (a, b)
            #expect([ra.status, rb.status].filter { $0 == .ok }.count == 1, "\(ra.status) \(rb.status)")
            let (winner, loser) = ra.status == .ok ? (mod1, mod2) : (mod2, mod1)
            let stolen = try await c.call(.post, "/v1/queue/\(id)/decide", token: loser, json: #"{"action":"remove","ground":"copyright_infringement","reason":"matches the registered work"}"#)
            #expect(stolen.status == .conflict)
            let badGround = try await c.call(.post, "/v1/queue/\(id)/decide", token: winner, json: #"{"action":"remove","ground":"vibes","reason":"matches the registered work"}"#)
            #expect(badGround.body["error"]?["code"] == "invalid_ground")
            let decided = try await c.call(.post, "/v1/queue/\(id)/decide", token: winner, json: #"{"action":"remove","ground":"copyright_infringement","reason":"The clip reproduces the registered work."}"#)
            #expect(decided.status == .ok && decided.body["status"] == "decided", "\(decided.text)")
            let sor = decided.body["decision"]?["statement"]
            #expect(sor?["ground"] == "copyright_infringement" && sor?["automated_decision"] == false)
            #expect(sor?["redress"]?.arrayValue?.first?.stringValue?.contains("counter-notice") == true)
            #expect(try await c.call(.get, "/v1/generations/\(gen)", token: node.service).body["status"] == "removed")

            let incomplete = try await c.call(.post, "/v1/reports/\(id)/counter-notice", token: node.service, json: #"{"name":"Bob"}"#)
            #expect(incomplete.status == .unprocessableContent && incomplete.body["error"]?["code"] == "counter_notice_incomplete")
            let cn = try await c.call(.post, "/v1/reports/\(id)/counter-notice", token: node.service, json: Self.counter)
            #expect(cn.body["status"] == "counter_noticed", "\(cn.text)")
            let restoreAt = try #require(Timestamp.parse(cn.body["restore_at"]!.stringValue!))
            #expect(restoreAt.timeIntervalSinceNow > 13 * 86_400)  // 10 business days is at least 14 calendar days
            #expect(try await node.services.takedowns.tick(now: restoreAt.addingTimeInterval(-60)) == 0)
            #expect(try await node.services.takedowns.tick(now: restoreAt.addingTimeInterval(60)) == 1)
            #expect(try await c.call(.get, "/v1/generations/\(gen)", token: node.service).body["status"] == "released")
            #expect(try await c.call(.get, "/v1/generations/\(gen)/video", token: node.service).status == .ok)
            // moderators cannot call admin endpoints
            #expect(try await c.call(.get, "/v1/api-keys", token: mod1).status == .forbidden)
            let metrics = try await c.call(.get, "/metrics").text
            for m in ["cameo_takedown_queue_depth", "cameo_takedown_time_to_decision_seconds", "cameo_takedown_reports_total"] {
                #expect(metrics.contains(m), "metrics lack \(m)")
            }
        }
        let types = try node.services.ledger.entries(start: 0, end: 500).map { try LedgerEntry(canonical: $0).type }
        for t in ["report.received", "case.decided", "case.counter_notice", "case.restored", "generation.restored", "strike.added"] {
            #expect(types.contains(t), "ledger lacks \(t)")
        }
    }

    @Test func aLikenessReportIsMatchedRemovedAutomaticallyAndBlocksTheFace() async throws {
        let (node, mod1, _, _) = try await Self.node()
        try await node.test { c in
            // Bob makes a clip of Obama; Kit (enrolled, no part in it) reports it: no match, no automatic action.
            let gen = try await Self.released(c, node, prompt: "a quiet evening")
            let kit = try await Self.report(c, node, #"{"type":"likeness","client_report_id":"lk-0","generation_id":"\#(gen)","reporter":"sub_kit"}"#)
            #expect((kit.body["auto_action"] ?? .null) == .null && kit.body["evidence"]?["likeness_matches"] == [])
            // Obama reports it: his face is there, but he granted it → evidence, no automatic removal.
            let obama = try await Self.report(c, node, #"{"type":"likeness","client_report_id":"lk-1","generation_id":"\#(gen)","reporter":"sub_obama"}"#)
            #expect((obama.body["evidence"]?["likeness_matches"]?.arrayValue?.count ?? 0) > 0)
            #expect(obama.body["evidence"]?["reporter_consented"] == true && (obama.body["auto_action"] ?? .null) == .null)
            // Obama revokes everything and reports a new clip made by another node path: simulate with a generation where he is not a cameo.
            let sheet = try await c.execute(uri: "/v1/queue/\(obama.body["id"]!.stringValue!)/sheet", method: .get, headers: [.authorization: "Bearer \(mod1)"]) { Array($0.body.readableBytesView) }
            #expect(sheet.count > 2000 && Array(sheet.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let claimed = try await c.call(.post, "/v1/queue/next", token: mod1)
            #expect(claimed.status == .ok && claimed.body["report"]?["type"] == "likeness", "\(claimed.text)")
            let id = claimed.body["id"]!.stringValue!
            let d = try await c.call(.post, "/v1/queue/\(id)/decide", token: mod1, json: #"{"action":"remove","ground":"likeness_without_consent","reason":"The person withdrew consent for this clip."}"#)
            #expect(d.status == .ok, "\(d.text)")
        }
        let reporterOfClaimed = try node.services.takedowns.all(type: "likeness").first { $0.decision?.action == .remove }?.report.reporter?.rawValue
        let blocked = try TakedownRows(ledger: node.services.ledger).blockedLikenesses()
        #expect(reporterOfClaimed != nil && blocked == [reporterOfClaimed!])
    }

    @Test func aLikenessMatchWithoutAGrantIsRemovedAtIntakeAndQueuedForConfirmation() async throws {
        let probe = try await TestNode(policies: GenerationPipelineTests.policies())
        let kitImage = try ImageDecoder().decode(Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("faces/kit_harington/1.jpg")))
        let kitFace = try #require(try probe.services.faces.analyze([kitImage])[0].first)
        let chip = try probe.services.faces.chip(of: kitFace, in: kitImage)
        let leaked = try CameoAppearance(ownerID: "sub_kit", face: RGBFace(width: chip.width, height: chip.height, pixels: chip.pixels))
        let node = try await TestNode(policies: GenerationPipelineTests.policies(), generator: LeakingGenerator(leaked: leaked))
        try await GenerationPipelineTests.people(node)
        try await node.services.start()
        try await node.test { c in
            let r = try await c.call(.post, "/v1/generations", token: node.service,
                                     json: #"{"requester":"sub_bob","prompt":"a cafe","cameos":["sub_obama"],"use":"generate","audience":{"kind":"only_me"}}"#)
            let gen = try await GenerationPipelineTests.wait(c, node, r.body["id"]!.stringValue!)["id"]!.stringValue!
            let rep = try await Self.report(c, node, #"{"type":"likeness","client_report_id":"lk-auto","generation_id":"\#(gen)","reporter":"sub_kit"}"#)
            #expect(rep.status == .created, "\(rep.text)")
            #expect(rep.body["auto_action"]?.stringValue?.hasPrefix("removed") == true, "\(rep.text)")
            #expect(rep.body["decision"]?["statement"]?["automated_detection"] == true)
            #expect(rep.body["status"] == "open")  // waits for a human to confirm
            #expect(try await c.call(.get, "/v1/generations/\(gen)", token: node.service).body["status"] == "removed")
        }
    }

    @Test func appealsStrikesLeasesAndTheHashBank() async throws {
        let (node, mod1, mod2, senior) = try await Self.node()
        let t = node.services.takedowns
        try await node.test { c in
            // misuse → keep → appeal goes to a different moderator
            let g0 = try await Self.released(c, node, prompt: "a friendly wave", seed: 1)
            let r0 = try await Self.report(c, node, #"{"type":"misuse","client_report_id":"mu-1","generation_id":"\#(g0)","category":"harassment","details":"mocking me"}"#)
            let id0 = r0.body["id"]!.stringValue!
            #expect(try await c.call(.post, "/v1/queue/\(id0)/claim", token: mod1).status == .ok)
            #expect(try await c.call(.post, "/v1/queue/\(id0)/decide", token: mod1, json: #"{"action":"keep","ground":"no_violation","reason":"A friendly wave is not harassment."}"#).status == .ok)
            #expect(try await c.call(.post, "/v1/reports/\(id0)/appeal", token: node.service, json: #"{"statement":"It is harassment in context."}"#).body["status"] == "open")
            let same = try await c.call(.post, "/v1/queue/\(id0)/claim", token: mod1)
            #expect(same.status == .forbidden && same.body["error"]?["code"] == "conflict_of_interest")
            #expect(try await c.call(.post, "/v1/queue/\(id0)/claim", token: mod2).status == .ok)
            // escalation goes to the senior tier only
            #expect(try await c.call(.post, "/v1/queue/\(id0)/escalate", token: mod2, json: #"{"note":"context needed"}"#).status == .ok)
            #expect(try await c.call(.post, "/v1/queue/\(id0)/claim", token: mod2).body["error"]?["code"] == "senior_only")
            #expect(try await c.call(.post, "/v1/queue/\(id0)/claim", token: senior).status == .ok)

            // three removals of Bob's clips: the third strike suspends him
            var removed: [String] = []
            for i in 0..<3 {
                let g = try await Self.released(c, node, prompt: "scene number \(i) by the river", seed: 100 + i)
                let r = try await Self.report(c, node, #"{"type":"copyright","client_report_id":"dm-\#(i)","generation_id":"\#(g)","notice":\#(Self.notice)}"#)
                let id = r.body["id"]!.stringValue!
                #expect(try await c.call(.post, "/v1/queue/\(id)/claim", token: mod1).status == .ok)
                #expect(try await c.call(.post, "/v1/queue/\(id)/decide", token: mod1, json: #"{"action":"remove","ground":"copyright_infringement","reason":"Reproduces the registered work."}"#).status == .ok)
                removed.append(g)
            }
            #expect(try node.services.consent.subject(SubjectID("sub_bob"))?.status.suspended == true)
            let blockedRequest = try await c.call(.post, "/v1/generations", token: node.service,
                                                  json: #"{"requester":"sub_bob","prompt":"one more","cameos":["sub_obama"],"use":"generate","audience":{"kind":"only_me"}}"#)
            #expect(blockedRequest.body["status"] == "rejected" && blockedRequest.body["reasons"]?.arrayValue?.first?.stringValue?.hasPrefix("requester_suspended") == true)

            // a removed clip comes back (same prompt, seed and cameo from another requester): the bank catches it
            _ = try await node.services.consent.upsertSubject(id: SubjectID("sub_carol"), handle: "carol", externalID: nil)
            let again = try await c.call(.post, "/v1/generations", token: node.service,
                                         json: #"{"requester":"sub_carol","prompt":"scene number 0 by the river","cameos":["sub_obama"],"use":"generate","audience":{"kind":"only_me"},"seed":100}"#)
            let done = try await GenerationPipelineTests.wait(c, node, again.body["id"]!.stringValue!)
            #expect(done["status"] == "quarantined", "\(done)")
            #expect(done["reasons"]?.arrayValue?.contains { $0.stringValue?.hasPrefix("hash_bank") ?? false } == true, "\(done)")
        }
        // lease expiry returns the item (injectable clock)
        let gen = try node.services.generations.list(requester: SubjectID("sub_carol"), limit: 1)[0].id
        let (c, _) = try await t.submit(ReportIn(type: "misuse", clientReportID: "lease-1", generationID: gen, reporter: nil, notice: nil, category: "other", details: nil), actor: "test")
        let now = Date()
        _ = try await t.claim(c.id, moderator: "m1", isSenior: false, now: now)
        #expect(!(try t.queue(type: "misuse", now: now.addingTimeInterval(60)).contains { $0.id == c.id }))
        #expect(try t.queue(type: "misuse", now: now.addingTimeInterval(16 * 60)).contains { $0.id == c.id })
        _ = try await t.claim(c.id, moderator: "m2", isSenior: false, now: now.addingTimeInterval(16 * 60))
        await #expect(throws: TakedownError.self) { _ = try await t.release(c.id, moderator: "m1", now: now.addingTimeInterval(17 * 60)) }
    }
}
