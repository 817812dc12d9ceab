import CameoCore
import CameoCrypto
import Consent
import FaceMatch
import Foundation
import Identity
import Ledger
import Logging
import Policy
import Store
import Synchronization

/// The generation pipeline: prompt policy → requester state → consent for every cameo →
/// embedded generator → independent frame post-check → signed provenance → release or
/// quarantine. Jobs are durable rows claimed with a lease (any node runs any job, none runs
/// one twice); a bounded pool of workers runs them, and jobs found mid-flight (this node
/// restarted, or another node's lease ran out) run again from the pre-checks, so nothing
/// unchecked is ever released.
public final class GenerationService: Sendable {
    let rows: GenerationRows
    let consent: ConsentStore
    let likenesses: LikenessService
    let policies: PolicySet
    let generator: any VideoGenerator
    /// Where clips and manifests are kept.
    public let videos: URL
    let sign: @Sendable (JSONValue) throws -> SignedStatement
    let screens = Mutex<ContentScreens>(ContentScreens())
    let logger: Logger
    let waker = Waker()
    /// This node's name in job claims.
    public let node: String

    /// Creates the service; call `start()` to resume interrupted jobs and run workers.
    public init(ledger: LedgerStore, consent: ConsentStore, likenesses: LikenessService, policies: PolicySet,
                generator: any VideoGenerator, videos: URL, sign: @escaping @Sendable (JSONValue) throws -> SignedStatement,
                node: String = ProcessInfo.processInfo.hostName, logger: Logger = Logger(label: "cameoguard.generation")) throws {
        self.node = node
        self.rows = GenerationRows(ledger: ledger)
        self.consent = consent
        self.likenesses = likenesses
        self.policies = policies
        self.generator = generator
        self.videos = videos
        self.sign = sign
        self.logger = logger
        try FileManager.default.createDirectory(at: videos, withIntermediateDirectories: true)
    }

    /// Hands back the claims this node held when it stopped (on SQLite, every claim: one node
    /// owns the file) and starts the workers.
    public func start() async throws {
        let released = try rows.releaseAll(node: rows.dialect == .sqlite ? nil : node)
        if released > 0 { logger.notice("interrupted jobs will run again", metadata: ["count": "\(released)"]) }
        for _ in 0..<policies.generation.workers {
            // Rendering, encoding and the post-check are CPU-bound and synchronous: the workers
            // run on the background executor, never on the cooperative pool that serves checks.
            Task.detached(executorPreference: BackgroundWork.executor) { [self] in
                while !waker.isClosed {
                    if let id = claimNext() {
                        let heartbeat = renewLease(id)
                        await run(id)
                        heartbeat.cancel()
                        do { try rows.release(id, node: node) } catch { logger.error("could not release job", metadata: ["job": "\(id)", "error": "\(error)"]) }
                    } else {
                        await waker.wait(timeout: .milliseconds(policies.generation.jobPollMilliseconds))
                    }
                }
            }
        }
    }

