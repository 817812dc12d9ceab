import CameoCore
import Foundation
import Testing
@testable import Consent

/// SplitMix64: a tiny seeded generator, so the event script is the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Applying events one by one and evaluating must agree with rebuilding the index from the
/// event log (the store's start-up path), at every step.
@Suite("Replay")
struct ReplayTests {
    static let people = Person.allCases.map(\.id)
    static let communities = [club, otherClub]

    static func randomEvent(_ rng: inout SplitMix64, step: Int, grants: [GrantID]) throws -> ConsentEvent {
        func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<8:
            let likeness: LikenessStatus = pick([.verified, .verified, .verified, .verified, .unverified, .erased])
            return .subjectUpserted(pick(people), SubjectStatus(likeness: likeness, suspended: Int.random(in: 0..<10, using: &rng) == 0))
        case 8..<28: return .follow(follower: pick(people), followee: pick(people))
        case 28..<36: return .unfollow(follower: pick(people), followee: pick(people))
        case 36..<46: return .joined(pick(communities), member: pick(people))
        case 46..<52: return .left(pick(communities), member: pick(people))
        case 52..<88:
            let owner = pick([Person.owner.id, Person.second.id])
            let effect: GrantEffect = Int.random(in: 0..<5, using: &rng) == 0 ? .block : .allow
            let listed = [pick(people), pick(people)].filter { $0 != owner }
            let audience: Audience = pick([
                .everyone, .mutuals, .community(pick(communities)), .onlyMe,
                .approved(listed.isEmpty ? [Person.friend.id] : listed),
            ])
            let uses: Set<Use> = effect == .block && Bool.random(using: &rng) ? [.wildcard] : Set([pick([Use.generate, .remix, .publicPost]), pick([Use.generate, .remix])])
            let forbidden: Set<ContentTag> = effect == .block ? [] : pick([[], [.political], [.sexual, .political]])
            let created = t0 - day * Double(Int.random(in: 1...30, using: &rng))
            let expires: Date? = pick([nil, created + day * Double(Int.random(in: 1...60, using: &rng))])
            return .grantCreated(try Grant(id: gid("grt_r\(step)"), owner: owner, audience: audience, uses: uses,
                                           forbiddenTags: forbidden, effect: effect, createdAt: created, expiresAt: expires))
        default:
            // Sometimes revokes an unknown or already revoked grant: rejected both ways.
            return .grantRevoked(grants.isEmpty ? gid("grt_none") : pick(grants), at: t0 - 1)
        }
    }

    static func probes() throws -> [ConsentRequest] {
        var out: [ConsentRequest] = []
        for requester in [Person.friend, .mutual, .member, .stranger, .owner] {
            for use in [Use.generate, .remix] {
                for visibility in [Visibility.onlyMe, .community(club), .everyone] {
                    for tags in [[], [ContentTag.political]] {
                        out.append(try ConsentRequest(requester: requester.id, cameos: [Person.owner.id, Person.second.id],
                                                      use: use, audience: visibility, tags: tags))
                    }
                }
            }
        }
        return out
    }

    static func decisions(_ index: ConsentIndex, _ probes: [ConsentRequest]) throws -> [ConsentDecision] {
        try probes.map { try ConsentEvaluator.evaluate($0, index: index, now: t0) }
    }

    @Test("incremental apply equals rebuild from the log at every step", arguments: [1, 2, 3] as [UInt64])
    func incrementalEqualsReplay(seed: UInt64) throws {
        var rng = SplitMix64(state: seed)
        let probes = try Self.probes()
        var world = try World.standard()
        var grants: [GrantID] = []
        var rejected = 0
        var snapshot: (index: ConsentIndex, logCount: Int)?
        var allowsSeen = Set<Verdict>()
        for step in 0..<250 {
            let event = try Self.randomEvent(&rng, step: step, grants: grants)
            do {
                try world.add(event)
                if case .grantCreated(let g) = event { grants.append(g.id) }
            } catch {
                rejected += 1
                // A rejected event is rejected by the rebuilt index too.
                let rebuilt = try ConsentIndex(replaying: world.events)
                #expect(throws: ConsentError.self) { try rebuilt.validate(event) }
                continue
            }
            let rebuilt = try ConsentIndex(replaying: world.events)
            #expect(rebuilt == world.index)
            let incremental = try Self.decisions(world.index, probes)
            #expect(incremental == (try Self.decisions(rebuilt, probes)))
            allowsSeen.formUnion(incremental.map(\.verdict))
            if step == 100 { snapshot = (world.index, world.events.count) }
        }
        // The script must exercise both verdicts and some rejections, or it proves little.
        #expect(allowsSeen == [.allow, .deny])
        #expect(rejected > 0)
        #expect(grants.count > 50)

        // An older copy is untouched by later applies (value semantics).
        let old = try #require(snapshot)
        let rebuiltOld = try ConsentIndex(replaying: world.events.prefix(old.logCount))
        #expect(old.index == rebuiltOld)
        #expect(try Self.decisions(old.index, probes) == (try Self.decisions(rebuiltOld, probes)))

        // The log survives JSON (how the store keeps it) and replays to the same index.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let decoded = try decoder.decode([ConsentEvent].self, from: try encoder.encode(world.events))
        #expect(try ConsentIndex(replaying: decoded) == world.index)
    }

    @Test("revocation order matters only through the log: revoke-then-check denies after replay")
    func revocationSurvivesReplay() throws {
        var world = try World.standard()
        let id = try world.grant(.approved([Person.friend.id]))
        try world.revoke(id)
        let rebuilt = try ConsentIndex(replaying: world.events)
        let request = try ConsentRequest(requester: Person.friend.id, cameos: [Person.owner.id], use: .generate, audience: .onlyMe)
        #expect(try ConsentEvaluator.evaluate(request, index: rebuilt, now: t0).results[0].outcome == .deny(reason: .revoked, grantIDs: [id]))
        let withoutRevocation = try ConsentIndex(replaying: world.events.dropLast())
        #expect(try ConsentEvaluator.evaluate(request, index: withoutRevocation, now: t0).verdict == .allow)
    }
}
