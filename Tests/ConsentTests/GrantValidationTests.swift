import CameoCore
import Foundation
import Testing
@testable import Consent

/// `Grant.make`: drafts against `ConsentLimits`.
@Suite("Grant validation")
struct GrantValidationTests {
    static let limits = try! ConsentLimits(maxLifetime: day * 90, maxApprovedList: 3, defaultLifetime: day * 30)
    static let owner = Person.owner.id
    static let others = ["sub_a", "sub_b", "sub_c", "sub_d"].map(sid)

    struct DraftRow: Sendable, CustomTestStringConvertible {
        let name: String, draft: GrantDraft, error: ConsentError.Code?
        var testDescription: String { name }
    }

    static func draft(
        _ audience: Audience = .everyone, uses: Set<Use> = [.generate], forbidden: Set<ContentTag> = [],
        preferences: String = "", effect: GrantEffect = .allow, expires: Date? = nil
    ) -> GrantDraft {
        GrantDraft(owner: owner, audience: audience, uses: uses, forbiddenTags: forbidden,
                   preferences: preferences, effect: effect, expiresAt: expires)
    }

    @Test("drafts are accepted or rejected with a stable code", arguments: [
        DraftRow(name: "plain allow", draft: draft(), error: nil),
        DraftRow(name: "expiry in the past", draft: draft(expires: t0 - 1), error: .expiryInPast),
        DraftRow(name: "expiry exactly now", draft: draft(expires: t0), error: .expiryInPast),
        DraftRow(name: "expiry one second ahead", draft: draft(expires: t0 + 1), error: nil),
        DraftRow(name: "lifetime exactly the maximum", draft: draft(expires: t0 + day * 90), error: nil),
        DraftRow(name: "lifetime over the maximum", draft: draft(expires: t0 + day * 90 + 1), error: .grantLifetimeExceeded),
        DraftRow(name: "block may outlive the maximum", draft: draft(uses: [.wildcard], effect: .block, expires: t0 + day * 400), error: nil),
        DraftRow(name: "block expiry still in the future", draft: draft(uses: [.wildcard], effect: .block, expires: t0 - 1), error: .expiryInPast),
        DraftRow(name: "empty uses", draft: draft(uses: []), error: .invalidGrant),
        DraftRow(name: "wildcard in allow", draft: draft(uses: [.wildcard]), error: .invalidGrant),
        DraftRow(name: "wildcard mixed with a use", draft: draft(uses: [.wildcard, .remix], effect: .block), error: .invalidGrant),
        DraftRow(name: "approved list at the limit", draft: draft(.approved(Array(others.prefix(3)))), error: nil),
        DraftRow(name: "approved list too long", draft: draft(.approved(others)), error: .approvedListTooLong),
        DraftRow(name: "duplicates do not count twice", draft: draft(.approved(Array(others.prefix(3)) + Array(others.prefix(3)))), error: nil),
        DraftRow(name: "empty approved list", draft: draft(.approved([])), error: .invalidGrant),
        DraftRow(name: "owner in own approved list", draft: draft(.approved([owner, others[0]])), error: .invalidGrant),
        DraftRow(name: "block with forbidden tags", draft: draft(uses: [.wildcard], forbidden: [.political], effect: .block), error: .invalidGrant),
        DraftRow(name: "preferences at 2000 characters", draft: draft(preferences: String(repeating: "é", count: 2000)), error: nil),
        DraftRow(name: "preferences over 2000 characters", draft: draft(preferences: String(repeating: "a", count: 2001)), error: .preferencesTooLong),
    ])
    func draftValidation(row: DraftRow) {
        if let code = row.error {
            expectError(code) { _ = try Grant.make(row.draft, id: gid("grt_x"), now: t0, limits: Self.limits) }
        } else {
            #expect(throws: Never.self) { try Grant.make(row.draft, id: gid("grt_x"), now: t0, limits: Self.limits) }
        }
    }

    @Test("a made grant carries the draft, the id and now as created_at")
    func madeGrantCarriesDraft() throws {
        let d = Self.draft(.approved([Self.others[1], Self.others[0], Self.others[1]]), uses: [.generate, .remix],
                           forbidden: [.political], preferences: "no hats", expires: t0 + day)
        let g = try Grant.make(d, id: gid("grt_x"), now: t0, limits: Self.limits)
        #expect(g.id == gid("grt_x") && g.owner == Self.owner && g.createdAt == t0 && g.expiresAt == t0 + day)
        #expect(g.audience == .approved([Self.others[0], Self.others[1]]))
        #expect(g.uses == [.generate, .remix] && g.forbiddenTags == [.political] && g.preferences == "no hats")
    }

    @Test("allow grants without expiry get the default lifetime; blocks and no-default stay open")
    func defaultLifetime() throws {
        let allow = try Grant.make(Self.draft(), id: gid("grt_a"), now: t0, limits: Self.limits)
        #expect(allow.expiresAt == t0 + day * 30)
        let block = try Grant.make(Self.draft(uses: [.wildcard], effect: .block), id: gid("grt_b"), now: t0, limits: Self.limits)
        #expect(block.expiresAt == nil)
        let open = try ConsentLimits(maxLifetime: day, maxApprovedList: 1)
        #expect(try Grant.make(Self.draft(), id: gid("grt_c"), now: t0, limits: open).expiresAt == nil)
    }

    @Test("limits are validated", arguments: [
        (0.0, 10, nil), (-1.0, 10, nil), (Double.infinity, 10, nil), (day, 0, nil), (day, 10, 0.0), (day, 10, day + 1),
    ] as [(TimeInterval, Int, TimeInterval?)])
    func badLimits(maxLifetime: TimeInterval, maxList: Int, defaultLifetime: TimeInterval?) {
        expectError(.invalidLimits) { _ = try ConsentLimits(maxLifetime: maxLifetime, maxApprovedList: maxList, defaultLifetime: defaultLifetime) }
    }

    @Test("limits decode from policy keys")
    func limitsDecode() throws {
        let json = #"{"max_lifetime":7776000,"max_approved_list":500,"default_lifetime":2592000}"#
        let limits = try JSONDecoder().decode(ConsentLimits.self, from: Data(json.utf8))
        #expect(limits == (try ConsentLimits(maxLifetime: 7_776_000, maxApprovedList: 500, defaultLifetime: 2_592_000)))
        let bad = #"{"max_lifetime":100,"max_approved_list":5,"default_lifetime":200}"#
        expectError(.invalidLimits) { _ = try JSONDecoder().decode(ConsentLimits.self, from: Data(bad.utf8)) }
    }
}
