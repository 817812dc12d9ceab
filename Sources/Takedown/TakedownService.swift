import CameoCore
import CameoCrypto
import Consent
import FaceMatch
import Foundation
import Generation
import Identity
import Ledger
import Logging
import PDQ
import Policy
import Store
import Synchronization

/// The takedown workflow: intake with triage (matcher evidence, PDQ fingerprints, bank
/// lookup, automatic actions), the moderator queue with leases, decisions with statements of
/// reasons, counter-notices and put-back timers, appeals, strikes and the hash bank.
public final class TakedownService: Sendable {
    let rows: TakedownRows
    let generations: GenerationService
    let likenesses: LikenessService
    let consent: ConsentStore
    let policy: TakedownPolicy
    let bank: Locked<HashBank>
    let blocked: Locked<Set<String>>
    let logger = Logger(label: "cameoguard.takedown")

    /// Opens the workflow, loads the bank and blocked likenesses, and installs the
    /// generation post-check screens.
    static func loadBank(_ rows: TakedownRows) throws -> HashBank {
        HashBank(try rows.bankedHashes().map { (id: $0.id, hash: try PDQHash(hex: $0.hex)) })
    }

    /// Reloads the hash bank and blocked likenesses (another node decided or restored a case).
    public func reloadScreens() throws {
        let bank = try Self.loadBank(rows)
        let blocked = Set(try rows.blockedLikenesses())
        self.bank.withLock { $0 = bank }
        self.blocked.withLock { $0 = blocked }
    }

    public init(ledger: LedgerStore, generations: GenerationService, likenesses: LikenessService, consent: ConsentStore, policy: TakedownPolicy) throws {
        self.rows = TakedownRows(ledger: ledger)
        self.generations = generations
        self.likenesses = likenesses
        self.consent = consent
        self.policy = policy
        self.bank = Locked(try Self.loadBank(rows))
        self.blocked = Locked(Set(try rows.blockedLikenesses()))
        let (bank, blocked, distance) = (self.bank, self.blocked, policy.pdqMatchDistance)
        generations.setScreens(ContentScreens(
            blockedLikenesses: { blocked.withLock { $0 } },
            removedContent: { frames in
                let b = bank.withLock { $0 }
                guard !b.isEmpty else { return [] }
                var reasons: [String] = []
                for (i, f) in frames.enumerated() {
                    guard let h = try? PDQHasher.hash(rgb: f.pixels, width: f.width, height: f.height), h.quality >= 50,
                          let m = b.nearest(to: h.hash, maxDistance: distance, limit: 1).first else { continue }
                    reasons.append("hash_bank: frame \(i) matches removed content \(m.id) (PDQ distance \(m.distance))")
                }
                return reasons
            }))
    }

    // MARK: intake

