import CameoCore
import FaceMatch
import Foundation
import Policy

/// What the analyser saw in one decoded frame of a liveness answer. No pixels are kept.
public struct TrackedFrame: Sendable {
    /// Presentation time, seconds.
    public let time: Double
    /// 32×32 grey thumbnail of the whole frame (cut detection).
    public let thumbnail: [UInt8]
    /// Faces detected (of at least the minimum size).
    public let faceCount: Int
    /// The largest face's box, 5-point yaw and 68 landmarks.
    public let box: FaceBox?
    public let yaw: Double?
    public let shape: FaceShape68?
    /// Its descriptor, on every n-th frame with a face.
    public let descriptor: FaceDescriptor?

    /// Creates a record.
    public init(time: Double, thumbnail: [UInt8], faceCount: Int, box: FaceBox?, yaw: Double?, shape: FaceShape68?, descriptor: FaceDescriptor?) {
        self.time = time; self.thumbnail = thumbnail; self.faceCount = faceCount
        self.box = box; self.yaw = yaw; self.shape = shape; self.descriptor = descriptor
    }
}

/// One check of a video answer: what was measured, against what, and the stable error code it
/// fails with.
public struct LivenessCheck: Sendable, Equatable {
    /// Check name as it appears in evidence (`continuity.cuts`, `depth.non_planar`, …).
    public let name: String
    /// Error code when it fails.
    public let code: String
    public let passed: Bool
    /// The measured value and the rule it was held to.
    public let value: JSONValue
    public let threshold: JSONValue
    /// One line for an error message.
    public let detail: String

    var json: JSONValue {
        ["name": .string(name), "passed": .bool(passed), "value": value, "threshold": threshold]
    }
}

/// Every check of one answer, in order; the answer passes when all pass.
public struct VideoLivenessReport: Sendable {
    public let checks: [LivenessCheck]

    /// Whether every check passed.
    public var passed: Bool { checks.allSatisfy(\.passed) }
    /// The first check that failed.
    public var firstFailure: LivenessCheck? { checks.first { !$0.passed } }
    /// The check named `name`.
    public func check(_ name: String) -> LivenessCheck? { checks.first { $0.name == name } }
    /// Measured values and thresholds of every check (kept with the enrollment).
    public var evidence: JSONValue { .array(checks.map(\.json)) }
}

/// The rules of ``VideoLivenessChecks``: the video policy plus the matcher's and the pose
/// classifier's thresholds.
public struct VideoLivenessRules: Sendable {
    public let policy: VideoLivenessPolicy
    public let classifier: HeadTurnClassifier
    public let samePersonThreshold: Float

    /// Creates rules.
    public init(policy: VideoLivenessPolicy, classifier: HeadTurnClassifier, samePersonThreshold: Float) {
        self.policy = policy; self.classifier = classifier; self.samePersonThreshold = samePersonThreshold
    }
}

