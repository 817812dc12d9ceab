import CameoCore
import CameoCrypto
import FaceMatch
import Foundation
import Policy
import Store
import Synchronization

/// What a successful verification returns.
public struct VerificationResult: Sendable, Codable {
    public let subject: SubjectID
    /// `verified`, or `disputed` when the face is enrolled for another subject too.
    public let status: String
    /// The dispute opened, when `status` is `disputed`.
    public let disputeID: String?
    public let descriptorCommitment: String
    public let ledgerIndex: UInt64
    public let poses: [String]
    /// How the likeness was verified (`attestation`, `video`, `stills`).
    public let method: String
    /// The owner key registered in the same entry, if one was sent.
    public let ownerKeyID: String?
    enum CodingKeys: String, CodingKey {
        case subject, status, poses, method
        case descriptorCommitment = "descriptor_commitment", ledgerIndex = "ledger_index", ownerKeyID = "owner_key_id", disputeID = "dispute_id"
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
    /// SHA-256 of the policy set, named in every enrollment entry.
    let policyHash: String
    /// Owner device keys (registered here at enrollment, retired at erasure).
    public let ownerKeys: OwnerKeyStore
    /// The trusted issuers' keys, loaded from the policy on first use (the policy does not change).
    private let attestations = Mutex<VendorAttestationVerifier?>(nil)
    /// The embedded video verifier.
    public let videoLiveness: VideoLivenessVerifier
    /// Likeness disputes and protected likenesses.
    public let disputes: DisputeStore
    /// Seconds a senior moderator has to decide a dispute.
    let disputeSLA: TimeInterval

    /// Creates the service and loads the gallery from the store.
    public init(store: LikenessStore, consent: ConsentStore, faces: FaceRuntime, policy: IdentityPolicy, policyHash: String = "",
                disputeSLA: TimeInterval = 48 * 3600) throws {
        self.store = store
        self.consent = consent
        self.faces = faces
        self.policy = policy
        self.policyHash = policyHash
        self.ownerKeys = store.ownerKeyStore()
        self.videoLiveness = VideoLivenessVerifier(faces: faces, policy: policy)
        self.disputes = store.disputeStore()
        self.disputeSLA = disputeSLA
        try faces.loadGallery(store.allDescriptors())
    }

    /// Reloads the gallery from the store (another node enrolled or erased a likeness).
    public func reloadGallery() throws { try faces.loadGallery(store.allDescriptors()) }

    /// Issues a challenge for `subject` (which must exist and not be erased); returns it with the nonce.
    public func challenge(subject: SubjectID, now: Date = Date()) throws -> (LivenessChallenge, nonce: String) {
        var random = SystemRandomNumberGenerator()
        return try challenge(subject: subject, now: now, using: &random)
    }

    /// Issues a challenge drawn from `random`: tests pass a seeded generator to ask for what a
    /// recorded clip does. The nonce always comes from the system's secure generator.
    public func challenge<R: RandomNumberGenerator>(subject: SubjectID, now: Date = Date(), using random: inout R) throws -> (LivenessChallenge, nonce: String) {
        // An erased subject may enrol again, afresh; the erasure stays on record.
        guard try consent.subject(subject) != nil else { throw IdentityError("unknown_subject", "no subject \(subject)", kind: .notFound) }
        let v = policy.video
        let asked = LivenessChallenge.draw(poseCount: Int.random(in: policy.posesMin...policy.posesMax, using: &random),
                                           blinkRange: v.blinksMin...v.blinksMax, digitRange: v.digitsMin...v.digitsMax, using: &random)
        let (c, nonce) = LivenessChallenge.issue(subject: subject, poses: asked.poses, blinks: asked.blinks, digits: asked.digits,
                                                 ttl: policy.challengeTTL, now: now)
        try store.saveChallenge(ChallengeRow(id: c.id, subject: subject, poses: c.poses.map(\.rawValue), blinks: c.blinks, digits: c.digits,
                                             nonceHash: c.nonceHash, issuedAt: c.issuedAt, expiresAt: c.expiresAt))
        return (c, nonce)
    }

    /// Consumes challenge `id` of `subject` (single use, whatever the outcome) and checks its
    /// nonce and expiry.
    func consume(_ id: ChallengeID, subject: SubjectID, nonce: String, now: Date) throws -> LivenessChallenge {
        let row = try store.consumeChallenge(id, subject: subject, now: now)
        let challenge = LivenessChallenge(id: row.id, subject: row.subject, poses: row.poses.compactMap(HeadTurn.init(rawValue:)),
                                          blinks: row.blinks, digits: row.digits, issuedAt: row.issuedAt, expiresAt: row.expiresAt, nonceHash: row.nonceHash)
        guard challenge.matches(nonce: nonce) else {
            throw IdentityError("nonce_mismatch", "the nonce does not belong to this challenge", kind: .forbidden)
        }
        if now >= challenge.expiresAt { throw IdentityError("challenge_expired", "the challenge expired; request a new one", kind: .conflict) }
        return challenge
    }

