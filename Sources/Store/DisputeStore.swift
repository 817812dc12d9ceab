import CameoCore
import CameoCrypto
import Consent
import Foundation
import Ledger

/// A likeness dispute to open with an enrollment whose face matches another subject's.
public struct DisputeOpening: Sendable {
    public let id: String
    public let earlier: SubjectID
    public let distance: Float
    public let threshold: Float
    public let protected: Bool
    public let slaDeadline: Date

    /// A new dispute with a fresh id.
    public init(earlier: SubjectID, distance: Float, threshold: Float, protected: Bool, slaDeadline: Date) {
        self.id = "dsp_" + Hex.encode(secureRandomBytes(12))
        self.earlier = earlier; self.distance = distance; self.threshold = threshold
        self.protected = protected; self.slaDeadline = slaDeadline
    }

    var payload: JSONValue {
        ["id": .string(id), "earlier_subject": .string(earlier.rawValue), "distance": .double(Double(distance)),
         "threshold": .double(Double(threshold)), "protected": .bool(protected), "sla_deadline": .string(Timestamp.format(slaDeadline))]
    }
}

/// How a senior moderator settles a dispute.
public enum DisputeDecision: String, Sendable, Codable, CaseIterable {
    /// Two people who look alike: both likenesses stand (the distance and threshold are recorded).
    case differentPeople = "different_people"
    /// The earlier enrollment is the face's owner: the later one is erased.
    case keepEarlier = "keep_earlier"
    /// The later enrollment is the owner: the earlier (squatting) likeness is erased, its grants
    /// revoked; the caller withholds its generations and adds a strike.
    case transfer
}

/// One dispute as stored.
public struct DisputeRow: Sendable, Equatable, Codable {
    public let id: String
    public let subject: SubjectID
    public let earlierSubject: SubjectID
    public let distance: Double
    public let threshold: Double
    public let protected: Bool
    public let status: String
    public let createdAt: Date
    public let slaDeadline: Date
    public let openedIndex: UInt64
    public let decision: DisputeDecision?
    public let decidedBy: String?
    public let decidedAt: Date?
    public let decidedIndex: UInt64?

    enum CodingKeys: String, CodingKey {
        case id, subject, distance, threshold, protected, status, decision
        case earlierSubject = "earlier_subject", createdAt = "created_at", slaDeadline = "sla_deadline", openedIndex = "opened_index"
        case decidedBy = "decided_by", decidedAt = "decided_at", decidedIndex = "decided_index"
    }
}

/// Likeness disputes and protected likenesses, over the ledger's database. Every change is
/// one ledger entry, written in the same transaction as the rows it changes.
public final class DisputeStore: Sendable {
    let ledger: LedgerStore

    /// A store over `ledger`'s database.
    public init(ledger: LedgerStore) { self.ledger = ledger }

    /// Inside an enrollment's transaction: records the dispute and marks the earlier subject
    /// disputed too. Returns the consent events to log.
    static func open(_ d: DisputeOpening, subject: SubjectID, index: UInt64, now: Date, _ db: any SQLTransaction) throws -> [ConsentEvent] {
        try db.execute("""
            INSERT INTO likeness_disputes(id, subject, earlier_subject, distance, threshold, protected, status, created_at, sla_deadline, opened_index)
            VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
            """, d.id, subject.rawValue, d.earlier.rawValue, Double(d.distance), Double(d.threshold), d.protected,
                       now.timeIntervalSince1970, d.slaDeadline.timeIntervalSince1970, Int64(index))
        guard let row = try db.one("SELECT likeness, suspended FROM consent_subjects WHERE id = ?", d.earlier.rawValue),
              try row.string("likeness") != LikenessStatus.erased.rawValue else { return [] }
        try db.execute("UPDATE consent_subjects SET likeness = 'disputed', updated_at = ? WHERE id = ?", now.timeIntervalSince1970, d.earlier.rawValue)
        return [.subjectUpserted(d.earlier, SubjectStatus(likeness: .disputed, suspended: try row.int("suspended") != 0))]
    }