    /// Claims the oldest claimable job: queued, or mid-flight with no live claim.
    func claimNext(now: Date = Date()) -> String? {
        do {
            return try rows.claimNext(statuses: [GenerationStatus.queued, .generating, .checking].map(\.rawValue), node: node, now: now,
                                      leaseUntil: now.addingTimeInterval(TimeInterval(policies.generation.jobLeaseSeconds)))
        } catch {
            logger.error("could not claim a job", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Keeps this node's claim on `id` alive while it runs (a third of the lease at a time), so
    /// a slow job is never taken over by another node while this one is still working on it.
    func renewLease(_ id: String) -> Task<Void, Never> {
        let lease = TimeInterval(policies.generation.jobLeaseSeconds)
        return Task.detached { [rows, node, logger] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(lease / 3))
                if Task.isCancelled { return }
                do {
                    if try !rows.renew(id, node: node, until: Date().addingTimeInterval(lease)) {
                        logger.warning("lost the claim on a running job", metadata: ["job": "\(id)"])
                        return
                    }
                } catch {
                    logger.warning("could not renew a job lease", metadata: ["job": "\(id)", "error": "\(error)"])
                }
            }
        }
    }

    /// Stops taking jobs (workers finish the job they hold).
    public func stop() { waker.close() }

    // MARK: submit

    /// Validates `request`, runs the pre-checks and records the job: `rejected` (nothing is
    /// generated) or `queued`.
    public func submit(_ request: GenerationRequest, actor: String, now: Date = Date()) async throws -> GenerationRecord {
        let prompt = request.prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !prompt.isEmpty else { throw GenerationError("invalid_prompt", "prompt is empty") }
        guard prompt.count <= policies.content.maxPromptLength else {
            throw GenerationError("prompt_too_long", "prompt exceeds \(policies.content.maxPromptLength) characters", kind: .tooLarge)
        }
        guard !request.cameos.isEmpty, request.cameos.count <= policies.generation.maxCameos else {
            throw GenerationError("too_many_cameos", "a clip takes 1-\(policies.generation.maxCameos) cameos, got \(request.cameos.count)")
        }
        guard Set(request.cameos).count == request.cameos.count else { throw GenerationError("duplicate_cameo", "a cameo is listed twice") }
        if let rid = request.requestID, !(1...128).contains(rid.count) { throw GenerationError("invalid_request_id", "request_id must be 1-128 characters") }
        let consentRequest = try consentRequest(for: request, tags: [])  // validates use/audience/ids early
        for s in [request.requester] + request.cameos where try consent.subject(s) == nil {
            throw GenerationError("unknown_subject", "no subject \(s)", kind: .notFound)
        }
        _ = consentRequest
        if let rid = request.requestID, let existing = try rows.find(requester: request.requester.rawValue, requestID: rid) {
            throw GenerationError("duplicate_request", "request_id \(rid) was already used for generation \(existing.id)", kind: .conflict)
        }
        let id = "gen_" + Hex.encode(secureRandomBytes(12))
        let seed = request.seed ?? UInt64.random(in: 0...UInt64(Int64.max))
        var record = GenerationRecord(id: id, request: request, status: .queued, seed: seed, tags: [], reasons: [], receipts: [],
                                      grantIDs: [], preferences: [:], postCheck: nil, contentSHA256: nil, manifest: nil,
                                      ledgerIndex: nil, timings: nil, createdAt: now, updatedAt: now)
        // Held by this node until the pre-checks are done, so no worker takes it half-checked.
        try rows.insert(try row(record), now: now, claim: (node, now.addingTimeInterval(TimeInterval(policies.generation.jobLeaseSeconds))))
        var handedOver = false
        defer { if !handedOver { try? rows.release(id, node: node) } }  // once handed over, a worker may hold it
        if let reason = try preCheck(&record, now: now) {
            record.status = .rejected
            record.reasons.append(reason)
            record.ledgerIndex = try await saveWithEntry(record, type: "generation.rejected", actor: actor,
                                                         payload: ["reasons": .array(record.reasons.map { .string($0) })], now: now)
            return record
        }
        try save(record)
        try rows.release(id, node: node)
        handedOver = true
        waker.signal()
        return record
    }

    /// Prompt policy, requester state and consent, in that order; returns the first failure.
    func preCheck(_ record: inout GenerationRecord, now: Date) throws -> String? {
        let prompt = PromptPolicyCheck.evaluate(record.request.prompt, policy: policies.content)
        record.tags = prompt.tags
        if let blocked = prompt.blockedBy { return "prompt_policy: \(blocked)" }
        guard let requester = try consent.subject(record.request.requester) else { return "requester_unknown" }
        if requester.status.suspended { return "requester_suspended: the requesting account is suspended" }
        let decision = try ConsentEvaluator.evaluate(try consentRequest(for: record.request, tags: prompt.tags),
                                                     index: consent.withIndex { index, _ in index }, now: now)
        var statement = decision.jsonValue
        if case .object(var o) = statement {
            o["kind"] = "consent.decision"; o["policy_hash"] = .string(policies.hash); o["generation"] = .string(record.id)
            statement = .object(o)
        }
        record.receipts = [try sign(statement).json]
        record.grantIDs = decision.grantsUsed.map(\.rawValue)
        record.preferences = [:]
        consent.withIndex { index, _ in
            for r in decision.results {
                let prefs = r.outcome.grantIDs.compactMap { index.grant(id: $0)?.preferences }.filter { !$0.isEmpty }
                if !prefs.isEmpty { record.preferences[r.owner.rawValue] = prefs.joined(separator: "; ") }
            }
        }
        if decision.verdict == .deny {
            let denied = decision.results.filter { $0.outcome.verdict == .deny }.map { "\($0.owner.rawValue): \($0.outcome.code)" }
            return "consent: " + denied.joined(separator: ", ")
        }
        return nil
    }

    func consentRequest(for r: GenerationRequest, tags: [String]) throws -> ConsentRequest {
        let visibility: Visibility
        do {
            visibility = try JSONDecoder().decode(Visibility.self, from: Data(CanonicalJSON.encode(r.audience)))
        } catch let e as any CodedError {
            throw e
        } catch {
            throw GenerationError("invalid_audience", "audience must be {\"kind\": only_me|mutuals|everyone|community, \"community\": id}: \(JSONValue.describe(error))")
        }
        return try ConsentRequest(requester: r.requester, cameos: r.cameos, use: Use(r.use), audience: visibility, tags: tags.map(ContentTag.init))
    }

    // MARK: reads and removal

    /// The job `id`.
    public func record(_ id: String) throws -> GenerationRecord {
        guard let row = try rows.find(id) else { throw GenerationError("unknown_generation", "no generation \(id)", kind: .notFound) }
        return try decode(row)
    }

    /// Every generation that names `subject` as a cameo or showed their face, newest first.
    public func appearances(of subject: SubjectID) throws -> [GenerationRecord] {
        try rows.appearances(of: subject.rawValue).map(decode)
    }

    /// Recent generations (optionally of one requester).
    public func list(requester: SubjectID?, limit: Int) throws -> [GenerationRecord] {
        try rows.list(requester: requester?.rawValue, limit: limit).map(decode)
    }

    /// Removes a generation on behalf of `subject` (its requester, a cameo owner, or a face in
    /// it) or of a moderator (`subject` nil): status `removed`, files deleted, ledger entry.
    /// A removal on behalf of a person carries that person's `authorization` (owner-signed, or
    /// the platform's in migration); a removal by moderation passes nil for both.
    public func remove(_ id: String, onBehalfOf subject: SubjectID?, authorization: ConsentAuthorization? = nil, reason: String,
                       actor: String, now: Date = Date()) async throws -> GenerationRecord {
        var record = try record(id)
        if let subject {
            let involved = [record.request.requester] + record.request.cameos
            guard involved.contains(subject) || (record.postCheck?.matchedSubjects.contains(subject.rawValue) ?? false) else {
                throw GenerationError("not_involved", "\(subject) is neither the requester nor in generation \(id)", kind: .forbidden)
            }
        }
        guard record.status != .removed else { throw GenerationError("already_removed", "generation \(id) was already removed", kind: .conflict) }
        record.status = .removed
        record.reasons.append("removed: \(reason)")
        var payload: [String: JSONValue] = ["on_behalf_of": subject.map { .string($0.rawValue) } ?? .null, "reason": .string(reason)]
        if let authorization { payload.merge(authorization.payload) { a, _ in a } }
        record.ledgerIndex = try await saveWithEntry(record, type: "generation.removed", actor: actor, payload: payload, now: now,
                                                     authorization: authorization)
        // After the commit: a refused removal (a replayed signature) leaves the clip in place.
        removeFiles(id)
        return record
    }

    /// Installs the takedown workflow's screens: blocked likenesses and removed-content matching.
    public func setScreens(_ screens: ContentScreens) { self.screens.withLock { $0 = screens } }

    /// Withholds a clip for a takedown: status `removed`, files moved aside (not deleted) so a
    /// counter-notice can restore them; one ledger entry.
    public func withhold(_ id: String, reason: String, actor: String, now: Date = Date()) async throws {
        var record = try record(id)
        guard record.status != .removed else { return }
        let aside = videos.appendingPathComponent("withheld", isDirectory: true)
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        for url in [videoURL(id), manifestURL(id)] where FileManager.default.fileExists(atPath: url.path) {
            let target = aside.appendingPathComponent(url.lastPathComponent)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.moveItem(at: url, to: target)
        }
        record.reasons.append("withheld: \(reason)")
        let previous = record.status
        record.status = .removed
        record.ledgerIndex = try await saveWithEntry(record, type: "generation.removed", actor: actor,
                                                     payload: ["reason": .string(reason), "withheld_from": .string(previous.rawValue)], now: now)
    }

    /// Puts a withheld clip back (after a counter-notice window or a reversed decision).
    public func restore(_ id: String, reason: String, actor: String, now: Date = Date()) async throws {
        var record = try record(id)
        guard record.status == .removed else { return }
        let aside = videos.appendingPathComponent("withheld", isDirectory: true)
        for url in [videoURL(id), manifestURL(id)] {
            let from = aside.appendingPathComponent(url.lastPathComponent)
            if FileManager.default.fileExists(atPath: from.path) { try FileManager.default.moveItem(at: from, to: url) }
        }
        record.status = record.manifest == nil ? .quarantined : .released
        record.reasons.append("restored: \(reason)")
        record.ledgerIndex = try await saveWithEntry(record, type: "generation.restored", actor: actor, payload: ["reason": .string(reason)], now: now)
    }

    /// The clip file of `id` wherever it is (served or withheld), if it exists.
    public func anyVideoFile(_ id: String) -> URL? {
        [videoURL(id), videos.appendingPathComponent("withheld/\(id).mp4")].first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Paths of a released clip and its manifest.
    public func videoURL(_ id: String) -> URL { videos.appendingPathComponent("\(id).mp4") }
    public func manifestURL(_ id: String) -> URL { videos.appendingPathComponent("\(id).manifest.json") }

    func removeFiles(_ id: String) {
        try? FileManager.default.removeItem(at: videoURL(id))
        try? FileManager.default.removeItem(at: manifestURL(id))
        removePartials(id)
    }

    /// Where one run renders before its output is checked (unique per run: a run that lost its
    /// claim never writes over the file of the run that took the job over).
    func partialURL(_ id: String) -> URL {
        videos.appendingPathComponent("\(id).\(Hex.encode(secureRandomBytes(6))).partial.mp4")
    }

    /// Deletes the unchecked partial outputs of `id` (interrupted runs).
    func removePartials(_ id: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: videos.path)) ?? []
        for n in names where n.hasPrefix(id + ".") && n.hasSuffix(".partial.mp4") {
            try? FileManager.default.removeItem(at: videos.appendingPathComponent(n))
        }
    }

