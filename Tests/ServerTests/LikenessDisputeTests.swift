import CameoCore
import FaceMatch
import Foundation
import HTTPTypes
import HummingbirdTesting
import Identity
import Ledger
import Server
import Store
import Testing
import TestSupport

/// A face enrolled for a second subject opens a dispute instead of first-come ownership: both
/// likenesses are held until a senior moderator decides; protection sends a face to the same
/// review. Over HTTP, with real enrollments (test-issuer attestations of fixture photos).
@Suite(.serialized) struct LikenessDisputeTests {
    static func node() async throws -> (TestNode, moderator: String, senior: String) {
        let node = try await TestNode()
        let keys = node.services.apiKeys
        return (node, try await keys.create(name: "mod", role: .moderator, actor: "test").token,
                try await keys.create(name: "senior", role: .senior, actor: "test").token)
    }

    static func status(_ c: any TestClientProtocol, _ node: TestNode, _ subject: String) async throws -> JSONValue {
        try await c.call(.get, "/v1/likenesses/\(subject)", token: node.service).body
    }

    static func check(_ c: any TestClientProtocol, _ node: TestNode, requester: String, cameo: String) async throws -> JSONValue {
        try await c.call(.post, "/v1/consent/check", token: node.service,
                         json: #"{"requester":"\#(requester)","cameos":["\#(cameo)"],"use":"generate","audience":{"kind":"only_me"}}"#).body
    }

    /// Enrolls `sub_real` (Obama 1.jpg) then `sub_later` with another Obama photo: a dispute.
    static func disputed(_ node: TestNode) async throws -> (realDevice: OwnerDevice, laterDevice: OwnerDevice, dispute: String) {
        let real = try await node.enroll("sub_real", "faces/obama/1.jpg")
        let subject = try SubjectID("sub_later")
        _ = try await node.services.consent.upsertSubject(id: subject, handle: "later", externalID: nil)
        let device = try OwnerDevice()
        let selfie = try [UInt8](Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("faces/obama/3-720p.jpg")))
        let result = try await node.issuer.enroll(subject, selfie: selfie, ownerKey: device.publicKey, in: node.services.likenesses, actor: "test")
        #expect(result.status == "disputed")
        return (real, device, try #require(result.disputeID))
    }

    @Test func aSecondEnrollmentOfAFaceHoldsBothUntilASeniorDecides() async throws {
        let (node, moderator, senior) = try await Self.node()
        let (realDevice, _, dispute) = try await Self.disputed(node)
        try await node.test { c in
            #expect(try await Self.status(c, node, "sub_real")["status"] == "disputed")
            let later = try await Self.status(c, node, "sub_later")
            #expect(later["status"] == "disputed" && later["dispute_id"]?.stringValue == dispute)
            // Neither can be used, not even by the subject itself, and no grant can be given.
            #expect(try await Self.check(c, node, requester: "sub_later", cameo: "sub_later")["results"]?.arrayValue?.first?["reason"] == "likeness_disputed")
            let grant = try realDevice.sign(#"{"owner":"sub_real","audience":{"kind":"everyone"},"uses":["generate"]}"#, "sub_real", "grant.create")
            let g = try await c.call(.post, "/v1/grants", token: node.service, json: grant)
            #expect(g.status == .conflict && g.body["error"]?["code"] == "likeness_disputed", "\(g.text)")
            // Moderators see it with its SLA and the contact sheet; only a senior decides.
            let list = try await c.call(.get, "/v1/disputes", token: moderator)
            #expect(list.body["disputes"]?.arrayValue?.map { $0["id"] } == [.string(dispute)])
            let one = try await c.call(.get, "/v1/disputes/\(dispute)", token: moderator).body
            #expect(one["earlier_subject"] == "sub_real" && one["subject"] == "sub_later" && one["sla_breached"] == false)
            let sheet = try await c.execute(uri: "/v1/disputes/\(dispute)/sheet", method: .get, headers: [.authorization: "Bearer \(moderator)"])
            #expect(sheet.status == .ok && Array(sheet.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            let refused = try await c.call(.post, "/v1/disputes/\(dispute)/decide", token: moderator, json: #"{"decision":"keep_earlier","reason":"the earlier enrollment is the person"}"#)
            #expect(refused.status == .forbidden)
            let short = try await c.call(.post, "/v1/disputes/\(dispute)/decide", token: senior, json: #"{"decision":"keep_earlier","reason":"short"}"#)
            #expect(short.status == .unprocessableContent && short.body["error"]?["code"] == "reason_required")
            let decided = try await c.call(.post, "/v1/disputes/\(dispute)/decide", token: senior, json: #"{"decision":"keep_earlier","reason":"the earlier enrollment is the person"}"#)
            #expect(decided.status == .ok && decided.body["decision"] == "keep_earlier" && decided.body["status"] == "decided", "\(decided.text)")
            #expect(try await Self.status(c, node, "sub_real")["status"] == "verified")
            #expect(try await Self.status(c, node, "sub_later")["status"] == "erased")
            let again = try await c.call(.post, "/v1/disputes/\(dispute)/decide", token: senior, json: #"{"decision":"transfer","reason":"changing my mind now"}"#)
            #expect(again.status == .conflict && again.body["error"]?["code"] == "dispute_decided")
            // The owner can grant again.
            let grant2 = try realDevice.sign(#"{"owner":"sub_real","audience":{"kind":"everyone"},"uses":["generate"]}"#, "sub_real", "grant.create")
            #expect(try await c.call(.post, "/v1/grants", token: node.service, json: grant2).status == .created)
        }
        let types = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }
        let decidedEntry = try #require(types.first { $0.type == "likeness.dispute_decided" })
        #expect(decidedEntry.payload["decision"] == "keep_earlier" && decidedEntry.payload["erased"] == "sub_later")
        #expect(decidedEntry.payload["reason_sha256"]?.stringValue?.count == 64)
        #expect(types.first { $0.type == "likeness.verified" && $0.subject == "sub_later" }?.payload["dispute"]?["earlier_subject"] == "sub_real")
    }

    @Test func transferErasesTheSquatterAndStrikesIt() async throws {
        let (node, _, senior) = try await Self.node()
        let (_, _, dispute) = try await Self.disputed(node)
        try await node.test { c in
            let r = try await c.call(.post, "/v1/disputes/\(dispute)/decide", token: senior, json: #"{"decision":"transfer","reason":"the later enrollee is the real person"}"#)
            #expect(r.status == .ok, "\(r.text)")
            #expect(try await Self.status(c, node, "sub_real")["status"] == "erased")
            #expect(try await Self.status(c, node, "sub_later")["status"] == "verified")
        }
        let entries = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }
        #expect(entries.contains { $0.type == "strike.added" && $0.subject == "sub_real" && $0.payload["case"] == .string(dispute) })
        // The squatter's face left the gallery; the later one is the face's owner now.
        let nearest = node.services.likenesses.faces.nearest(to: try FaceDescriptor(node.services.likenesses.store.descriptor(SubjectID("sub_later"))), k: 2)
        #expect(nearest.map(\.id) == ["sub_later"])
    }

    @Test func differentPeopleKeepsBothAndProtectionIsSeniorOnlyAndSendsTheFaceToReview() async throws {
        let (node, moderator, senior) = try await Self.node()
        try await node.enroll("sub_fig", "faces/biden/1.jpg")
        try await node.test { c in
            let body = #"{"category":"public_figure","reason":"head of state, widely photographed"}"#
            #expect(try await c.call(.post, "/v1/likenesses/sub_fig/protection", token: moderator, json: body).status == .forbidden)
            let bad = try await c.call(.post, "/v1/likenesses/sub_fig/protection", token: senior, json: #"{"category":"celebrity","reason":"head of state, widely photographed"}"#)
            #expect(bad.status == .unprocessableContent && bad.body["error"]?["code"] == "invalid_category")
            #expect(try await c.call(.post, "/v1/likenesses/sub_fig/protection", token: senior, json: body).status == .created)
            #expect(try await c.call(.post, "/v1/likenesses/sub_fig/protection", token: senior, json: body).body["error"]?["code"] == "already_protected")
            #expect(try await Self.status(c, node, "sub_fig")["protected"] == "public_figure")
        }
        // A new enrollment of the protected face goes to a senior dispute marked protected.
        let subject = try SubjectID("sub_lookalike")
        _ = try await node.services.consent.upsertSubject(id: subject, handle: "l", externalID: nil)
        let selfie = try [UInt8](Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent("faces/biden/2.jpg")))
        let result = try await node.issuer.enroll(subject, selfie: selfie, ownerKey: OwnerDevice().publicKey, in: node.services.likenesses, actor: "test")
        let id = try #require(result.disputeID)
        try await node.test { c in
            #expect(try await c.call(.get, "/v1/disputes/\(id)", token: moderator).body["protected"] == true)
            let r = try await c.call(.post, "/v1/disputes/\(id)/decide", token: senior, json: #"{"decision":"different_people","reason":"an impersonator's twin, verified separately"}"#)
            #expect(r.status == .ok)
            #expect(try await Self.status(c, node, "sub_fig")["status"] == "verified")
            #expect(try await Self.status(c, node, "sub_lookalike")["status"] == "verified")
            #expect(try await c.call(.get, "/v1/disputes?status=bogus", token: moderator).status == .unprocessableContent)
            #expect(try await c.call(.get, "/v1/disputes/dsp_nope", token: moderator).status == .notFound)
            #expect(try await c.call(.delete, "/v1/likenesses/sub_fig/protection", token: senior, json: #"{"reason":"no longer in office now"}"#).status == .ok)
            #expect(try await c.call(.delete, "/v1/likenesses/sub_fig/protection", token: senior, json: #"{"reason":"no longer in office now"}"#).status == .notFound)
        }
        let entries = try node.services.ledger.entries(start: 0, end: 100).map { try LedgerEntry(canonical: $0) }
        let protected = try #require(entries.first { $0.type == "likeness.protected" })
        #expect(protected.payload["category"] == "public_figure" && protected.payload["reason"] == nil)
        #expect(entries.contains { $0.type == "likeness.unprotected" })
    }
}