    /// Validates and triages a report; idempotent on (type, client report id): a retry
    /// returns the existing case with `created` false.
    public func submit(_ r: ReportIn, actor: String, now: Date = Date()) async throws -> (case: TakedownCase, created: Bool) {
        guard ["copyright", "likeness", "misuse"].contains(r.type) else {
            throw TakedownError("invalid_report_type", "type must be copyright, likeness or misuse")
        }
        guard (1...128).contains(r.clientReportID.count) else { throw TakedownError("invalid_client_report_id", "client_report_id must be 1-128 characters") }
        switch r.type {
        case "copyright":
            guard let notice = r.notice else { throw TakedownError("dmca_incomplete", "a copyright report needs a notice with the §512(c)(3) elements") }
            let missing = notice.missingElements
            guard missing.isEmpty else { throw TakedownError("dmca_incomplete", "missing DMCA §512(c)(3) elements: \(missing.joined(separator: ", "))") }
        case "likeness":
            guard let who = r.reporter, try consent.subject(who) != nil else {
                throw TakedownError("reporter_required", "a likeness report names the reporter (a registered subject)", kind: .invalidInput)
            }
        default:
            guard let c = r.category, policy.misuseCategories[c] != nil else {
                throw TakedownError("invalid_category", "category must be one of \(policy.misuseCategories.keys.sorted().joined(separator: ", "))")
            }
            guard (r.details ?? "").count <= 5000 else { throw TakedownError("details_too_long", "details are limited to 5000 characters") }
        }
        let generation = try generations.record(r.generationID)  // unknown content → 404
        var evidence: [String: JSONValue] = [:]
        var auto: String?
        // Decoding, PDQ and dlib: on the background queue, not the cooperative pool.
        let fingerprints = try await BackgroundWork.run { [self] in try fingerprint(r.generationID) }
        evidence["fingerprints"] = .array(fingerprints.map { ["time": .double($0.time), "pdq": .string($0.hash.hex), "quality": .int(Int64($0.quality))] })
        let b = bank.withLock { $0 }
        let hits = fingerprints.compactMap { f in b.nearest(to: f.hash, maxDistance: policy.pdqMatchDistance, limit: 1).first.map { (f.time, $0) } }
        if !hits.isEmpty {
            evidence["hash_bank_hits"] = .array(hits.map { ["time": .double($0.0), "match": .string($0.1.id), "distance": .int(Int64($0.1.distance))] })
            if policy.autoRemoveHashBankHit { auto = "removed: matches previously removed content" }
        }
        if r.type == "likeness", let reporter = r.reporter {
            let matches = try await BackgroundWork.run { [self] in try likenessEvidence(r.generationID, reporter: reporter) }
            evidence["likeness_matches"] = .array(matches.map { ["time": .double($0.time), "box": .array($0.box.map { .int(Int64($0)) }), "distance": .double(Double($0.distance))] })
            let consented = generation.request.cameos.contains(reporter) && generation.status != .rejected
            evidence["reporter_consented"] = .bool(consented)
            if !matches.isEmpty && !consented && policy.autoRemoveLikenessWithoutGrant {
                auto = "removed: the reporter's enrolled likeness appears without a grant"
            }
        }
        let severity = r.category.flatMap { policy.misuseCategories[$0] } ?? 0
        let id = "case_" + Hex.encode(secureRandomBytes(10))
        var c = TakedownCase(id: id, report: r, createdAt: now, priority: (policy.priority[r.type] ?? 0) + severity + (auto == nil ? 0 : 5),
                             slaDeadline: now.addingTimeInterval((policy.slaHours[r.type] ?? 72) * 3600), status: .open, tier: "moderator",
                             excluded: [], claimedBy: nil, leaseUntil: nil, autoAction: auto, decision: nil, appealOf: nil, counterNotice: nil,
                             restoreAt: nil, uploader: generation.request.requester.rawValue, evidence: .object(evidence),
                             history: ["\(Timestamp.format(now)) received"])
        if let auto {
            try c.decide(by: "system", action: .remove, ground: r.type == "likeness" ? "likeness_without_consent" : "copyright_infringement",
                         reason: "Automatic action at intake: \(auto). Awaiting confirmation by a moderator.", automated: true, now: now)
        }
        let entry = try LedgerEntry(type: "report.received", time: now, actor: actor, subject: id,
                                    payload: ["type": .string(r.type), "generation": .string(r.generationID), "client_report_id": .string(r.clientReportID),
                                              "reporter": r.reporter.map { .string($0.rawValue) } ?? .null, "auto_action": auto.map { .string($0) } ?? .null,
                                              "fingerprints": .int(Int64(fingerprints.count))])
        let (created, row) = try await rows.insert(try caseRow(c), entry: entry, now: now)
        guard created else { return (try decode(row), false) }
        TakedownMetrics.received(r.type, automatic: auto != nil)
        if auto != nil { try await generations.withhold(r.generationID, reason: "takedown \(id) (automatic)", actor: "system", now: now) }
        return (c, true)
    }

    // MARK: reads

    /// The case `id`.
    public func show(_ id: String) throws -> TakedownCase {
        guard let row = try rows.find(id) else { throw TakedownError("unknown_case", "no case \(id)", kind: .notFound) }
        return try decode(row)
    }

    /// Waiting items (open, or claimed with an expired lease), highest priority first.
    public func queue(type: String?, now: Date = Date(), limit: Int = 100) throws -> [TakedownCase] {
        try rows.list(statuses: ["open", "claimed"], type: type, limit: limit).map(decode).filter { $0.isQueued(now: now) }
    }

    /// Cases in any status (for `queue list --all`).
    public func all(type: String?, limit: Int = 100) throws -> [TakedownCase] {
        try rows.list(statuses: CaseStatus.allCases.map(\.rawValue), type: type, limit: limit).map(decode)
    }

    func caseRow(_ c: TakedownCase) throws -> CaseRow {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        return CaseRow(id: c.id, clientReportID: c.report.clientReportID, type: c.report.type, generation: c.report.generationID,
                       status: c.status.rawValue, priority: c.priority, slaDeadline: c.slaDeadline, body: try enc.encode(c))
    }

    func decode(_ row: CaseRow) throws -> TakedownCase { try JSONDecoder().decode(TakedownCase.self, from: row.body) }
}

/// A mutex-protected value that closures can share (a `Mutex` itself cannot be copied into them).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T { try mutex.withLock { try body(&$0) } }
}
