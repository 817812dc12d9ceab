import CameoCore
import CameoCrypto
import Consent
import Foundation
import Generation
import Ledger
import PDQ
import Store

extension TakedownService {
    /// Loads case `id`, applies `change`, and writes it back only if nobody changed it meanwhile.
    @discardableResult
    func mutate(_ id: String, now: Date, entry: ((TakedownCase) throws -> LedgerEntry)? = nil,
                extra: ((TakedownCase) -> (@Sendable (StoreTransaction) throws -> Void)?)? = nil,
                _ change: (inout TakedownCase) throws -> Void) async throws -> TakedownCase {
        guard let row = try rows.find(id) else { throw TakedownError("unknown_case", "no case \(id)", kind: .notFound) }
        var c = try decode(row)
        try change(&c)
        let e = try entry?(c)
        try await rows.update(try caseRow(c), expectStatus: row.status, expectBody: row.body, entry: e, now: now, extra: extra?(c))
        return c
    }

    /// Claims case `id` for `moderator` (a time-limited lease). Of two racing moderators exactly one wins.
    public func claim(_ id: String, moderator: String, isSenior: Bool, now: Date = Date()) async throws -> TakedownCase {
        try await mutate(id, now: now) { try $0.claim(by: moderator, isSenior: isSenior, now: now, lease: policy.claimLeaseMinutes * 60) }
    }

    /// Claims the highest-priority item this moderator may take, or nil if none.
    public func next(moderator: String, isSenior: Bool, type: String? = nil, now: Date = Date()) async throws -> TakedownCase? {
        for c in try queue(type: type, now: now) where (c.tier != "senior" || isSenior) && !c.excluded.contains(moderator) {
            if let claimed = try? await claim(c.id, moderator: moderator, isSenior: isSenior, now: now) { return claimed }
        }
        return nil
    }

    /// Returns a claimed item to the queue.
    public func release(_ id: String, moderator: String, now: Date = Date()) async throws -> TakedownCase {
        try await mutate(id, now: now) { try $0.release(by: moderator, now: now) }
    }

    /// Hands a claimed item to the senior tier.
    public func escalate(_ id: String, moderator: String, note: String, now: Date = Date()) async throws -> TakedownCase {
        try await mutate(id, now: now, entry: { c in
            try LedgerEntry(type: "case.escalated", time: now, actor: moderator, subject: c.id, payload: ["note": .string(note)])
        }) { try $0.escalate(by: moderator, note: note, now: now) }
    }

    /// Decides a claimed item. A removal withholds the clip, banks its fingerprints, blocks the
    /// reporter's likeness (likeness reports) and gives the uploader a strike (suspension at the
    /// policy limit); `keep` reverses an automatic removal.
    public func decide(_ id: String, moderator: String, action: ModerationAction, ground: String, reason: String, now: Date = Date()) async throws -> TakedownCase {
        guard policy.grounds.contains(ground) else {
            throw TakedownError("invalid_ground", "ground must be one of \(policy.grounds.joined(separator: ", "))")
        }
        let decided = try await mutate(id, now: now, entry: { c in
            try LedgerEntry(type: "case.decided", time: now, actor: moderator, subject: c.id,
                            payload: ["action": .string(action.rawValue), "ground": .string(ground), "generation": .string(c.report.generationID),
                                      "automated_detection": .bool(c.autoAction != nil), "appeal": .bool(c.appealOf != nil),
                                      "reason_sha256": .string(CameoCrypto.SHA256.hex(Array(reason.utf8)))])
        }, extra: { c in
            guard action == .remove else { return nil }
            let hashes = Self.fingerprintHexes(c)
            let strikeAccount = c.report.type == "copyright" || c.report.type == "misuse" || c.report.type == "likeness" ? c.uploader : nil
            let blockSubject = c.report.type == "likeness" ? c.report.reporter?.rawValue : nil
            return { db in
                try TakedownRows.addHashes(hashes.enumerated().map { (id: "\(c.id):\($0.offset)", hex: $0.element) }, caseID: c.id, at: now, db)
                if let a = strikeAccount { try TakedownRows.addStrike(account: a, caseID: c.id, at: now, db) }
                if let s = blockSubject { try TakedownRows.blockLikeness(s, caseID: c.id, at: now, db) }
            }
        }) { try $0.decide(by: moderator, action: action, ground: ground, reason: reason, now: now) }
        TakedownMetrics.decided(decided, now: now)
        try await applyEffects(decided, action: action, moderator: moderator, now: now)
        return decided
    }

