import CameoCore
import Foundation
import Testing
@testable import Consent

/// The grant audiences under test, each with the people it must cover (written out, not
/// computed, so the table is an independent statement of the rules).
enum AudienceCase: String, CaseIterable, Sendable {
    case onlyMe, approvedFriend, mutuals, everyone, community

    var audience: Audience {
        switch self {
        case .onlyMe: .onlyMe
        case .approvedFriend: .approved([Person.friend.id])
        case .mutuals: .mutuals
        case .everyone: .everyone
        case .community: .community(club)
        }
    }

    /// Who (besides the owner) an allow grant with this audience lets in.
    var covered: Set<Person> {
        switch self {
        case .onlyMe: []
        case .approvedFriend: [.friend]
        case .mutuals: [.mutual]
        case .everyone: Set(Person.allCases)
        case .community: [.member]
        }
    }
}

@Suite("Audience × requester relation")
struct AudienceCoverageTests {
    @Test("an allow grant covers exactly its audience", arguments: AudienceCase.allCases, Person.allCases)
    func allowGrantCoversExactlyItsAudience(audience: AudienceCase, requester: Person) throws {
        var world = try World.standard()
        let id = try world.grant(audience.audience)
        let outcome = try world.outcome(requester)
        if requester == .owner {
            #expect(outcome == .allow(grantIDs: []))
        } else if audience.covered.contains(requester) {
            #expect(outcome == .allow(grantIDs: [id]))
        } else {
            // The owner has a live grant, just not for this requester.
            #expect(outcome == .deny(reason: .audienceNotAllowed, grantIDs: []))
        }
    }

    @Test("a block grant blocks exactly its audience", arguments: AudienceCase.allCases, Person.allCases)
    func blockGrantBlocksExactlyItsAudience(audience: AudienceCase, requester: Person) throws {
        var world = try World.standard()
        let allow = try world.grant(.everyone)
        let block = try world.grant(audience.audience, uses: [.wildcard], effect: .block)
        let outcome = try world.outcome(requester)
        if requester == .owner {
            #expect(outcome == .allow(grantIDs: []))
        } else if audience.covered.contains(requester) {
            #expect(outcome == .deny(reason: .blocked, grantIDs: [block]))
        } else {
            #expect(outcome == .allow(grantIDs: [allow]))
        }
    }

    @Test("a one-way follow in either direction is not mutual")
    func oneWayFollowIsNotMutual() throws {
        let world = try World.standard()
        #expect(world.index.isMutual(Person.owner.id, Person.mutual.id))
        #expect(world.index.isMutual(Person.mutual.id, Person.owner.id))
        #expect(!world.index.isMutual(Person.fan.id, Person.owner.id))
        #expect(!world.index.isMutual(Person.owner.id, Person.followed.id))
        #expect(world.index.follows(Person.fan.id, Person.owner.id))
        #expect(!world.index.follows(Person.owner.id, Person.fan.id))
    }

    @Test("unfollowing ends mutual coverage; leaving a community ends community coverage")
    func relationshipChangesTakeEffect() throws {
        var world = try World.standard()
        let mutualGrant = try world.grant(.mutuals)
        let clubGrant = try world.grant(.community(club))
        #expect(try world.outcome(.mutual) == .allow(grantIDs: [mutualGrant]))
        #expect(try world.outcome(.member) == .allow(grantIDs: [clubGrant]))
        try world.add(.unfollow(follower: Person.owner.id, followee: Person.mutual.id))
        try world.add(.left(club, member: Person.member.id))
        #expect(try world.outcome(.mutual) == .deny(reason: .audienceNotAllowed, grantIDs: []))
        #expect(try world.outcome(.member) == .deny(reason: .audienceNotAllowed, grantIDs: []))
        try world.add(.joined(club, member: Person.stranger.id))
        #expect(try world.outcome(.stranger) == .allow(grantIDs: [clubGrant]))
    }

    @Test("an approved list with many subjects finds each of them")
    func largeApprovedListMembership() throws {
        var world = try World.standard()
        let listed = (0..<200).map { sid("sub_l\(String(format: "%03d", $0))") }
        for s in listed { try world.add(.subjectUpserted(s, SubjectStatus(likeness: .verified))) }
        let id = try world.grant(.approved(listed.reversed() + [Person.friend.id]))
        for s in listed + [Person.friend.id] {
            let request = try ConsentRequest(requester: s, cameos: [Person.owner.id], use: .generate, audience: .onlyMe)
            #expect(try ConsentEvaluator.evaluate(request, index: world.index, now: t0).results[0].outcome == .allow(grantIDs: [id]))
        }
        #expect(try world.outcome(.stranger) == .deny(reason: .audienceNotAllowed, grantIDs: []))
    }
}