    // MARK: persistence helpers

    func row(_ r: GenerationRecord) throws -> GenerationRow {
        let enc = JSONEncoder()
        enc.outputFormatting = .sortedKeys
        let subjects = ([r.request.requester] + r.request.cameos).map(\.rawValue) + (r.postCheck?.matchedSubjects ?? [])
        return GenerationRow(id: r.id, requestID: r.request.requestID, requester: r.request.requester.rawValue, status: r.status.rawValue,
                             body: try enc.encode(r), subjects: subjects)
    }

    func decode(_ row: GenerationRow) throws -> GenerationRecord { try JSONDecoder().decode(GenerationRecord.self, from: row.body) }

    func save(_ r: GenerationRecord, now: Date = Date(), holder: String? = nil) throws {
        var r = r
        r.updatedAt = now
        try rows.update(try row(r), now: now, holder: holder)
    }

    /// Saves `r` with a ledger entry of `type` in one transaction; `finish` may complete the
    /// record with the entry's index first (and is what is saved). Returns the index.
    func saveWithEntry(_ r: GenerationRecord, type: String, actor: String, payload: [String: JSONValue], now: Date,
                       holder: String? = nil, authorization: ConsentAuthorization? = nil,
                       finish: (@Sendable (inout GenerationRecord, UInt64) throws -> Void)? = nil) async throws -> UInt64 {
        var r = r
        r.updatedAt = now
        var p = payload
        p["requester"] = .string(r.request.requester.rawValue)
        p["cameos"] = .array(r.request.cameos.map { .string($0.rawValue) })
        p["prompt_sha256"] = .string(SHA256.hex(Array(r.request.prompt.utf8)))
        p["status"] = .string(r.status.rawValue)
        let entry = try LedgerEntry(type: type, time: now, actor: actor, subject: r.id, payload: p)
        let record = r
        return try await rows.update(entry: entry, now: now, holder: holder, authorization: authorization) { [self] index in
            var final = record
            try finish?(&final, index)
            return try row(final)
        }
    }
}
