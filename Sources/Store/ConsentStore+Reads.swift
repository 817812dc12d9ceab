import CameoCore
import Consent
import Foundation

/// A grant with its revocation state, as listed to operators.
public struct GrantView: Sendable {
    public let grant: Grant
    public let revokedAt: Date?
}

extension ConsentStore {
    /// Evaluates `request` from the in-memory index (no SQL). With `atLeast`, first waits up
    /// to `wait` for this node to reflect that ledger size, else throws `stale` (409).
    /// Returns the decision and the consistency token (the ledger size it reflects).
    public func check(_ request: ConsentRequest, now: Date = Date(), atLeast: UInt64? = nil,
                      wait: Duration = .seconds(2)) async throws -> (decision: ConsentDecision, token: UInt64) {
        if let atLeast, appliedSize < atLeast {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: wait)
            while appliedSize < atLeast {
                if clock.now >= deadline {
                    throw StoreError("stale", "this node reflects ledger size \(appliedSize), the request needs at least \(atLeast); retry", kind: .stale)
                }
                try catchUp()
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        return try withIndex { index, size in
            (try ConsentEvaluator.evaluate(request, index: index, now: now), size)
        }
    }

    /// A grant and its revocation time, or nil.
    public func grant(_ id: GrantID) -> GrantView? {
        lookup { index in index.grant(id: id).map { GrantView(grant: $0, revokedAt: index.revocationTime(of: id)) } }
    }

    /// An owner's grants, newest first.
    public func grants(owner: SubjectID) -> [GrantView] {
        withIndex { index, _ in
            index.grants(owner: owner).map { GrantView(grant: $0, revokedAt: index.revocationTime(of: $0.id)) }
                .sorted { ($0.grant.createdAt, $0.grant.id) > ($1.grant.createdAt, $1.grant.id) }
        }
    }

    /// The subject `id` as registered, or nil.
    public func subject(_ id: SubjectID) throws -> SubjectRecord? {
        try ledger.database.writer.read { db in
            try db.one("SELECT * FROM consent_subjects WHERE id = ?", id.rawValue).map { row in
                SubjectRecord(id: id, handle: try row.string("handle"), externalID: try row.optionalString("external_id"),
                              status: SubjectStatus(likeness: LikenessStatus(rawValue: try row.string("likeness")) ?? .unverified,
                                                    suspended: try row.int("suspended") != 0))
            }
        }
    }
}
