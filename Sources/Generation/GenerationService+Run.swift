import CameoCore
import CameoCrypto
import Consent
import FaceMatch
import Foundation
import Identity
import Ledger
import Store

extension GenerationService {
    /// Runs one queued job, claimed by this node, to its end state. Never throws: failures
    /// become `failed` or `rejected`. Every write is fenced by the claim: if the claim passed to
    /// another node (this one stalled past its lease), this run stops without changing the job.
    func run(_ id: String) async {
        let output = partialURL(id)
        do {
            var record = try record(id)
            if record.status == .generating || record.status == .checking {
                // Interrupted (this node restarted, or another node's claim ran out): start over.
                removeFiles(record.id)  // an unchecked partial output is never kept
                record.status = .queued
                record.reasons.append("resumed after an interrupted run")
                try save(record, holder: node)
            }
            guard record.status == .queued else { return }
            // Consent is checked again: a revocation since submission blocks the job now.
            if let reason = try preCheck(&record, now: Date()) {
                record.status = .rejected
                record.reasons.append(reason)
                record.ledgerIndex = try await saveWithEntry(record, type: "generation.rejected", actor: "system",
                                                             payload: ["reasons": .array(record.reasons.map { .string($0) })], now: Date(), holder: node)
                return
            }
            record.status = .generating
            try save(record, holder: node)
            let claim = try claim(for: record)
            let signedClaim = try sign(claim)
            let spec = try renderSpec(record, claim: signedClaim)
            let clock = ContinuousClock()
            let t0 = clock.now
            _ = try await generator.render(spec, to: output, progress: nil)  // a per-run file: see partialURL
            let t1 = clock.now

            record.status = .checking
            try save(record, holder: node)
            // Pre-checks allowed every cameo (any deny rejects), so the allowed owners are the cameos.
            let result = try postCheck(output, allowed: Set(record.request.cameos.map(\.rawValue)))
            record.postCheck = result
            record.timings = ["render_encode": (t1 - t0).seconds, "post_check": (clock.now - t1).seconds]
            // The checked file takes its final name before the job says so (rename is atomic).
            try publish(output, as: videoURL(id))
            if result.release {
                let bytes = [UInt8](try Data(contentsOf: videoURL(id)))
                let hash = SHA256.hex(bytes)
                record.contentSHA256 = hash
                record.status = .released
                let summary: JSONValue = ["frames_checked": .int(Int64(result.framesChecked)), "faces_seen": .int(Int64(result.facesSeen)),
                                          "matched_subjects": .array(result.matchedSubjects.map { .string($0) })]
                // The manifest names the released entry, so it is signed and saved with it, in one transaction.
                let sign = self.sign
                let index = try await saveWithEntry(record, type: "generation.released", actor: "system",
                                                    payload: ["content_sha256": .string(hash), "post_check": summary,
                                                              "grant_ids": .array(record.grantIDs.map { .string($0) }),
                                                              "claim_sha256": .string(SHA256.hex(try CanonicalJSON.encode(claim)))], now: Date(), holder: node) { r, index in
                    r.manifest = try sign(["kind": "generation.manifest", "claim": claim, "content_sha256": .string(hash),
                                           "post_check": summary, "ledger_index": .int(Int64(index))]).json
                    r.ledgerIndex = index
                }
                record = try self.record(id)
                if let manifest = record.manifest, record.ledgerIndex == index {
                    try Data(try CanonicalJSON.encode(manifest)).write(to: manifestURL(id), options: .atomic)  // a copy for operators
                }
            } else {
                record.status = .quarantined
                record.reasons += result.reasons
                record.ledgerIndex = try await saveWithEntry(record, type: "generation.quarantined", actor: "system",
                                                             payload: ["reasons": .array(result.reasons.map { .string($0) }),
                                                                       "evidence_frames": .int(Int64(result.evidence.count))], now: Date(), holder: node)
            }
        } catch let e as any CodedError where e.code == "claim_lost" {
            // Another node runs this job now; leave it and its files alone.
            logger.warning("generation claim lost; another node runs it", metadata: ["id": "\(id)"])
            try? FileManager.default.removeItem(at: output)
        } catch {
            logger.error("generation failed", metadata: ["id": "\(id)", "error": "\(error)"])
            try? FileManager.default.removeItem(at: output)
            if var record = try? record(id), record.status != .released {
                removeFiles(id)
                record.status = .failed
                record.reasons.append("failed: \((error as? any CodedError)?.code ?? "internal_error")")
                try? save(record, holder: node)
            }
        }
    }