    func applyEffects(_ c: TakedownCase, action: ModerationAction, moderator: String, now: Date) async throws {
        switch action {
        case .remove:
            try await generations.withhold(c.report.generationID, reason: "takedown \(c.id)", actor: moderator, now: now)
            bank.withLock { b in for (i, h) in Self.fingerprintHexes(c).enumerated() { if let p = try? PDQHash(hex: h) { b.add(id: "\(c.id):\(i)", hash: p) } } }
            if c.report.type == "likeness", let s = c.report.reporter { _ = blocked.withLock { $0.insert(s.rawValue) } }
            if let account = c.uploader { try await enforceStrikes(account, caseID: c.id, now: now) }
        case .keep:
            if c.autoAction != nil || c.appealOf?.action == .remove {
                try await generations.restore(c.report.generationID, reason: "takedown \(c.id) decided keep", actor: moderator, now: now)
            }
        case .restrict:
            break  // visibility limits are the app's to apply; the decision and its reasons are recorded
        }
    }

    /// Suspends `account` once its strikes in the window reach the limit.
    func enforceStrikes(_ account: String, caseID: String, now: Date) async throws {
        let since = now.addingTimeInterval(-policy.strikeWindowDays * 86_400)
        let count = try rows.strikes(account: account, since: since)
        _ = try await rows.record(try LedgerEntry(type: "strike.added", time: now, actor: "system", subject: account,
                                                         payload: ["case": .string(caseID), "strikes_in_window": .int(Int64(count)), "limit": .int(Int64(policy.strikeLimit))]))
        guard count >= policy.strikeLimit, let subject = try? SubjectID(account), let s = try consent.subject(subject), !s.status.suspended else { return }
        _ = try await consent.setStatus(subject, SubjectStatus(likeness: s.status.likeness, suspended: true), actor: "system",
                                        reason: "repeat infringer: \(count) strikes in \(Int(policy.strikeWindowDays)) days", now: now)
    }

    /// Files a counter-notice on a copyright removal (the complainant is notified via the ledger/case history).
    public func counterNotice(_ id: String, notice: CounterNotice, actor: String, now: Date = Date()) async throws -> TakedownCase {
        try await mutate(id, now: now, entry: { c in
            try LedgerEntry(type: "case.counter_notice", time: now, actor: actor, subject: c.id,
                            payload: ["restore_at": .string(Timestamp.format(c.restoreAt!)), "generation": .string(c.report.generationID)])
        }) { try $0.fileCounterNotice(notice, businessDays: policy.counterNoticeBusinessDays, now: now) }
    }

    /// Records the complainant's court action: no put-back.
    public func courtAction(_ id: String, actor: String, now: Date = Date()) async throws -> TakedownCase {
        try await mutate(id, now: now, entry: { c in
            try LedgerEntry(type: "case.court_action", time: now, actor: actor, subject: c.id, payload: [:])
        }) { try $0.recordCourtAction(now: now) }
    }

    /// Appeals a decided non-copyright case; it returns to the queue for a different moderator.
    public func appeal(_ id: String, statement: String, actor: String, now: Date = Date()) async throws -> TakedownCase {
        try await mutate(id, now: now, entry: { c in
            try LedgerEntry(type: "case.appealed", time: now, actor: actor, subject: c.id, payload: ["previous_moderator": .string(c.appealOf?.moderator ?? "")])
        }) { try $0.appeal(statement: statement, now: now) }
    }

    /// Runs due timers: restores content whose counter-notice window passed. Returns how many.
    public func tick(now: Date = Date()) async throws -> Int {
        var restored = 0
        for row in try rows.list(statuses: [CaseStatus.counterNoticed.rawValue], type: nil, limit: 1000) {
            let c = try decode(row)
            guard let at = c.restoreAt, now >= at else { continue }
            _ = try await mutate(c.id, now: now, entry: { c in
                try LedgerEntry(type: "case.restored", time: now, actor: "system", subject: c.id, payload: ["generation": .string(c.report.generationID)])
            }, extra: { c in { db in try TakedownRows.removeHashes(caseID: c.id, db) } }) { _ = $0.restoreIfDue(now: now) }
            bank.withLock { b in for i in 0..<Self.fingerprintHexes(c).count { _ = b.remove(id: "\(c.id):\(i)") } }
            try await generations.restore(c.report.generationID, reason: "counter-notice window passed for \(c.id)", actor: "system", now: now)
            restored += 1
        }
        return restored
    }

    static func fingerprintHexes(_ c: TakedownCase) -> [String] {
        (c.evidence["fingerprints"]?.arrayValue ?? []).filter { ($0["quality"]?.intValue ?? 0) >= 50 }.compactMap { $0["pdq"]?.stringValue }
    }
}