    func requireMethod(_ method: EnrollmentMethod) throws {
        guard policy.allows(method) else {
            let hint = method == .attestation ? "no identity vendor is configured" : "a photo or a slideshow of photos can pass it"
            throw IdentityError("enrollment_method_disabled", "enrollment by \(method.rawValue) is off on this node (\(hint)); accepted: \(policy.methods.map(\.rawValue).joined(separator: ", "))", kind: .forbidden)
        }
    }

    /// Checks a response made of still frames and enrolls the likeness on success. Refused
    /// unless the policy lists `stills` (development only); the entry then says `method: stills`.
    public func verify(subject: SubjectID, challenge id: ChallengeID, nonce: String, frames: [RGBImage], ownerKey: [UInt8]? = nil,
                       actor: String, now: Date = Date()) async throws -> VerificationResult {
        try requireMethod(.stills)
        return try await verifyFrames(subject: subject, challenge: id, nonce: nonce, frames: frames, method: .stills, ownerKey: ownerKey, actor: actor, now: now)
    }

    func verifyFrames(subject: SubjectID, challenge id: ChallengeID, nonce: String, frames: [RGBImage], method: EnrollmentMethod,
                      ownerKey: [UInt8]?, actor: String, now: Date) async throws -> VerificationResult {
        let challenge = try consume(id, subject: subject, nonce: nonce, now: now)
        guard (policy.framesMin...policy.framesMax).contains(frames.count) else {
            throw IdentityError("liveness_frame_count", "send \(policy.framesMin)-\(policy.framesMax) frames, got \(frames.count)")
        }
        let faces = self.faces
        let detected = try await BackgroundWork.run { try faces.analyze(frames) }
        let evidence = zip(frames, detected).map { FrameEvidence(faces: $1, thumbnail: FrameEvidence.thumbnail(of: $0)) }
        let rules = LivenessRules(classifier: HeadTurnClassifier(turnThreshold: policy.turnDegrees, centreThreshold: policy.centreDegrees),
                                  samePersonThreshold: faces.matching.threshold, staticFrameDifference: policy.staticFrameDifference,
                                  framesRange: policy.framesMin...policy.framesMax)
        switch LivenessVerifier.verify(challenge, frames: evidence, rules: rules, now: now) {
        case .failed(let e):
            throw e
        case .passed(let mean, let frontal, let poses):
            let facts: [String: JSONValue] = ["method": .string(method.rawValue), "frames": .int(Int64(frames.count)),
                                              "checks": ["one_face_per_frame", "no_identical_frames", "same_person", "pose_order"]]
            let (commitment, index, dispute) = try await enroll(subject, mean, face: evidence[frontal].faces[0], in: frames[frontal], challenge: id,
                                                       facts: facts, ownerKey: ownerKey, actor: actor, now: now)
            return VerificationResult(subject: subject, status: dispute == nil ? "verified" : "disputed", disputeID: dispute, descriptorCommitment: commitment, ledgerIndex: index,
                                      poses: poses.map { $0?.rawValue ?? "unclear" }, method: method.rawValue, ownerKeyID: ownerKey.map(OwnerKeyStore.keyID))
        }
    }

    /// Checks one continuous recorded answer with the embedded verifier (see
    /// ``VideoLivenessChecks``) and enrolls the likeness when every check passes. Refused unless
    /// the policy lists `video`. Limits are applied from the headers before decoding; the
    /// challenge is consumed only once the answer is admitted, so a file that is refused
    /// unread can be sent again, fixed, within the challenge's life.
    public func verify(subject: SubjectID, challenge id: ChallengeID, nonce: String, video: URL, ownerKey: [UInt8]? = nil,
                       actor: String, now: Date = Date()) async throws -> VerificationResult {
        try requireMethod(.video)
        let liveness = videoLiveness
        _ = try await BackgroundWork.run { try liveness.admit(video) }
        let challenge = try consume(id, subject: subject, nonce: nonce, now: now)
        // Decoding, dlib and pocketsphinx take seconds: off the cooperative pool.
        let (report, measured) = try await BackgroundWork.run { try liveness.assess(video, challenge: challenge) }
        if let failed = report.firstFailure { throw IdentityError(failed.code, failed.detail) }
        guard let mean = measured.meanDescriptor, let frontal = measured.frontal else {
            throw IdentityError("liveness_face_count", "no face could be measured in the answer")
        }
        let checks = JSONValue.array(report.checks.map { .string($0.name) })
        let facts: [String: JSONValue] = ["method": "video", "checks": checks, "frames": .int(Int64(measured.frames.count)),
                                          "evidence_sha256": .string(SHA256.hex(try CanonicalJSON.encode(report.evidence)))]
        let (commitment, index, dispute) = try await enroll(subject, mean, face: frontal.face, in: frontal.image, challenge: id, facts: facts,
                                                   measurements: report.evidence, ownerKey: ownerKey, actor: actor, now: now)
        return VerificationResult(subject: subject, status: dispute == nil ? "verified" : "disputed", disputeID: dispute, descriptorCommitment: commitment, ledgerIndex: index,
                                  poses: challenge.poses.map(\.rawValue), method: "video", ownerKeyID: ownerKey.map(OwnerKeyStore.keyID))
    }

