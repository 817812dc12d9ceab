import CameoCore
import Consent
import Foundation
import Ledger
import Identity
import Server
import Store
import Testing
import TestSupport

/// Two nodes on one PostgreSQL database (the suite's `CAMEO_TEST_POSTGRES` run): one ledger
/// sequenced by both under the advisory lock, and a revocation acknowledged by one node that
/// the other honours as soon as a check carries its consistency token.
@Suite(.enabled(if: TempDataDirectory.postgres != nil, "needs CAMEO_TEST_POSTGRES"))
struct TwoNodeTests {
    let tmp: TempDataDirectory
    let a: Services
    let b: Services
    let issuer: LocalTestIssuer

    init() throws {
        tmp = try TempDataDirectory()
        issuer = try LocalTestIssuer()
        let policies = try RepositoryPaths.loadPolicies().trusting(issuer.trusted)
        let models = RepositoryPaths.root.appendingPathComponent("models")
        a = try Services(dataDirectory: tmp.directory, policies: policies, modelsDirectory: models, node: "node-a")
        b = try Services(dataDirectory: tmp.directory, policies: policies, modelsDirectory: models, node: "node-b")
    }

    // Nodes here are never started (no background work to stop): catch-up is driven by the tokens.

    @Test func bothNodesAppendToOneDenseLedgerThatVerifies() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (n, node) in [a, b].enumerated() {
                for w in 0..<8 {
                    group.addTask {
                        for i in 0..<25 {
                            try await node.ledger.append(LedgerEntry(type: "test.append", time: Date(), actor: "node\(n)", subject: "w\(w)", payload: ["i": .int(Int64(i))]))
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        try a.ledger.refresh()
        try b.ledger.refresh()
        #expect(a.ledger.size == 400 && b.ledger.size == 400)
        let memory = InMemoryTree()
        for e in try a.ledger.entries(start: 0, end: 400) { memory.append(entry: e) }
        #expect(a.ledger.head.root == memory.root && b.ledger.head.root == memory.root)
        // Proofs served by either node verify against the other's checkpoint.
        let proof = try ProofBuilder(reader: b.ledger).consistencyProof(from: 123, to: 400)
        #expect(try ProofVerifier.verifyConsistency(from: 123, to: 400, fromRoot: ProofBuilder(reader: a.ledger).root(size: 123), toRoot: memory.root, proof: proof))
    }

    @Test func aRevocationOnOneNodeDeniesOnTheOtherWithTheToken() async throws {
        let owner = try SubjectID("sub_owner"), friend = try SubjectID("sub_friend")
        let device = try await TestNode.enroll(a, issuer: issuer, "sub_owner", "faces/obama/1.jpg")
        _ = try await a.consent.upsertSubject(id: friend, handle: "friend", externalID: nil)
        let request = try ConsentRequest(requester: friend, cameos: [owner], use: Use("generate"), audience: .onlyMe)
        var allowsAfterRevocation = 0
        for trial in 0..<20 {
            let (writer, reader) = trial % 2 == 0 ? (a, b) : (b, a)
            let grant = try await writer.signedGrant(device, #"{"owner":"sub_owner","audience":{"kind":"approved","subjects":["sub_friend"]},"uses":["generate"],"preferences":"trial \#(trial)"}"#)
            let created = writer.ledger.size - 1
            #expect(try await reader.consent.check(request, atLeast: created + 1).decision.verdict == .allow)
            let revoked = try await writer.signedRevoke(device, grant.id, owner: owner)
            let answer = try await reader.consent.check(request, atLeast: revoked + 1)
            #expect(answer.token >= revoked + 1)
            if answer.decision.verdict == .allow { allowsAfterRevocation += 1 }
        }
        #expect(allowsAfterRevocation == 0)
    }

    @Test func aTokenBeyondTheLedgerIsStaleNotAWrongAnswer() async throws {
        let request = try ConsentRequest(requester: SubjectID("sub_x"), cameos: [SubjectID("sub_y")], use: Use("generate"), audience: .onlyMe)
        await #expect { try await b.consent.check(request, atLeast: 1_000_000, wait: .milliseconds(50)) } throws: { ($0 as? StoreError)?.code == "stale" }
    }
}