/// The checks of one continuous video answer, over what was tracked in its frames and heard in
/// its sound. Pure: decoding, face analysis and speech recognition happen before.
public enum VideoLivenessChecks {
    /// Runs every check (none stops the others, so the evidence is complete).
    /// - Parameters:
    ///   - spoken: the digits the recogniser heard (grammar of exactly the asked length).
    ///   - energy: speech energy (RMS) at each frame's time.
    public static func evaluate(_ frames: [TrackedFrame], challenge: LivenessChallenge, spoken: String, energy: [Double],
                                rules: VideoLivenessRules) -> VideoLivenessReport {
        let p = rules.policy
        var checks: [LivenessCheck] = []
        func add(_ name: String, _ code: String, _ passed: Bool, _ value: JSONValue, _ threshold: JSONValue, _ detail: String) {
            checks.append(LivenessCheck(name: name, code: code, passed: passed, value: value, threshold: threshold, detail: detail))
        }
        let withFace = frames.filter { $0.faceCount == 1 && $0.shape != nil }

        // Continuity: time only moves forward, without holes; no cut; the face box glides.
        let deltas = zip(frames.dropFirst(), frames).map { $0.time - $1.time }
        let minDelta = deltas.min() ?? 0, maxDelta = deltas.max() ?? 0
        add("continuity.timestamps", "liveness_discontinuous", frames.count >= 2 && minDelta > 0 && maxDelta <= p.maxFrameGap,
            ["min_step": .double(round4(minDelta)), "max_step": .double(round4(maxDelta))], ["max_frame_gap": .double(p.maxFrameGap)],
            "frame times must increase with no gap over \(p.maxFrameGap) s (saw steps \(round4(minDelta))-\(round4(maxDelta)) s)")
        let cuts = zip(frames.dropFirst(), frames).map { LivenessVerifier.meanAbsoluteDifference($0.thumbnail, $1.thumbnail) }
        let maxCut = cuts.max() ?? 0
        add("continuity.cuts", "liveness_discontinuous", maxCut <= p.cutDifference,
            .double(round4(maxCut)), .double(p.cutDifference),
            "the picture jumps between frames (difference \(round4(maxCut)) > \(p.cutDifference)): a cut or a splice")
        var maxJump = 0.0
        for (a, b) in zip(frames, frames.dropFirst()) {
            guard let ba = a.box, let bb = b.box else { continue }
            let w = Double(max(ba.width, 1))
            let dx = Double(bb.left + bb.right - ba.left - ba.right) / 2, dy = Double(bb.top + bb.bottom - ba.top - ba.bottom) / 2
            let size = max(Double(bb.width) / w, w / Double(max(bb.width, 1))) - 1
            maxJump = max(maxJump, (dx * dx + dy * dy).squareRoot() / w, size)
        }
        add("continuity.face_track", "liveness_discontinuous", maxJump <= p.maxBoxJump, .double(round4(maxJump)), .double(p.maxBoxJump),
            "the face box jumps \(round4(maxJump)) box widths between frames (at most \(p.maxBoxJump))")

        // Exactly one face throughout, and the same person.
        let most = frames.map(\.faceCount).max() ?? 0
        let missing = frames.isEmpty ? 1 : Double(frames.filter { $0.faceCount == 0 }.count) / Double(frames.count)
        add("face.count", "liveness_face_count", most <= 1 && missing <= p.maxMissingFaceFraction && !withFace.isEmpty,
            ["most_faces": .int(Int64(most)), "missing_fraction": .double(round4(missing))],
            ["most_faces": 1, "max_missing_fraction": .double(p.maxMissingFaceFraction)],
            most > 1 ? "a frame shows \(most) faces; exactly one person must be in the video" : "no face in \(Int(missing * 100))% of the frames")
        let identity = sameness(frames.compactMap(\.descriptor), threshold: rules.samePersonThreshold)
        add("face.same_person", "liveness_identity_mismatch", identity.share >= p.samePersonMinShare,
            ["share_within": .double(round4(identity.share)), "descriptors": .int(Int64(identity.count))],
            ["distance": .double(round4(Double(rules.samePersonThreshold))), "min_share": .double(p.samePersonMinShare)],
            "only \(Int(identity.share * 100))% of the sampled faces are the same person as the rest; one person must answer throughout")

        // The head follows the asked sequence.
        let seen = poseSequence(frames, classifier: rules.classifier, minFrames: p.minPoseFrames)
        add("pose.sequence", "liveness_pose_mismatch", follows(seen, challenge.poses), .array(seen.map { .string($0.rawValue) }),
            .array(challenge.poses.map { .string($0.rawValue) }),
            "asked for \(challenge.poses.map(\.rawValue).joined(separator: ", ")), saw \(seen.map(\.rawValue).joined(separator: ", "))")

        // 3-D: the turn is not one homography of the frontal view.
        let depth = nonPlanarity(withFace)
        add("depth.non_planar", "liveness_flat_surface", (depth ?? 0) >= p.planarResidualMin,
            depth.map { .double(round4($0)) } ?? .null, .double(p.planarResidualMin),
            "the face moves like a flat picture (homography residual \(depth.map { String(round4($0)) } ?? "n/a") < \(p.planarResidualMin) interocular)")

        // Blinks.
        let blinks = countBlinks(withFace.compactMap { f in f.shape.map { (f.time, $0.eyeAspectRatio) } }, closedRatio: p.blinkClosedRatio,
                                 maxSeconds: p.blinkMaxSeconds)
        add("eyes.blinks", "liveness_blink_mismatch",
            challenge.blinks == 0 || (challenge.blinks...(challenge.blinks + p.blinkExtraAllowed)).contains(blinks),
            .int(Int64(blinks)), ["asked": .int(Int64(challenge.blinks)), "extra_allowed": .int(Int64(p.blinkExtraAllowed))],
            "asked for \(challenge.blinks) blinks, saw \(blinks)")

        // The digits were spoken, by the mouth in the video.
        add("speech.digits", "liveness_digits_mismatch", !challenge.digits.isEmpty && spoken == challenge.digits,
            .string(spoken), .string(challenge.digits), "asked to read \(challenge.digits), heard \(spoken.isEmpty ? "nothing" : spoken)")
        let motion = mouthMotion(frames, energy: energy)
        add("speech.lip_sync", "liveness_lip_sync", motion.heard && motion.speaking >= p.lipMotionMin && motion.speaking > motion.silent,
            ["speech_heard": .bool(motion.heard), "speaking": .double(round4(motion.speaking)), "silent": .double(round4(motion.silent))],
            ["min_speaking": .double(p.lipMotionMin), "more_than_silent": true],
            "the mouth does not move with the speech (opening varies \(round4(motion.speaking)) while the voice speaks, \(round4(motion.silent)) while silent; needs ≥ \(p.lipMotionMin) and more than silent)")
        return VideoLivenessReport(checks: checks)
    }

