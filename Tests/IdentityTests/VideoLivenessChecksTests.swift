import CameoCore
import FaceMatch
import Foundation
@testable import Identity
import Policy
import Testing
import TestSupport

/// The checks of the embedded video verifier on tracks built point by point, so each rule is
/// shown to pass and to fail on its own.
@Suite struct VideoLivenessChecksTests {
    static let policy = try! RepositoryPaths.loadPolicies().identity
    static var rules: VideoLivenessRules {
        VideoLivenessRules(policy: policy.video, classifier: HeadTurnClassifier(turnThreshold: policy.turnDegrees, centreThreshold: policy.centreDegrees),
                           samePersonThreshold: 0.6)
    }

    /// A face-like set of 68 points in 3-D (x right, y down, z toward the camera), in units
    /// of about the interocular distance: a jaw arc behind the face plane, a protruding nose.
    static let head: [(x: Double, y: Double, z: Double)] = {
        var p: [(Double, Double, Double)] = []
        for i in 0..<17 { let a = Double.pi * (0.1 + 0.8 * Double(i) / 16); p.append((-cos(a) * 0.75, 0.1 + sin(a) * 0.9, -0.45 + sin(a) * 0.25)) }
        for i in 0..<10 { p.append((-0.6 + Double(i) * 0.133, -0.35 - 0.05 * sin(Double(i % 5) / 4 * .pi), 0.05)) }
        for i in 0..<4 { p.append((0, -0.2 + Double(i) * 0.13, 0.08 + Double(i) * 0.09)) }
        for i in 0..<5 { p.append((-0.16 + Double(i) * 0.08, 0.28, 0.22 - abs(Double(i) - 2) * 0.04)) }
        for side in [-1.0, 1.0] {
            for i in 0..<6 { let a = Double(i) / 6 * 2 * .pi; p.append((side * 0.3 - cos(a) * 0.13 * side, -0.15 + sin(a) * 0.04, 0)) }
        }
        for i in 0..<20 { let a = Double(i) / 20 * 2 * .pi; p.append((cos(a) * 0.25, 0.5 + sin(a) * 0.08, 0.05)) }
        return p
    }()

    /// The head turned by `yaw` degrees, seen by a pinhole camera at distance 6 with focal 400.
    static func view(yaw: Double, flat: Bool = false, mouth: Double = 0, eyesClosed: Bool = false) -> FaceShape68 {
        let a = yaw * .pi / 180
        let pts = head.enumerated().map { i, q -> (Double, Double) in
            var q = q
            if flat { q.z = 0 }
            if i >= 60 { q.y += (i >= 64 ? 1 : -1) * mouth / 2 }  // inner lips open
            if eyesClosed, (36...47).contains(i) { q.y = -0.15 }
            let x = q.x * cos(a) + q.z * sin(a), z = -q.x * sin(a) + q.z * cos(a)
            let depth = 6 - z
            return (320 + 400 * x / depth, 240 + 400 * q.y / depth)
        }
        return FaceShape68(points: pts)
    }

    static func frame(_ t: Double, yaw: Double, flat: Bool = false, mouth: Double = 0, eyesClosed: Bool = false, box: FaceBox? = nil,
                      faces: Int = 1, thumbnail: UInt8 = 100, descriptor: FaceDescriptor? = nil) -> TrackedFrame {
        TrackedFrame(time: t, thumbnail: [UInt8](repeating: thumbnail, count: 1024), faceCount: faces,
                     box: faces == 0 ? nil : (box ?? FaceBox(left: 220, top: 140, right: 420, bottom: 340)),
                     yaw: faces == 0 ? nil : yaw, shape: faces == 0 ? nil : view(yaw: yaw, flat: flat, mouth: mouth, eyesClosed: eyesClosed),
                     descriptor: descriptor)
    }

    static let challenge = LivenessChallenge(id: .random(), subject: try! SubjectID("sub_a"), poses: [.centre, .left, .centre, .right],
                                             blinks: 2, digits: "3719", issuedAt: Date(), expiresAt: Date().addingTimeInterval(60), nonceHash: "")

