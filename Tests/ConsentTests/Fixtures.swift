import CameoCore
import Foundation
import Testing
@testable import Consent

/// A fixed "now" for every test: 2026-01-01T00:00:00Z.
let t0 = Date(timeIntervalSince1970: 1_767_225_600)
let day: TimeInterval = 86_400

func sid(_ s: String) -> SubjectID { try! SubjectID(s) }
func gid(_ s: String) -> GrantID { try! GrantID(s) }
func cid(_ s: String) -> CommunityID { try! CommunityID(s) }

let club = cid("com_club")
let otherClub = cid("com_other")

/// The people of the standard world, each with exactly one relation to `owner`.
enum Person: String, CaseIterable, Sendable {
    /// The cameo owner (verified, not suspended).
    case owner
    /// Named in approved lists; no follow edges.
    case friend
    /// Follows the owner and is followed back.
    case mutual
    /// Follows the owner; not followed back.
    case fan
    /// Followed by the owner; does not follow back.
    case followed
    /// Member of `club`.
    case member
    /// Member of `otherClub` only.
    case outsider
    /// No relation at all.
    case stranger
    /// A second cameo owner (verified), for multi-cameo checks.
    case second

    var id: SubjectID { sid("sub_\(rawValue)") }
}

/// A consent world built only through `ConsentEvent`s applied to a real `ConsentIndex`.
struct World {
    var index = ConsentIndex()
    var events: [ConsentEvent] = []
    private var grantCounter = 0

    /// Everyone verified, with the relations documented on `Person`.
    static func standard() throws -> World {
        var w = World()
        for p in Person.allCases { try w.add(.subjectUpserted(p.id, SubjectStatus(likeness: .verified))) }
        try w.add(.follow(follower: Person.mutual.id, followee: Person.owner.id))
        try w.add(.follow(follower: Person.owner.id, followee: Person.mutual.id))
        try w.add(.follow(follower: Person.fan.id, followee: Person.owner.id))
        try w.add(.follow(follower: Person.owner.id, followee: Person.followed.id))
        try w.add(.joined(club, member: Person.member.id))
        try w.add(.joined(otherClub, member: Person.outsider.id))
        return w
    }

    mutating func add(_ event: ConsentEvent) throws {
        try index.apply(event)
        events.append(event)
    }

    /// Creates a grant (ids `grt_1`, `grt_2`, … in creation order) created a day before `t0`.
    @discardableResult
    mutating func grant(
        _ audience: Audience, owner: Person = .owner, uses: Set<Use> = [.generate],
        forbidden: Set<ContentTag> = [], effect: GrantEffect = .allow,
        created: Date = t0 - day, expires: Date? = nil
    ) throws -> GrantID {
        grantCounter += 1
        let id = gid("grt_\(grantCounter)")
        let grant = try Grant(id: id, owner: owner.id, audience: audience, uses: uses, forbiddenTags: forbidden,
                              effect: effect, createdAt: created, expiresAt: expires)
        try add(.grantCreated(grant))
        return id
    }

    mutating func revoke(_ id: GrantID, at: Date = t0 - 60) throws {
        try add(.grantRevoked(id, at: at))
    }

    mutating func setStatus(_ p: Person, _ status: SubjectStatus) throws {
        try add(.subjectUpserted(p.id, status))
    }

    func check(
        _ requester: Person, cameos: [Person] = [.owner], use: Use = .generate,
        visibility: Visibility = .onlyMe, tags: [ContentTag] = [], now: Date = t0
    ) throws -> ConsentDecision {
        let request = try ConsentRequest(requester: requester.id, cameos: cameos.map(\.id), use: use, audience: visibility, tags: tags)
        return try ConsentEvaluator.evaluate(request, index: index, now: now)
    }

    /// The single outcome of `requester` using the owner's cameo.
    func outcome(
        _ requester: Person, use: Use = .generate, visibility: Visibility = .onlyMe,
        tags: [ContentTag] = [], now: Date = t0
    ) throws -> CameoOutcome {
        try check(requester, use: use, visibility: visibility, tags: tags, now: now).results[0].outcome
    }
}

/// Expects `body` to throw a `ConsentError` with `code`.
func expectError(
    _ code: ConsentError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(code.rawValue), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ConsentError {
        #expect(error.errorCode == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected ConsentError \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}