    /// Enrolls by an identity vendor's attestation: a JWS from a trusted issuer that names the
    /// subject, this challenge's nonce, a `pass` verdict and the SHA-256 of `selfie`, whose one
    /// face becomes the enrolled descriptor. Checked in order: challenge, signature and claims,
    /// selfie hash, then exactly one face.
    public func verify(subject: SubjectID, challenge id: ChallengeID, nonce: String, attestation: String, selfie: [UInt8],
                       ownerKey: [UInt8]? = nil, actor: String, now: Date = Date()) async throws -> VerificationResult {
        try requireMethod(.attestation)
        _ = try consume(id, subject: subject, nonce: nonce, now: now)
        let verified = try await attestationVerifier().verify(attestation, subject: subject, nonce: nonce, selfie: selfie, now: now)
        let faces = self.faces
        let (image, found) = try await BackgroundWork.run { () -> (RGBImage, [DetectedFace]) in
            let image = try ImageDecoder().decode(Data(selfie))
            return (image, try faces.analyze([image])[0])
        }
        guard found.count == 1 else {
            throw IdentityError("liveness_face_count", "the selfie shows \(found.count) faces; it must show exactly one")
        }
        let facts: [String: JSONValue] = ["method": "attestation", "issuer": .string(verified.issuer), "alg": .string(verified.algorithm),
                                          "attestation_sha256": .string(verified.tokenSHA256), "selfie_sha256": .string(verified.selfieSHA256),
                                          "checks": ["signature", "issuer", "lifetime", "subject", "nonce", "verdict", "selfie_hash", "one_face"]]
        let (commitment, index, dispute) = try await enroll(subject, found[0].descriptor, face: found[0], in: image, challenge: id,
                                                   facts: facts, ownerKey: ownerKey, actor: actor, now: now)
        return VerificationResult(subject: subject, status: dispute == nil ? "verified" : "disputed", disputeID: dispute, descriptorCommitment: commitment, ledgerIndex: index,
                                  poses: [], method: "attestation", ownerKeyID: ownerKey.map(OwnerKeyStore.keyID))
    }

    func attestationVerifier() async throws -> VendorAttestationVerifier {
        if let v = attestations.withLock({ $0 }) { return v }
        let made = try await VendorAttestationVerifier(policy: policy)
        attestations.withLock { $0 = made }
        return made
    }

    /// The impersonation guard, then encrypted enrollment with `facts` and the policy hash in the entry.
    func enroll(_ subject: SubjectID, _ descriptor: FaceDescriptor, face: DetectedFace, in image: RGBImage, challenge: ChallengeID,
                facts: [String: JSONValue], measurements: JSONValue? = nil, ownerKey: [UInt8]?, actor: String, now: Date) async throws -> (String, UInt64, String?) {
        // A face already enrolled for someone else opens a dispute instead of being refused or
        // taken over: both likenesses are held (`disputed`) until a senior moderator decides.
        var dispute: DisputeOpening?
        if let other = faces.nearest(to: descriptor, k: 2).first(where: { $0.id != subject.rawValue && $0.distance < policy.impersonationThreshold }) {
            let earlier = try SubjectID(other.id)
            dispute = DisputeOpening(earlier: earlier, distance: other.distance, threshold: policy.impersonationThreshold,
                                     protected: try disputes.protection(earlier) != nil, slaDeadline: now.addingTimeInterval(disputeSLA))
        }
        let chip = try faces.chip(of: face, in: image)
        var evidence = facts
        evidence["policy_sha256"] = .string(policyHash)
        let (commitment, index) = try await store.enroll(subject: subject, descriptor: descriptor.values, chip: chip.pixels,
                                                         chipWidth: chip.width, chipHeight: chip.height, challenge: challenge,
                                                         evidence: evidence, measurements: measurements, ownerKey: ownerKey,
                                                         dispute: dispute, actor: actor, now: now)
        try faces.enroll(subject, descriptor)
        return (commitment, index, dispute?.id)
    }

    /// Erases `subject`'s likeness (crypto-shredding) and drops it from the gallery.
    public func erase(subject: SubjectID, authorization: ConsentAuthorization, actor: String, now: Date = Date()) async throws -> UInt64 {
        let index = try await store.erase(subject: subject, authorization: authorization, actor: actor, now: now)
        ownerKeys.forget(subject: subject)
        faces.remove(subject)
        return index
    }

    /// The decrypted 150×150 reference chip of a verified subject (for the embedded generator).
    public func referenceChip(_ subject: SubjectID) throws -> (pixels: [UInt8], width: Int, height: Int) { try store.chip(subject) }

    /// The likeness record, if any.
    public func record(_ subject: SubjectID) throws -> LikenessRecord? { try store.record(subject) }
}
