import CameoCore
import Foundation
import Testing
@testable import Consent

/// Several grants of one owner: blocks over allows, and the most specific allow wins.
@Suite("Grant precedence")
struct GrantPrecedenceTests {
    @Test("a live block beats every allow that covers the same requester and use")
    func blockBeatsAllow() throws {
        var world = try World.standard()
        let approved = try world.grant(.approved([Person.friend.id]), uses: [.generate, .remix])
        let block = try world.grant(.everyone, uses: [.wildcard], effect: .block)
        #expect(try world.outcome(.friend) == .deny(reason: .blocked, grantIDs: [block]))
        #expect(try world.outcome(.friend, use: .remix) == .deny(reason: .blocked, grantIDs: [block]))
        try world.revoke(block)
        #expect(try world.outcome(.friend) == .allow(grantIDs: [approved]))
    }

    @Test("a block for some uses leaves the other uses allowed")
    func blockIsPerUse() throws {
        var world = try World.standard()
        let everyone = try world.grant(.everyone, uses: [.generate, .remix])
        let block = try world.grant(.approved([Person.friend.id]), uses: [.remix], effect: .block)
        #expect(try world.outcome(.friend, use: .generate) == .allow(grantIDs: [everyone]))
        #expect(try world.outcome(.friend, use: .remix) == .deny(reason: .blocked, grantIDs: [block]))
        #expect(try world.outcome(.stranger, use: .remix) == .allow(grantIDs: [everyone]))
    }

    @Test("expired or revoked blocks no longer block", arguments: [true, false])
    func deadBlockDoesNotBlock(revoked: Bool) throws {
        var world = try World.standard()
        let allow = try world.grant(.everyone)
        let block = try world.grant(.mutuals, uses: [.wildcard], effect: .block,
                                    created: t0 - day * 10, expires: revoked ? nil : t0 - day)
        if revoked { try world.revoke(block) }
        #expect(try world.outcome(.mutual) == .allow(grantIDs: [allow]))
    }

    @Test("a block applies even when there is no allow grant, and lists every matching block")
    func blockWithoutAllowAndSeveralBlocks() throws {
        var world = try World.standard()
        let b1 = try world.grant(.everyone, uses: [.generate], effect: .block)
        #expect(try world.outcome(.stranger) == .deny(reason: .blocked, grantIDs: [b1]))
        let b2 = try world.grant(.community(club), uses: [.wildcard], effect: .block)
        #expect(try world.outcome(.member) == .deny(reason: .blocked, grantIDs: [b1, b2].sorted()))
        #expect(try world.outcome(.stranger) == .deny(reason: .blocked, grantIDs: [b1]))
    }

    @Test("a block on one owner does not touch another owner's cameo")
    func blockIsPerOwner() throws {
        var world = try World.standard()
        try world.grant(.everyone, uses: [.wildcard], effect: .block)
        let second = try world.grant(.everyone, owner: .second)
        let decision = try world.check(.stranger, cameos: [.second])
        #expect(decision.results[0].outcome == .allow(grantIDs: [second]))
    }

    @Test("an approved grant for a friend wins where the everyone grant forbids a tag")
    func mostSpecificGrantWinsOverRestrictedBroadGrant() throws {
        var world = try World.standard()
        let everyone = try world.grant(.everyone, forbidden: [.political])
        let approved = try world.grant(.approved([Person.friend.id]))
        #expect(try world.outcome(.friend, tags: [.political]) == .allow(grantIDs: [approved]))
        #expect(try world.outcome(.stranger, tags: [.political]) == .deny(reason: .restrictedContent, grantIDs: [everyone]))
        #expect(try world.outcome(.stranger) == .allow(grantIDs: [everyone]))
    }

    @Test("a broader grant applies where the specific one does not fit")
    func broaderGrantFillsIn() throws {
        var world = try World.standard()
        let approved = try world.grant(.approved([Person.friend.id]), forbidden: [.political])
        let everyone = try world.grant(.everyone)
        #expect(try world.outcome(.friend) == .allow(grantIDs: [approved]))
        #expect(try world.outcome(.friend, tags: [.political]) == .allow(grantIDs: [everyone]))
        #expect(try world.outcome(.friend, visibility: .everyone) == .allow(grantIDs: [everyone]))
    }

    struct SpecificityRow: Sendable, CustomTestStringConvertible {
        let grants: [AudienceCase], winner: Int
        var testDescription: String { "\(grants) → \(grants[winner])" }
    }

    // The requester is `mutual`, who here is also approved and a club member, so every
    // audience covers them; grants are created oldest first.
    @Test("approved > community > mutuals > everyone, regardless of creation order", arguments: [
        SpecificityRow(grants: [.everyone, .approvedFriend], winner: 1),
        SpecificityRow(grants: [.approvedFriend, .everyone], winner: 0),
        SpecificityRow(grants: [.everyone, .community], winner: 1),
        SpecificityRow(grants: [.community, .mutuals], winner: 0),
        SpecificityRow(grants: [.mutuals, .community], winner: 1),
        SpecificityRow(grants: [.everyone, .mutuals], winner: 1),
        SpecificityRow(grants: [.everyone, .mutuals, .community, .approvedFriend], winner: 3),
        SpecificityRow(grants: [.approvedFriend, .community, .mutuals, .everyone], winner: 0),
    ])
    func mostSpecificAudienceWins(row: SpecificityRow) throws {
        var world = try World.standard()
        try world.add(.joined(club, member: Person.mutual.id))
        var ids: [GrantID] = []
        for (i, audience) in row.grants.enumerated() {
            let resolved: Audience = audience == .approvedFriend ? .approved([Person.mutual.id]) : audience.audience
            ids.append(try world.grant(resolved, created: t0 - day * Double(10 - i)))
        }
        #expect(try world.outcome(.mutual) == .allow(grantIDs: [ids[row.winner]]))
    }

    @Test("between equally specific grants the newest wins, then the smallest id")
    func tieBreaks() throws {
        var world = try World.standard()
        let older = try world.grant(.everyone, created: t0 - day * 5)
        let newer = try world.grant(.everyone, created: t0 - day * 2)
        #expect(try world.outcome(.stranger) == .allow(grantIDs: [newer]))
        try world.revoke(newer)
        #expect(try world.outcome(.stranger) == .allow(grantIDs: [older]))

        var same = try World.standard()
        let first = try same.grant(.mutuals, created: t0 - day)
        _ = try same.grant(.mutuals, created: t0 - day)
        #expect(first == gid("grt_1"))
        #expect(try same.outcome(.mutual) == .allow(grantIDs: [first]))
    }
}
