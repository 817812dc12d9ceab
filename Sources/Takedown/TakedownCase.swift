import CameoCore
import Foundation
import Ledger

/// Where a case is.
public enum CaseStatus: String, Sendable, Codable, CaseIterable {
    case open, claimed, decided
    case counterNoticed = "counter_noticed"
    case restored
    case courtAction = "court_action"
}

/// What a moderator (or an automatic rule) decided.
public enum ModerationAction: String, Sendable, Codable, CaseIterable { case remove, restrict, keep }

/// A statement of reasons (DSA Art. 17(3)): decision, facts, ground, automation, redress.
public struct StatementOfReasons: Sendable, Codable, Equatable {
    public let decision: String
    public let factsAndCircumstances: String
    public let ground: String
    public let automatedDetection: Bool
    public let automatedDecision: Bool
    public let redress: [String]
    enum CodingKeys: String, CodingKey {
        case decision, ground, redress
        case factsAndCircumstances = "facts_and_circumstances", automatedDetection = "automated_detection", automatedDecision = "automated_decision"
    }
}

/// A decision with who made it and why.
public struct CaseDecision: Sendable, Codable, Equatable {
    public let action: ModerationAction
    public let ground: String
    public let reason: String
    public let moderator: String
    public let at: Date
    public let automated: Bool
    public let statement: StatementOfReasons
}

/// A takedown case: a report and its review. Transitions are pure functions of the case,
/// the actor and `now`, so leases and timers are testable with any clock.
public struct TakedownCase: Sendable, Codable, Equatable {
    public let id: String
    public let report: ReportIn
    public let createdAt: Date
    public var priority: Int
    public var slaDeadline: Date
    public var status: CaseStatus
    /// `moderator` or `senior` (escalated).
    public var tier: String
    /// Moderators who may not take this item (the original decider of an appeal).
    public var excluded: [String]
    public var claimedBy: String?
    public var leaseUntil: Date?
    /// An action taken automatically at intake, awaiting human confirmation.
    public var autoAction: String?
    public var decision: CaseDecision?
    public var appealOf: CaseDecision?
    public var counterNotice: CounterNotice?
    public var restoreAt: Date?
    public var uploader: String?
    public var evidence: JSONValue
    public var history: [String]

    /// Whether `moderator` holds a live claim at `now`.
    public func isClaimed(by moderator: String, now: Date) -> Bool {
        status == .claimed && claimedBy == moderator && (leaseUntil ?? .distantPast) > now
    }

    /// Whether the item is waiting in the queue at `now` (open, or claimed with an expired lease).
    public func isQueued(now: Date) -> Bool {
        status == .open || (status == .claimed && (leaseUntil ?? .distantPast) <= now)
    }

    /// Takes a time-limited lease.
    public mutating func claim(by moderator: String, isSenior: Bool, now: Date, lease: TimeInterval) throws {
        guard isQueued(now: now) else {
            throw TakedownError("not_claimable", status == .claimed ? "case \(id) is claimed by \(claimedBy ?? "?") until \(leaseUntil.map(Timestamp.format) ?? "?")" : "case \(id) is \(status.rawValue)", kind: .conflict)
        }
        if tier == "senior" && !isSenior { throw TakedownError("senior_only", "case \(id) was escalated to a senior moderator", kind: .forbidden) }
        if excluded.contains(moderator) { throw TakedownError("conflict_of_interest", "an appeal goes to a different moderator than the one who decided", kind: .forbidden) }
        status = .claimed; claimedBy = moderator; leaseUntil = now.addingTimeInterval(lease)
        history.append("\(Timestamp.format(now)) claimed by \(moderator)")
    }

    /// Gives the item back to the queue.
    public mutating func release(by moderator: String, now: Date) throws {
        guard isClaimed(by: moderator, now: now) else { throw TakedownError("not_your_claim", "you do not hold a live claim on case \(id)", kind: .conflict) }
        status = .open; claimedBy = nil; leaseUntil = nil
        history.append("\(Timestamp.format(now)) released by \(moderator)")
    }

