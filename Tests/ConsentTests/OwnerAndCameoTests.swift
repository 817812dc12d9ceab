import CameoCore
import Foundation
import Testing
@testable import Consent

/// Owner status, the owner's own cameo, several cameos per request, unknown subjects.
@Suite("Owners and cameos")
struct OwnerAndCameoTests {
    struct StatusRow: Sendable, CustomTestStringConvertible {
        let likeness: LikenessStatus, suspended: Bool, requester: Person, expected: String
        var testDescription: String { "\(likeness)\(suspended ? "+suspended" : "") asked by \(requester) → \(expected)" }
    }

    @Test("the owner's status decides before any grant", arguments: [
        StatusRow(likeness: .verified, suspended: false, requester: .friend, expected: "granted"),
        StatusRow(likeness: .unverified, suspended: false, requester: .friend, expected: "likeness_not_verified"),
        StatusRow(likeness: .verified, suspended: true, requester: .friend, expected: "owner_suspended"),
        StatusRow(likeness: .unverified, suspended: true, requester: .friend, expected: "owner_suspended"),
        StatusRow(likeness: .erased, suspended: false, requester: .friend, expected: "owner_erased"),
        StatusRow(likeness: .erased, suspended: true, requester: .friend, expected: "owner_erased"),
        StatusRow(likeness: .unverified, suspended: false, requester: .owner, expected: "granted"),
        StatusRow(likeness: .verified, suspended: true, requester: .owner, expected: "granted"),
        StatusRow(likeness: .erased, suspended: false, requester: .owner, expected: "owner_erased"),
    ])
    func ownerStatusDecidesFirst(row: StatusRow) throws {
        var world = try World.standard()
        let id = try world.grant(.everyone)
        try world.setStatus(.owner, SubjectStatus(likeness: row.likeness, suspended: row.suspended))
        let outcome = try world.outcome(row.requester)
        #expect(outcome.code == row.expected)
        switch outcome {
        case .allow(let ids): #expect(ids == (row.requester == .owner ? [] : [id]))
        case .deny(_, let ids): #expect(ids.isEmpty)
        }
    }

    @Test("the owner may always use their own cameo, even with a block on everyone")
    func ownerUsesOwnCameo() throws {
        var world = try World.standard()
        try world.grant(.everyone, uses: [.wildcard], effect: .block)
        let decision = try world.check(.owner, visibility: .everyone, tags: [.political])
        #expect(decision.verdict == .allow)
        #expect(decision.results == [CameoResult(owner: Person.owner.id, outcome: .allow(grantIDs: []))])
    }

    @Test("one denied cameo denies the whole request; results keep request order")
    func oneDenyDeniesAll() throws {
        var world = try World.standard()
        let ownerGrant = try world.grant(.everyone)
        var decision = try world.check(.stranger, cameos: [.owner, .second])
        #expect(decision.verdict == .deny)
        #expect(decision.results.map(\.owner) == [Person.owner.id, Person.second.id])
        #expect(decision.results.map(\.outcome) == [.allow(grantIDs: [ownerGrant]), .deny(reason: .noGrant, grantIDs: [])])

        let secondGrant = try world.grant(.everyone, owner: .second)
        decision = try world.check(.stranger, cameos: [.second, .owner])
        #expect(decision.verdict == .allow)
        #expect(decision.results.map(\.owner) == [Person.second.id, Person.owner.id])
        #expect(decision.grantsUsed == [ownerGrant, secondGrant].sorted())

        try world.revoke(secondGrant)
        decision = try world.check(.stranger, cameos: [.second, .owner])
        #expect(decision.verdict == .deny)
        #expect(decision.results[0].outcome == .deny(reason: .revoked, grantIDs: [secondGrant]))
        #expect(decision.grantsUsed == [ownerGrant])
    }

    @Test("a requester's own cameo next to another's needs only the other's grant")
    func selfAndOtherCameo() throws {
        var world = try World.standard()
        #expect(try world.check(.mutual, cameos: [.mutual, .owner]).verdict == .deny)
        let id = try world.grant(.mutuals)
        let decision = try world.check(.mutual, cameos: [.mutual, .owner])
        #expect(decision.verdict == .allow)
        #expect(decision.results.map(\.outcome) == [.allow(grantIDs: []), .allow(grantIDs: [id])])
    }

    @Test("sixteen cameos are evaluated independently")
    func sixteenCameos() throws {
        var world = try World.standard()
        let owners = (0..<16).map { sid("sub_c\($0)") }
        for o in owners { try world.add(.subjectUpserted(o, SubjectStatus(likeness: .verified))) }
        for o in owners.dropLast() {
            let grant = try Grant(id: gid("grt_\(o.rawValue)"), owner: o, audience: .everyone, uses: [.generate], createdAt: t0 - day)
            try world.add(.grantCreated(grant))
        }
        let request = try ConsentRequest(requester: Person.stranger.id, cameos: owners, use: .generate, audience: .onlyMe)
        let decision = try ConsentEvaluator.evaluate(request, index: world.index, now: t0)
        #expect(decision.verdict == .deny)
        #expect(decision.results.filter { $0.outcome.verdict == .allow }.count == 15)
        #expect(decision.results.last?.outcome == .deny(reason: .noGrant, grantIDs: []))
    }

    @Test("unknown requester or cameo owner is an error, not a deny")
    func unknownSubjectsThrow() throws {
        let world = try World.standard()
        let ghost = sid("sub_ghost")
        for (requester, cameos) in [(ghost, [Person.owner.id]), (Person.friend.id, [Person.owner.id, ghost])] {
            let request = try ConsentRequest(requester: requester, cameos: cameos, use: .generate, audience: .onlyMe)
            expectError(.unknownSubject) { _ = try ConsentEvaluator.evaluate(request, index: world.index, now: t0) }
        }
    }
}
