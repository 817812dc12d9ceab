import CameoCore
import Consent
import Foundation
import Server
import Store
import Synchronization
import Testing
import TestSupport

/// Revocation is effective on acknowledgement: checks racing a revocation may allow until the
/// revoke call returns, and never after.
@Suite struct RevocationRaceTests {
    @Test func noCheckStartedAfterTheAcknowledgementIsAllowed() async throws {
        let tmp = try TempDataDirectory()
        let s = try Services(dataDirectory: tmp.directory, policies: RepositoryPaths.loadPolicies())
        let owner = try SubjectID("sub_owner"), friend = try SubjectID("sub_friend")
        _ = try await s.consent.upsertSubject(id: owner, handle: "owner", externalID: nil)
        _ = try await s.consent.upsertSubject(id: friend, handle: "friend", externalID: nil)
        _ = try await s.consent.setStatus(owner, SubjectStatus(likeness: .verified, suspended: false), actor: "test", reason: "test")
        let request = try ConsentRequest(requester: friend, cameos: [owner], use: Use("generate"), audience: .onlyMe)
        let limits = try s.policies.consent.limits()
        let trials = 150, checkers = 4
        let afterAck = Counter(), total = Counter(), allowsBeforeAck = Counter(), violations = Counter()
        for trial in 0..<trials {
            let draft = GrantDraft(owner: owner, audience: .approved([friend]), uses: [try Use("generate")],
                                   preferences: "trial \(trial)")  // distinct terms: not a duplicate
            let (grant, _) = try await s.consent.createGrant(draft, limits: limits, actor: "test")
            let acked = Flag()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<checkers {
                    group.addTask {
                        for _ in 0..<40 {
                            let startedAfterAck = acked.isSet
                            let verdict = try await s.consent.check(request).decision.verdict
                            total.increment()
                            if startedAfterAck {
                                afterAck.increment()
                                if verdict == .allow { violations.increment() }
                            } else if verdict == .allow {
                                allowsBeforeAck.increment()
                            }
                            await Task.yield()
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .microseconds(Int.random(in: 0...400)))
                    _ = try await s.consent.revokeGrant(grant.id, actor: "test")
                    acked.set()
                }
                try await group.waitForAll()
            }
        }
        print("revocation race: \(trials) trials, \(total.value) checks, \(afterAck.value) after acknowledgement, \(allowsBeforeAck.value) allows before it, \(violations.value) allows after it")
        #expect(afterAck.value > trials)  // the race was actually exercised
        #expect(allowsBeforeAck.value > 0)
        #expect(violations.value == 0)
    }
}

/// A shared counter for the race tasks.
final class Counter: Sendable {
    private let v = Atomic<Int>(0)
    func increment() { v.add(1, ordering: .relaxed) }
    var value: Int { v.load(ordering: .relaxed) }
}

/// A one-way flag set when the revocation is acknowledged.
final class Flag: Sendable {
    private let v = Atomic<Bool>(false)
    func set() { v.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { v.load(ordering: .sequentiallyConsistent) }
}
