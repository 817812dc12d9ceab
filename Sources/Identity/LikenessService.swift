import CameoCore
import CameoCrypto
import FaceMatch
import Foundation
import Policy
import Store

/// What a successful verification returns.
public struct VerificationResult: Sendable, Codable {
    public let subject: SubjectID
    public let status: String
    public let descriptorCommitment: String
    public let ledgerIndex: UInt64
    public let poses: [String]
    enum CodingKeys: String, CodingKey {
        case subject, status, poses
        case descriptorCommitment = "descriptor_commitment", ledgerIndex = "ledger_index"
    }
}

/// Identity verification of a likeness: liveness challenge, response check, impersonation
/// guard, encrypted enrollment, erasure.
public final class LikenessService: Sendable {
    /// The encrypted likeness store.
    public let store: LikenessStore
    let consent: ConsentStore
    /// The face machinery (engines and gallery).
    public let faces: FaceRuntime
    let policy: IdentityPolicy

    /// Creates the service and loads the gallery from the store.
    public init(store: LikenessStore, consent: ConsentStore, faces: FaceRuntime, policy: IdentityPolicy) throws {
        self.store = store
        self.consent = consent
        self.faces = faces
        self.policy = policy
        try faces.loadGallery(store.allDescriptors())
    }

    /// Reloads the gallery from the store (another node enrolled or erased a likeness).
    public func reloadGallery() throws { try faces.loadGallery(store.allDescriptors()) }

    /// Issues a challenge for `subject` (which must exist and not be erased); returns it with the nonce.
    public func challenge(subject: SubjectID, now: Date = Date()) throws -> (LivenessChallenge, nonce: String) {
        guard let s = try consent.subject(subject) else { throw IdentityError("unknown_subject", "no subject \(subject)", kind: .notFound) }
        guard s.status.likeness != .erased else { throw IdentityError("subject_erased", "subject \(subject) was erased", kind: .conflict) }
        let count = Int.random(in: policy.posesMin...policy.posesMax)
        let (c, nonce) = LivenessChallenge.issue(subject: subject, poseCount: count, ttl: policy.challengeTTL, now: now)
        try store.saveChallenge(ChallengeRow(id: c.id, subject: subject, poses: c.poses.map(\.rawValue), nonceHash: c.nonceHash,
                                             issuedAt: c.issuedAt, expiresAt: c.expiresAt))
        return (c, nonce)
    }

    /// Checks a response made of still frames and enrolls the likeness on success.
    public func verify(subject: SubjectID, challenge id: ChallengeID, nonce: String, frames: [RGBImage],
                       actor: String, now: Date = Date()) async throws -> VerificationResult {
        let row = try store.consumeChallenge(id, subject: subject, now: now)  // single use, whatever the outcome
        let challenge = LivenessChallenge(id: row.id, subject: row.subject, poses: row.poses.compactMap(HeadTurn.init(rawValue:)),
                                          issuedAt: row.issuedAt, expiresAt: row.expiresAt, nonceHash: row.nonceHash)
        guard challenge.matches(nonce: nonce) else {
            throw IdentityError("nonce_mismatch", "the nonce does not belong to this challenge", kind: .forbidden)
        }
        if now >= challenge.expiresAt { throw IdentityError("challenge_expired", "the challenge expired; request a new one", kind: .conflict) }
        guard (policy.framesMin...policy.framesMax).contains(frames.count) else {
            throw IdentityError("liveness_frame_count", "send \(policy.framesMin)-\(policy.framesMax) frames, got \(frames.count)")
        }
        let detected = try faces.analyze(frames)
        let evidence = zip(frames, detected).map { FrameEvidence(faces: $1, thumbnail: FrameEvidence.thumbnail(of: $0)) }
        let rules = LivenessRules(classifier: HeadTurnClassifier(turnThreshold: policy.turnDegrees, centreThreshold: policy.centreDegrees),
                                  samePersonThreshold: faces.matching.threshold, staticFrameDifference: policy.staticFrameDifference,
                                  framesRange: policy.framesMin...policy.framesMax)
        switch LivenessVerifier.verify(challenge, frames: evidence, rules: rules, now: now) {
        case .failed(let e):
            throw e
        case .passed(let mean, let frontal, let poses):
            if let other = faces.nearest(to: mean, k: 2).first(where: { $0.id != subject.rawValue && $0.distance < policy.impersonationThreshold }) {
                let (review, _) = try await store.flag(subject: subject, conflictingWith: SubjectID(other.id), distance: other.distance, actor: actor, now: now)
                throw IdentityError("likeness_conflict", "this face is already enrolled for another subject; queued for review as \(review)", kind: .conflict)
            }
            let chip = try faces.chip(of: evidence[frontal].faces[0], in: frames[frontal])
            let (commitment, index) = try await store.enroll(subject: subject, descriptor: mean.values, chip: chip.pixels,
                                                             chipWidth: chip.width, chipHeight: chip.height, challenge: id, actor: actor, now: now)
            try faces.enroll(subject, mean)
            return VerificationResult(subject: subject, status: "verified", descriptorCommitment: commitment, ledgerIndex: index,
                                      poses: poses.map { $0?.rawValue ?? "unclear" })
        }
    }

    /// Checks a video response: frames sampled at the policy rate, then as `verify(frames:)`.
    public func verify(subject: SubjectID, challenge id: ChallengeID, nonce: String, video: URL,
                       actor: String, now: Date = Date()) async throws -> VerificationResult {
        let sampled = try VideoFrames().sample(video, sampling: VideoSampling(framesPerSecond: policy.videoSampleFps, includeLastFrame: true,
                                                                              maxDimension: 1280, maxFrames: policy.framesMax))
        return try await verify(subject: subject, challenge: id, nonce: nonce, frames: sampled.map(\.image), actor: actor, now: now)
    }

    /// Erases `subject`'s likeness (crypto-shredding) and drops it from the gallery.
    public func erase(subject: SubjectID, actor: String, now: Date = Date()) async throws -> UInt64 {
        let index = try await store.erase(subject: subject, actor: actor, now: now)
        faces.remove(subject)
        return index
    }

    /// The decrypted 150×150 reference chip of a verified subject (for the embedded generator).
    public func referenceChip(_ subject: SubjectID) throws -> (pixels: [UInt8], width: Int, height: Int) { try store.chip(subject) }

    /// The likeness record, if any.
    public func record(_ subject: SubjectID) throws -> LikenessRecord? { try store.record(subject) }
}