    /// Disputes, open ones first by deadline; `status` filters (`open`, `decided`).
    public func disputes(status: String? = nil) throws -> [DisputeRow] {
        try ledger.database.writer.read { db in
            let rows = try status.map { try db.query("SELECT * FROM likeness_disputes WHERE status = ? ORDER BY sla_deadline, id", $0) }
                ?? db.query("SELECT * FROM likeness_disputes ORDER BY status DESC, sla_deadline, id")
            return try rows.map(Self.row)
        }
    }

    /// One dispute; `unknown_dispute` (404) otherwise.
    public func dispute(_ id: String) throws -> DisputeRow {
        guard let r = try ledger.database.writer.read({ db in try db.one("SELECT * FROM likeness_disputes WHERE id = ?", id).map(Self.row) }) else {
            throw StoreError("unknown_dispute", "no dispute \(id)", kind: .notFound)
        }
        return r
    }

    /// The open dispute naming `subject` on either side, if any.
    public func openDispute(of subject: SubjectID) throws -> DisputeRow? {
        try ledger.database.writer.read { db in
            try db.one("SELECT * FROM likeness_disputes WHERE status = 'open' AND (subject = ? OR earlier_subject = ?) ORDER BY created_at LIMIT 1",
                       subject.rawValue, subject.rawValue).map(Self.row)
        }
    }

    /// Settles an open dispute in one `likeness.dispute_decided` entry: the losing likeness
    /// (if any) is crypto-shredded with its grants revoked and owner keys retired, the winner(s)
    /// verified again. The reason's text stays in the store; the entry holds its SHA-256.
    /// Returns the erased subject (if any) and the entry's index.
    public func decide(_ id: String, _ decision: DisputeDecision, reason: String, by moderator: String, now: Date = Date()) async throws -> (erased: SubjectID?, ledgerIndex: UInt64) {
        let d = try dispute(id)
        guard d.status == "open" else { throw StoreError("dispute_decided", "dispute \(id) was already decided (\(d.decision?.rawValue ?? "?"))", kind: .conflict) }
        let loser: SubjectID? = switch decision {
        case .differentPeople: nil
        case .keepEarlier: d.subject
        case .transfer: d.earlierSubject
        }
        let entry = try LedgerEntry(type: "likeness.dispute_decided", time: now, actor: moderator, subject: d.subject.rawValue,
                                    payload: ["dispute": .string(id), "decision": .string(decision.rawValue), "earlier_subject": .string(d.earlierSubject.rawValue),
                                              "distance": .double(d.distance), "threshold": .double(d.threshold),
                                              "erased": loser.map { .string($0.rawValue) } ?? .null, "reason_sha256": .string(SHA256.hex(Array(reason.utf8)))])
        let result = try await ledger.append(entry) { db, index in
            guard try db.one("SELECT 1 FROM likeness_disputes WHERE id = ? AND status = 'open'", id) != nil else {
                throw StoreError("dispute_decided", "dispute \(id) was already decided", kind: .conflict)
            }
            try db.execute("UPDATE likeness_disputes SET status = 'decided', decision = ?, decided_by = ?, decided_at = ?, reason = ?, decided_index = ? WHERE id = ?",
                           decision.rawValue, moderator, now.timeIntervalSince1970, reason, Int64(index), id)
            var events: [ConsentEvent] = []
            for subject in [d.subject, d.earlierSubject] {
                guard let row = try db.one("SELECT likeness, suspended FROM consent_subjects WHERE id = ?", subject.rawValue),
                      try row.string("likeness") == LikenessStatus.disputed.rawValue else { continue }
                let suspended = try row.int("suspended") != 0
                if subject == loser {
                    try LikenessStore.shred(subject, suspended: suspended, index: index, now: now, db)
                } else if try db.one("SELECT 1 FROM likeness_disputes WHERE status = 'open' AND (subject = ? OR earlier_subject = ?)", subject.rawValue, subject.rawValue) == nil {
                    try db.execute("UPDATE consent_subjects SET likeness = 'verified', updated_at = ? WHERE id = ?", now.timeIntervalSince1970, subject.rawValue)
                    events.append(.subjectUpserted(subject, SubjectStatus(likeness: .verified, suspended: suspended)))
                }
            }
            try ConsentStore.log(events, db)
        }
        if loser != nil { try? ledger.database.writer.purgeDeleted() }
        return (loser, result.index)
    }

    // MARK: protection

