import CameoCore
import Foundation
import Testing
@testable import Consent

/// Which reason a deny carries when no grant fits (rule 8 of `ConsentEvaluator`).
@Suite("Deny reasons")
struct DenyReasonTests {
    enum Scenario: String, CaseIterable, Sendable {
        case noGrantsAtAll
        case onlyBlocksForOthers
        case onlyExpiredForOthers
        case liveGrantForOthers
        case expiredCovering
        case revokedBeatsExpired
        case useMissingBeatsRevoked
        case restrictedListsOnlyGrantsWithTheUse
        case audienceListsOnlyCleanGrants
        case restrictedBeatsAudience
    }

    /// Builds the scenario; returns the requester, tags, visibility and expected outcome.
    func build(_ s: Scenario, _ w: inout World) throws -> (Person, [ContentTag], Visibility, CameoOutcome) {
        switch s {
        case .noGrantsAtAll:
            return (.stranger, [], .onlyMe, .deny(reason: .noGrant, grantIDs: []))
        case .onlyBlocksForOthers:
            try w.grant(.approved([Person.friend.id]), uses: [.wildcard], effect: .block)
            return (.stranger, [], .onlyMe, .deny(reason: .noGrant, grantIDs: []))
        case .onlyExpiredForOthers:
            try w.grant(.approved([Person.friend.id]), created: t0 - day * 9, expires: t0 - day)
            return (.stranger, [], .onlyMe, .deny(reason: .noGrant, grantIDs: []))
        case .liveGrantForOthers:
            try w.grant(.approved([Person.friend.id]))
            return (.stranger, [], .onlyMe, .deny(reason: .audienceNotAllowed, grantIDs: []))
        case .expiredCovering:
            let e1 = try w.grant(.everyone, created: t0 - day * 9, expires: t0 - day)
            let e2 = try w.grant(.community(club), created: t0 - day * 9, expires: t0 - day * 2)
            try w.grant(.approved([Person.friend.id]))
            return (.member, [], .onlyMe, .deny(reason: .expired, grantIDs: [e1, e2].sorted()))
        case .revokedBeatsExpired:
            let revoked = try w.grant(.approved([Person.friend.id]))
            try w.revoke(revoked)
            try w.grant(.everyone, created: t0 - day * 9, expires: t0 - day)
            return (.friend, [], .onlyMe, .deny(reason: .revoked, grantIDs: [revoked]))
        case .useMissingBeatsRevoked:
            let revoked = try w.grant(.approved([Person.friend.id]))
            try w.revoke(revoked)
            let remixOnly = try w.grant(.everyone, uses: [.remix])
            let postOnly = try w.grant(.mutuals, uses: [.publicPost])  // does not cover friend
            _ = postOnly
            return (.friend, [], .onlyMe, .deny(reason: .useNotAllowed, grantIDs: [remixOnly]))
        case .restrictedListsOnlyGrantsWithTheUse:
            let a = try w.grant(.everyone, forbidden: [.political])
            let b = try w.grant(.approved([Person.friend.id]), forbidden: [.sexual, .advertising])
            try w.grant(.approved([Person.friend.id]), uses: [.remix])
            return (.friend, [.political, .sexual], .onlyMe, .deny(reason: .restrictedContent, grantIDs: [a, b].sorted()))
        case .audienceListsOnlyCleanGrants:
            try w.grant(.approved([Person.friend.id]), forbidden: [.political])
            let clean = try w.grant(.approved([Person.friend.id]))
            return (.friend, [.political], .everyone, .deny(reason: .audienceNotAllowed, grantIDs: [clean]))
        case .restrictedBeatsAudience:
            let a = try w.grant(.approved([Person.friend.id]), forbidden: [.violence])
            return (.friend, [.violence], .everyone, .deny(reason: .restrictedContent, grantIDs: [a]))
        }
    }

    @Test("the most informative reason is reported", arguments: Scenario.allCases)
    func mostInformativeReason(scenario: Scenario) throws {
        var world = try World.standard()
        let (requester, tags, visibility, expected) = try build(scenario, &world)
        #expect(try world.outcome(requester, visibility: visibility, tags: tags) == expected)
    }

    @Test("every deny code is a stable published string")
    func denyCodesAreStable() {
        #expect(DenyReason.allCases.map(\.rawValue) == [
            "no_grant", "revoked", "expired", "audience_not_allowed", "use_not_allowed",
            "restricted_content", "likeness_not_verified", "owner_suspended", "owner_erased", "likeness_disputed", "blocked",
        ])
        #expect(CameoOutcome.allow(grantIDs: []).code == "granted")
        #expect(CameoOutcome.deny(reason: .revoked, grantIDs: []).code == "revoked")
    }
}
