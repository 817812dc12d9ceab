import CameoCore
import Consent
import Foundation
import Identity
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
        let issuer = try LocalTestIssuer()
        let s = try Services(dataDirectory: tmp.directory, policies: RepositoryPaths.loadPolicies().trusting(issuer.trusted),
                             modelsDirectory: RepositoryPaths.root.appendingPathComponent("models"))
        let owner = try SubjectID("sub_owner"), friend = try SubjectID("sub_friend")
        let device = try await TestNode.enroll(s, issuer: issuer, "sub_owner", "faces/obama/1.jpg")
        _ = try await s.consent.upsertSubject(id: friend, handle: "friend", externalID: nil)
        let request = try ConsentRequest(requester: friend, cameos: [owner], use: Use("generate"), audience: .onlyMe)
        let trials = 150, checkers = 4
        let afterAck = Counter(), total = Counter(), allowsBeforeAck = Counter(), violations = Counter()
        for trial in 0..<trials {
            // distinct terms: not a duplicate
            let grant = try await s.signedGrant(device, #"{"owner":"sub_owner","audience":{"kind":"approved","subjects":["sub_friend"]},"uses":["generate"],"preferences":"trial \#(trial)"}"#)
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
                    try await s.signedRevoke(device, grant.id, owner: owner)
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