    /// Moves the checked `file` to `final`, replacing what is there, atomically.
    func publish(_ file: URL, as final: URL) throws {
        guard rename(file.path, final.path) == 0 else {
            throw GenerationError("publish_failed", "cannot move the checked clip into place: \(String(cString: strerror(errno)))", kind: .internalFailure)
        }
    }

    /// What is asserted before rendering (and embedded in the file).
    func claim(for r: GenerationRecord) throws -> JSONValue {
        ["kind": "generation.claim", "generation": .string(r.id), "generator": .string(generator.id), "generator_version": .string(generator.version),
         "seed": .string(String(r.seed)), "prompt_sha256": .string(SHA256.hex(Array(r.request.prompt.utf8))),
         "requester": .string(r.request.requester.rawValue), "cameos": .array(r.request.cameos.map { .string($0.rawValue) }),
         "grant_ids": .array(r.grantIDs.map { .string($0) }), "receipts": .array(r.receipts), "policy_hash": .string(policies.hash),
         "preferences_sha256": .object(r.preferences.mapValues { .string(SHA256.hex(Array($0.utf8))) })]
    }

    func renderSpec(_ r: GenerationRecord, claim: SignedStatement) throws -> RenderSpec {
        let cameos = try r.request.cameos.map { owner -> CameoAppearance in
            let chip = try likenesses.referenceChip(owner)
            return try CameoAppearance(ownerID: owner.rawValue, face: RGBFace(width: chip.width, height: chip.height, pixels: chip.pixels),
                                       preferences: r.preferences[owner.rawValue] ?? "")
        }
        let g = policies.generation
        return try RenderSpec(prompt: r.request.prompt, seed: r.seed, width: g.width, height: g.height, fps: g.fps, duration: g.duration,
                              cameos: cameos, metadata: [ProvenanceManifest.metadataKey: String(decoding: try CanonicalJSON.encode(claim.json), as: UTF8.self)])
    }

    /// Decodes the produced file (not generator state), samples frames at the policy rate plus
    /// first and last, detects every face and matches it against the whole gallery.
    public func postCheck(_ file: URL, allowed: Set<String>) throws -> PostCheckResult {
        let m = policies.matching
        let frames = try VideoFrames().sample(file, sampling: VideoSampling(framesPerSecond: m.sampleFps, includeLastFrame: true,
                                                                            maxDimension: m.detectMaxDimension, maxFrames: 600))
        let faces = likenesses.faces
        let detected = try faces.analyze(frames.map(\.image), upsample: m.postcheckUpsample)
        var seen: [SeenFace] = []
        for (frame, found) in zip(frames, detected) {
            for f in found {
                let nearest = faces.nearest(to: f.descriptor).first
                seen.append(SeenFace(time: frame.timestamp, box: [f.box.left, f.box.top, f.box.right, f.box.bottom],
                                     nearest: nearest?.id, distance: nearest?.distance))
            }
        }
        let screens = self.screens.withLock { $0 }
        let protected = Set(try likenesses.disputes.protectedSubjects().map(\.rawValue))
        let result = PostCheck.evaluate(frames: frames.count, faces: seen, allowed: allowed, blocked: screens.blockedLikenesses(), threshold: m.threshold,
                                        protected: protected, protectedThreshold: m.protectedThreshold)
        let hits = screens.removedContent(frames.map(\.image))
        guard !hits.isEmpty else { return result }
        return PostCheckResult(release: false, framesChecked: result.framesChecked, facesSeen: result.facesSeen, matchedSubjects: result.matchedSubjects,
                               evidence: result.evidence, reasons: result.reasons + hits)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