    /// A genuine-looking track: centre → left (+25°) → centre → right (−25°), two blinks,
    /// the mouth opening with the speech energy.
    static func genuine(flat: Bool = false, blinking: Bool = true) -> (frames: [TrackedFrame], energy: [Double]) {
        var frames: [TrackedFrame] = [], energy: [Double] = []
        let d = try! FaceDescriptor([Float](repeating: 0.05, count: 128))
        for i in 0..<120 {
            let t = Double(i) / 15
            let phase = t / 8 * 4  // 0...4 over 8 s
            let yaw: Double = phase < 1 ? 0 : phase < 2 ? 25 * sin((phase - 1) * .pi) : phase < 3 ? 0 : -25 * sin((phase - 3) * .pi)
            let speaking = t > 2 && t < 6
            let closed = blinking && [30, 31, 80].contains(i)
            frames.append(frame(t, yaw: yaw, flat: flat, mouth: speaking && sin(t * 9) > 0 ? 0.12 : 0, eyesClosed: closed, descriptor: i % 5 == 0 ? d : nil))
            energy.append(speaking ? 2000 : 50)
        }
        return (frames, energy)
    }

    @Test func aGenuineTrackPassesEveryCheck() {
        let g = Self.genuine()
        let report = VideoLivenessChecks.evaluate(g.frames, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
        #expect(report.passed, "\(report.checks.filter { !$0.passed }.map { "\($0.name) \($0.value)" })")
        #expect(report.checks.count == 10)
    }

    @Test func aFlatPictureTurnedLikeAHeadFailsTheDepthCheckOnly() {
        let g = Self.genuine(flat: true)
        let report = VideoLivenessChecks.evaluate(g.frames, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
        #expect(report.firstFailure?.code == "liveness_flat_surface")
        #expect(report.checks.filter { !$0.passed }.map(\.name) == ["depth.non_planar"])
    }

    @Test func homographyExplainsAPlaneExactlyAndAHeadNot() throws {
        let idx = FaceShape68.rigidIndices
        let front = Self.view(yaw: 0), flatFront = Self.view(yaw: 0, flat: true)
        for yaw in [-30.0, -15, 15, 30] {
            let plane = try #require(PlanarMotion.residual(from: idx.map { flatFront.points[$0] }, to: idx.map { Self.view(yaw: yaw, flat: true).points[$0] }, scale: flatFront.interocular))
            let head = try #require(PlanarMotion.residual(from: idx.map { front.points[$0] }, to: idx.map { Self.view(yaw: yaw).points[$0] }, scale: front.interocular))
            #expect(plane < 1e-6)
            #expect(head > Self.policy.video.planarResidualMin)
        }
        #expect(PlanarMotion.residual(from: [(0, 0), (1, 0), (0, 1), (1, 1)], to: [(0, 0), (1, 0), (0, 1), (1, 1)], scale: 1) == nil)
    }

    @Test func continuityCatchesBackwardTimeGapsCutsAndJumps() {
        let g = Self.genuine()
        func code(_ frames: [TrackedFrame]) -> [String] {
            VideoLivenessChecks.evaluate(frames, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
                .checks.filter { !$0.passed }.map(\.name)
        }
        var backward = g.frames
        backward.swapAt(10, 11)
        #expect(code(backward).contains("continuity.timestamps"))
        let gap = g.frames.map { Self.frame($0.time > 4 ? $0.time + 1 : $0.time, yaw: $0.yaw ?? 0) }
        #expect(code(gap).contains("continuity.timestamps"))
        var cut = g.frames
        cut[60] = Self.frame(cut[60].time, yaw: cut[60].yaw!, thumbnail: 160)
        #expect(code(cut).contains("continuity.cuts"))
        var jump = g.frames
        jump[60] = Self.frame(jump[60].time, yaw: jump[60].yaw!, box: FaceBox(left: 320, top: 140, right: 520, bottom: 340))
        #expect(code(jump) == ["continuity.face_track"])
    }

    @Test func facesMustBeOneAndTheSamePerson() throws {
        let g = Self.genuine()
        var two = g.frames
        two[40] = Self.frame(two[40].time, yaw: two[40].yaw!, faces: 2)
        let r1 = VideoLivenessChecks.evaluate(two, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
        #expect(r1.checks.filter { !$0.passed }.map(\.code) == ["liveness_face_count"])
        // A second person for the last third of the video (a splice) fails…
        let someoneElse = try FaceDescriptor([Float](repeating: 0.2, count: 128))
        let spliced = g.frames.map { f in f.descriptor == nil || f.time < 5.4 ? f : Self.frame(f.time, yaw: f.yaw!, descriptor: someoneElse) }
        let r2 = VideoLivenessChecks.evaluate(spliced, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
        #expect(r2.checks.filter { !$0.passed }.map(\.code) == ["liveness_identity_mismatch"])
        // …one odd sample (a hand over the face, motion blur) does not.
        var once = g.frames
        once[100] = Self.frame(once[100].time, yaw: once[100].yaw!, descriptor: someoneElse)
        #expect(VideoLivenessChecks.evaluate(once, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules).passed)
        let empty = g.frames.enumerated().map { i, f in i % 3 == 0 ? f : Self.frame(f.time, yaw: 0, faces: 0) }
        let r3 = VideoLivenessChecks.evaluate(empty, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
        #expect(r3.check("face.count")?.passed == false)
    }

    @Test func posesBlinksDigitsAndLipSyncEachFailOnTheirOwn() {
        let g = Self.genuine()
        let wrongOrder = LivenessChallenge(id: .random(), subject: Self.challenge.subject, poses: [.centre, .right, .centre, .left], blinks: 2, digits: "3719",
                                           issuedAt: Date(), expiresAt: Date(), nonceHash: "")
        #expect(VideoLivenessChecks.evaluate(g.frames, challenge: wrongOrder, spoken: "3719", energy: g.energy, rules: Self.rules)
            .checks.filter { !$0.passed }.map(\.code) == ["liveness_pose_mismatch"])
        let noBlinks = Self.genuine(blinking: false).frames
        #expect(VideoLivenessChecks.evaluate(noBlinks, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
            .checks.filter { !$0.passed }.map(\.code) == ["liveness_blink_mismatch"])
        #expect(VideoLivenessChecks.evaluate(g.frames, challenge: Self.challenge, spoken: "3791", energy: g.energy, rules: Self.rules)
            .checks.filter { !$0.passed }.map(\.code) == ["liveness_digits_mismatch"])
        // A still mouth under a voice-over.
        let still = g.frames.map { Self.frame($0.time, yaw: $0.yaw!, eyesClosed: $0.shape!.eyeAspectRatio < 0.1, descriptor: $0.descriptor) }
        #expect(VideoLivenessChecks.evaluate(still, challenge: Self.challenge, spoken: "3719", energy: g.energy, rules: Self.rules)
            .checks.filter { !$0.passed }.map(\.code) == ["liveness_lip_sync"])
    }

    @Test func blinkCountingNeedsTheEyeToReopen() {
        func series(_ v: [Double], step: Double = 1.0 / 15) -> [(time: Double, value: Double)] { v.enumerated().map { (Double($0.offset) * step, $0.element) } }
        #expect(VideoLivenessChecks.countBlinks(series([0.3, 0.3, 0.1, 0.3, 0.3, 0.1, 0.1, 0.3]), closedRatio: 0.75, maxSeconds: 0.6) == 2)
        #expect(VideoLivenessChecks.countBlinks(series([0.3, 0.3, 0.3, 0.1, 0.1]), closedRatio: 0.75, maxSeconds: 0.6) == 0)
        #expect(VideoLivenessChecks.countBlinks(series([0.3, 0.29, 0.31, 0.3]), closedRatio: 0.75, maxSeconds: 0.6) == 0)
        // A picture with narrower eyes for two seconds (a slideshow) is not a blink.
        #expect(VideoLivenessChecks.countBlinks(series([0.3, 0.3, 0.1, 0.1, 0.1, 0.3, 0.3], step: 0.5), closedRatio: 0.75, maxSeconds: 0.6) == 0)
    }

    @Test func seededChallengesAreReproducibleAndWellFormed() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        for _ in 0..<200 {
            let x = LivenessChallenge.draw(poseCount: 4, blinkRange: 1...3, digitRange: 4...6, using: &a)
            let y = LivenessChallenge.draw(poseCount: 4, blinkRange: 1...3, digitRange: 4...6, using: &b)
            #expect(x.poses == y.poses && x.blinks == y.blinks && x.digits == y.digits)
            #expect(x.poses.count == 4 && Set(x.poses).count >= 2 && zip(x.poses, x.poses.dropFirst()).allSatisfy { $0 != $1 })
            #expect((1...3).contains(x.blinks) && (4...6).contains(x.digits.count) && x.digits.allSatisfy(\.isNumber))
        }
    }
}