    /// Hands the item to the senior tier.
    public mutating func escalate(by moderator: String, note: String, now: Date) throws {
        guard (1...1000).contains(note.trimmingCharacters(in: .whitespacesAndNewlines).count) else {
            throw TakedownError("note_required", "an escalation note of 1-1000 characters is required")
        }
        guard isClaimed(by: moderator, now: now) else { throw TakedownError("not_your_claim", "you do not hold a live claim on case \(id)", kind: .conflict) }
        status = .open; claimedBy = nil; leaseUntil = nil; tier = "senior"
        history.append("\(Timestamp.format(now)) escalated by \(moderator): \(note)")
    }

    /// Records a decision with its statement of reasons.
    public mutating func decide(by moderator: String, action: ModerationAction, ground: String, reason: String, automated: Bool = false, now: Date) throws {
        if !automated {
            guard isClaimed(by: moderator, now: now) else { throw TakedownError("not_your_claim", "claim case \(id) before deciding it (or your lease expired)", kind: .conflict) }
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...5000).contains(reason.count) else { throw TakedownError("reason_required", "a written reason of 10-5000 characters is required") }
        let facts = "Report \(report.type) on generation \(report.generationID)" + (autoAction.map { "; automatic action at intake: \($0)" } ?? "") + ". " + reason
        var redress = ["internal complaint (appeal) within 6 months", "out-of-court dispute settlement (DSA Art. 21)", "judicial redress"]
        if report.type == "copyright" && action == .remove { redress.insert("DMCA counter-notice (17 U.S.C. §512(g))", at: 0) }
        let statement = StatementOfReasons(decision: action.rawValue, factsAndCircumstances: facts, ground: ground,
                                           automatedDetection: autoAction != nil, automatedDecision: automated, redress: redress)
        decision = CaseDecision(action: action, ground: ground, reason: reason, moderator: moderator, at: now, automated: automated, statement: statement)
        status = automated ? .open : .decided  // an automatic action still waits for human confirmation
        claimedBy = nil; leaseUntil = nil
        history.append("\(Timestamp.format(now)) \(automated ? "automatic" : "decided") \(action.rawValue) (\(ground)) by \(moderator)")
    }

    /// Files a counter-notice against a copyright removal; restore is due after the window.
    public mutating func fileCounterNotice(_ notice: CounterNotice, businessDays: Int, now: Date) throws {
        guard report.type == "copyright", status == .decided, decision?.action == .remove else {
            throw TakedownError("counter_notice_not_applicable", "counter-notices apply to decided copyright removals", kind: .conflict)
        }
        let missing = notice.missingElements
        guard missing.isEmpty else { throw TakedownError("counter_notice_incomplete", "missing §512(g)(3) elements: \(missing.joined(separator: ", "))") }
        counterNotice = notice
        status = .counterNoticed
        restoreAt = BusinessDays.add(businessDays, to: now)
        history.append("\(Timestamp.format(now)) counter-notice filed; complainant notified; restore due \(Timestamp.format(restoreAt!)) unless a court action is filed")
    }

    /// The complainant reports a court action: the content stays down.
    public mutating func recordCourtAction(now: Date) throws {
        guard status == .counterNoticed else { throw TakedownError("no_counter_notice", "no pending counter-notice on case \(id)", kind: .conflict) }
        status = .courtAction; restoreAt = nil
        history.append("\(Timestamp.format(now)) court action recorded; content stays removed")
    }

    /// Restores when the put-back window has passed; returns whether it did.
    public mutating func restoreIfDue(now: Date) -> Bool {
        guard status == .counterNoticed, let at = restoreAt, now >= at else { return false }
        status = .restored
        history.append("\(Timestamp.format(now)) restored after the counter-notice window")
        return true
    }

    /// Appeals a non-copyright decision: back to the queue, for a different moderator.
    public mutating func appeal(statement: String, now: Date) throws {
        guard report.type != "copyright" else { throw TakedownError("appeal_not_applicable", "copyright removals are contested by counter-notice", kind: .conflict) }
        guard status == .decided, let d = decision else { throw TakedownError("appeal_not_applicable", "only decided cases can be appealed", kind: .conflict) }
        guard (10...5000).contains(statement.count) else { throw TakedownError("reason_required", "an appeal needs a 10-5000 character statement") }
        appealOf = d
        excluded.append(d.moderator)
        status = .open; tier = "moderator"; decision = nil
        history.append("\(Timestamp.format(now)) appealed: \(statement)")
    }
}