    /// A protected likeness.
    public struct Protection: Sendable, Equatable, Codable {
        public let subject: SubjectID
        public let category: String
        public let reason: String
        public let protectedBy: String
        public let protectedAt: Date
        public let ledgerIndex: UInt64
        enum CodingKeys: String, CodingKey {
            case subject, category, reason, protectedBy = "protected_by", protectedAt = "protected_at", ledgerIndex = "ledger_index"
        }
    }

    /// Protection categories.
    public static let categories: Set<String> = ["public_figure", "deceased", "minor"]

    /// Marks `subject`'s likeness protected (`likeness.protected`; the reason's text stays here).
    public func protect(_ subject: SubjectID, category: String, reason: String, by moderator: String, now: Date = Date()) async throws -> UInt64 {
        guard Self.categories.contains(category) else {
            throw StoreError("invalid_category", "category must be one of \(Self.categories.sorted().joined(separator: ", "))", kind: .invalidInput)
        }
        let entry = try LedgerEntry(type: "likeness.protected", time: now, actor: moderator, subject: subject.rawValue,
                                    payload: ["category": .string(category), "reason_sha256": .string(SHA256.hex(Array(reason.utf8)))])
        return try await ledger.append(entry) { db, index in
            try ConsentStore.requireSubjects([subject], db)
            guard try db.one("SELECT 1 FROM protected_likenesses WHERE subject = ?", subject.rawValue) == nil else {
                throw StoreError("already_protected", "the likeness of \(subject) is already protected", kind: .conflict)
            }
            try db.execute("INSERT INTO protected_likenesses(subject, category, reason, protected_by, protected_at, ledger_index) VALUES (?, ?, ?, ?, ?, ?)",
                           subject.rawValue, category, reason, moderator, now.timeIntervalSince1970, Int64(index))
        }.index
    }

    /// Lifts a protection (`likeness.unprotected`).
    public func unprotect(_ subject: SubjectID, reason: String, by moderator: String, now: Date = Date()) async throws -> UInt64 {
        let entry = try LedgerEntry(type: "likeness.unprotected", time: now, actor: moderator, subject: subject.rawValue,
                                    payload: ["reason_sha256": .string(SHA256.hex(Array(reason.utf8)))])
        return try await ledger.append(entry) { db, _ in
            guard try db.one("SELECT 1 FROM protected_likenesses WHERE subject = ?", subject.rawValue) != nil else {
                throw StoreError("not_protected", "the likeness of \(subject) is not protected", kind: .notFound)
            }
            try db.execute("DELETE FROM protected_likenesses WHERE subject = ?", subject.rawValue)
        }.index
    }

    /// The protection of `subject`, if any.
    public func protection(_ subject: SubjectID) throws -> Protection? {
        try ledger.database.writer.read { db in
            try db.one("SELECT * FROM protected_likenesses WHERE subject = ?", subject.rawValue).map { r in
                Protection(subject: subject, category: try r.string("category"), reason: try r.string("reason"), protectedBy: try r.string("protected_by"),
                           protectedAt: Date(timeIntervalSince1970: try r.double("protected_at")), ledgerIndex: UInt64(try r.int("ledger_index")))
            }
        }
    }

    /// Every protected subject.
    public func protectedSubjects() throws -> Set<SubjectID> {
        try ledger.database.writer.read { db in Set(try db.query("SELECT subject FROM protected_likenesses").map { try SubjectID(try $0.string("subject")) }) }
    }

    static func row(_ r: SQLRow) throws -> DisputeRow {
        DisputeRow(id: try r.string("id"), subject: try SubjectID(try r.string("subject")), earlierSubject: try SubjectID(try r.string("earlier_subject")),
                   distance: try r.double("distance"), threshold: try r.double("threshold"), protected: try r.int("protected") != 0,
                   status: try r.string("status"), createdAt: Date(timeIntervalSince1970: try r.double("created_at")),
                   slaDeadline: Date(timeIntervalSince1970: try r.double("sla_deadline")), openedIndex: UInt64(try r.int("opened_index")),
                   decision: try r.optionalString("decision").flatMap(DisputeDecision.init(rawValue:)), decidedBy: try r.optionalString("decided_by"),
                   decidedAt: try r.optionalDouble("decided_at").map(Date.init(timeIntervalSince1970:)),
                   decidedIndex: try r.optionalInt("decided_index").map { UInt64($0) })
    }
}