    /// The sequence of held head turns: runs of at least `minFrames` frames with the same
    /// classification, consecutive repeats merged.
    static func poseSequence(_ frames: [TrackedFrame], classifier: HeadTurnClassifier, minFrames: Int) -> [HeadTurn] {
        var runs: [(HeadTurn, Int)] = []
        for f in frames {
            guard let yaw = f.yaw, let turn = classifier.classify(HeadPose(yaw: yaw, pitch: 0, roll: 0)) else { continue }
            if let last = runs.last, last.0 == turn { runs[runs.count - 1].1 += 1 } else { runs.append((turn, 1)) }
        }
        var seen: [HeadTurn] = []
        for (turn, n) in runs where n >= minFrames && turn != seen.last { seen.append(turn) }
        return seen
    }

    /// Whether the seen turns are the asked ones, in order. Facing the camera before the first
    /// asked turn and after the last one is what anyone does, so a leading or trailing centre
    /// the challenge did not ask for is allowed; nothing else is.
    static func follows(_ seen: [HeadTurn], _ asked: [HeadTurn]) -> Bool {
        var s = seen[...]
        if asked.first != .centre, s.first == .centre { s = s.dropFirst() }
        if asked.last != .centre, s.last == .centre { s = s.dropLast() }
        return Array(s) == asked
    }

    /// Largest RMS residual (interocular distances of the frontal view) of the homography from
    /// the most frontal view to the most turned view on either side; `nil` without both views.
    static func nonPlanarity(_ frames: [TrackedFrame]) -> Double? {
        let posed = frames.compactMap { f -> (Double, FaceShape68)? in f.yaw.flatMap { y in f.shape.map { (y, $0) } } }
        guard let frontal = posed.min(by: { abs($0.0) < abs($1.0) }), let left = posed.max(by: { $0.0 < $1.0 }),
              let right = posed.min(by: { $0.0 < $1.0 }) else { return nil }
        let idx = FaceShape68.rigidIndices
        let from = idx.map { frontal.1.points[$0] }
        var best: Double?
        for turned in [left, right] where abs(turned.0 - frontal.0) > 1 {
            let to = idx.map { turned.1.points[$0] }
            if let r = PlanarMotion.residual(from: from, to: to, scale: frontal.1.interocular) { best = max(best ?? 0, r) }
        }
        return best
    }

    /// How many of the sampled descriptors lie within `threshold` of their medoid (the one
    /// nearest to all others): one person gives nearly all, a splice of two about half.
    static func sameness(_ ds: [FaceDescriptor], threshold: Float) -> (share: Double, count: Int, inliers: [FaceDescriptor]) {
        guard !ds.isEmpty else { return (0, 0, []) }
        let medoid = ds.min { a, b in ds.reduce(0) { $0 + a.distance(to: $1) } < ds.reduce(0) { $0 + b.distance(to: $1) } }!
        let inliers = ds.filter { $0.distance(to: medoid) <= threshold }
        return (Double(inliers.count) / Double(ds.count), ds.count, inliers)
    }

    /// Blinks in an eye-aspect-ratio series of (time, EAR): dips below `closedRatio` × the
    /// median (the open eye) that open again above the midpoint between closed and open
    /// within `maxSeconds`. A longer closure, or a picture swapped for one with narrower
    /// eyes, is not a blink.
    static func countBlinks(_ ear: [(time: Double, value: Double)], closedRatio: Double, maxSeconds: Double) -> Int {
        guard ear.count >= 3 else { return 0 }
        let open = ear.map(\.value).sorted()[ear.count / 2]
        let closed = open * closedRatio, reopened = open * (1 + closedRatio) / 2
        var count = 0
        var closedSince: Double?
        for e in ear {
            if closedSince == nil, e.value < closed { closedSince = e.time }
            else if let since = closedSince, e.value > reopened {
                if e.time - since <= maxSeconds { count += 1 }
                closedSince = nil
            }
        }
        return count
    }

    /// How much the mouth opens and closes (standard deviation of ``FaceShape68/mouthOpening``)
    /// in frames where speech is heard (energy above a quarter of its peak) and in the others.
    /// A live reader's mouth moves while the digits are heard and more than in the pauses; a
    /// still, printed or slideshow face under a voice-over barely moves (landmark noise).
    /// Speech is heard only when the loudest frame is at least 4× the quiet floor (the 20th
    /// percentile) and there are pauses (≥ 4 quiet frames): steady noise or music is not speech.
    static func mouthMotion(_ frames: [TrackedFrame], energy: [Double]) -> (heard: Bool, speaking: Double, silent: Double) {
        guard energy.count == frames.count, let peak = energy.max(), peak > 0 else { return (false, 0, 0) }
        let floor = energy.sorted()[energy.count / 5]
        var speaking: [Double] = [], silent: [Double] = []
        for (f, e) in zip(frames, energy) {
            guard let m = f.shape?.mouthOpening else { continue }
            if e >= peak / 4 { speaking.append(m) } else { silent.append(m) }
        }
        func sd(_ x: [Double]) -> Double {
            guard x.count >= 2 else { return 0 }
            let mean = x.reduce(0, +) / Double(x.count)
            return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)).squareRoot()
        }
        return (peak >= 4 * floor && silent.count >= 4, sd(speaking), sd(silent))
    }

    static func round4(_ x: Double) -> Double { x.isFinite ? (x * 10_000).rounded() / 10_000 : -1 }
}
