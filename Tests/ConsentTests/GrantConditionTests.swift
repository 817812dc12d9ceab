import CameoCore
import Foundation
import Testing
@testable import Consent

/// Uses, forbidden tags, expiry, revocation and output visibility of a single grant.
@Suite("Grant conditions")
struct GrantConditionTests {
    struct UseRow: Sendable, CustomTestStringConvertible {
        let granted: [String], requested: String, allowed: Bool
        var testDescription: String { "grant \(granted) / request \(requested)" }
    }

    @Test("a grant allows only the uses it lists", arguments: [
        UseRow(granted: ["generate"], requested: "generate", allowed: true),
        UseRow(granted: ["generate"], requested: "remix", allowed: false),
        UseRow(granted: ["generate", "remix"], requested: "remix", allowed: true),
        UseRow(granted: ["public_post"], requested: "generate", allowed: false),
        UseRow(granted: ["generate"], requested: "public_post", allowed: false),
        UseRow(granted: ["dance_off"], requested: "dance_off", allowed: true),
    ])
    func grantAllowsOnlyListedUses(row: UseRow) throws {
        var world = try World.standard()
        let id = try world.grant(.everyone, uses: Set(try row.granted.map { try Use($0) }))
        let outcome = try world.outcome(.stranger, use: try Use(row.requested))
        #expect(outcome == (row.allowed ? .allow(grantIDs: [id]) : .deny(reason: .useNotAllowed, grantIDs: [id])))
    }

    struct TagRow: Sendable, CustomTestStringConvertible {
        let forbidden: [ContentTag], tags: [ContentTag], allowed: Bool
        var testDescription: String { "forbids \(forbidden) / tags \(tags)" }
    }

    @Test("a forbidden tag in the request denies with restricted_content", arguments: [
        TagRow(forbidden: [], tags: [.political], allowed: true),
        TagRow(forbidden: [.political], tags: [], allowed: true),
        TagRow(forbidden: [.political], tags: [.political], allowed: false),
        TagRow(forbidden: [.political, .sexual], tags: [.advertising], allowed: true),
        TagRow(forbidden: [.political, .sexual], tags: [.advertising, .sexual], allowed: false),
        TagRow(forbidden: [.minors], tags: [.violence, .minors], allowed: false),
        TagRow(forbidden: [.publicFigure], tags: [.political, .advertising, .violence], allowed: true),
    ])
    func forbiddenTagDenies(row: TagRow) throws {
        var world = try World.standard()
        let id = try world.grant(.approved([Person.friend.id]), forbidden: Set(row.forbidden))
        let outcome = try world.outcome(.friend, tags: row.tags)
        #expect(outcome == (row.allowed ? .allow(grantIDs: [id]) : .deny(reason: .restrictedContent, grantIDs: [id])))
    }

    @Test("a grant applies strictly before its expiry", arguments: [
        (nil, true), (1.0, true), (day * 30, true), (0.0, false), (-1.0, false), (-day * 30, false),
    ] as [(TimeInterval?, Bool)])
    func grantAppliesBeforeExpiry(expiresIn: TimeInterval?, live: Bool) throws {
        var world = try World.standard()
        let id = try world.grant(.mutuals, created: t0 - day * 60, expires: expiresIn.map { t0 + $0 })
        let outcome = try world.outcome(.mutual)
        #expect(outcome == (live ? .allow(grantIDs: [id]) : .deny(reason: .expired, grantIDs: [id])))
    }

    @Test("the same grant ages: allowed before expiry, expired from it on")
    func grantExpiresOverTime() throws {
        var world = try World.standard()
        let id = try world.grant(.everyone, expires: t0 + 3600)
        #expect(try world.outcome(.fan, now: t0 + 3599) == .allow(grantIDs: [id]))
        #expect(try world.outcome(.fan, now: t0 + 3600) == .deny(reason: .expired, grantIDs: [id]))
    }

    @Test("a revoked grant denies with revoked, whatever the revocation timestamp")
    func revokedGrantDeniesImmediately() throws {
        for revokedAt in [t0 - day, t0, t0 + day] {
            var world = try World.standard()
            let id = try world.grant(.approved([Person.friend.id]))
            #expect(try world.outcome(.friend) == .allow(grantIDs: [id]))
            try world.revoke(id, at: revokedAt)
            #expect(try world.outcome(.friend) == .deny(reason: .revoked, grantIDs: [id]))
            #expect(world.index.revocationTime(of: id) == revokedAt)
        }
    }

    @Test("revoking one grant leaves another covering grant in force")
    func otherGrantSurvivesRevocation() throws {
        var world = try World.standard()
        let approved = try world.grant(.approved([Person.friend.id]))
        let everyone = try world.grant(.everyone)
        #expect(try world.outcome(.friend) == .allow(grantIDs: [approved]))
        try world.revoke(approved)
        #expect(try world.outcome(.friend) == .allow(grantIDs: [everyone]))
        try world.revoke(everyone)
        #expect(try world.outcome(.friend) == .deny(reason: .revoked, grantIDs: [approved, everyone].sorted()))
    }

    struct VisibilityRow: Sendable, CustomTestStringConvertible {
        let grant: AudienceCase, requester: Person, visibility: Visibility, allowed: Bool
        var testDescription: String { "\(grant) grant, \(requester) shows to \(visibility.kind)" }
    }

    @Test("the output may be shown no wider than the grant's audience", arguments: [
        VisibilityRow(grant: .approvedFriend, requester: .friend, visibility: .onlyMe, allowed: true),
        VisibilityRow(grant: .approvedFriend, requester: .friend, visibility: .mutuals, allowed: true),
        VisibilityRow(grant: .approvedFriend, requester: .friend, visibility: .community(club), allowed: false),
        VisibilityRow(grant: .approvedFriend, requester: .friend, visibility: .everyone, allowed: false),
        VisibilityRow(grant: .mutuals, requester: .mutual, visibility: .mutuals, allowed: true),
        VisibilityRow(grant: .mutuals, requester: .mutual, visibility: .everyone, allowed: false),
        VisibilityRow(grant: .community, requester: .member, visibility: .community(club), allowed: true),
        VisibilityRow(grant: .community, requester: .member, visibility: .community(otherClub), allowed: false),
        VisibilityRow(grant: .community, requester: .member, visibility: .mutuals, allowed: true),
        VisibilityRow(grant: .community, requester: .member, visibility: .everyone, allowed: false),
        VisibilityRow(grant: .everyone, requester: .stranger, visibility: .everyone, allowed: true),
        VisibilityRow(grant: .everyone, requester: .member, visibility: .community(club), allowed: true),
    ])
    func outputVisibilityIsBoundedByGrant(row: VisibilityRow) throws {
        var world = try World.standard()
        let id = try world.grant(row.grant.audience)
        let outcome = try world.outcome(row.requester, visibility: row.visibility)
        #expect(outcome == (row.allowed ? .allow(grantIDs: [id]) : .deny(reason: .audienceNotAllowed, grantIDs: [id])))
    }
}
