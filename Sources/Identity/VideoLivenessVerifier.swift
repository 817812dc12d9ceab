import CameoCore
import FaceMatch
import Foundation
import Policy
import Speech
import Synchronization

/// The embedded verifier of a recorded liveness answer: admits the file from its headers,
/// measures it (``VideoLivenessTracker``), listens for the digits and runs every check
/// (``VideoLivenessChecks``). It enrolls nothing: ``LikenessService`` does, on a pass, and
/// `cameo likeness analyze` and the attack tests use it directly.
public final class VideoLivenessVerifier: Sendable {
    let faces: FaceRuntime
    let policy: IdentityPolicy
    private let speech = Mutex<DigitRecognizer?>(nil)

    /// A verifier over the node's face runtime and identity policy.
    public init(faces: FaceRuntime, policy: IdentityPolicy) {
        self.faces = faces
        self.policy = policy
    }

    /// The rules the checks apply.
    public var rules: VideoLivenessRules {
        VideoLivenessRules(policy: policy.video,
                           classifier: HeadTurnClassifier(turnThreshold: policy.turnDegrees, centreThreshold: policy.centreDegrees),
                           samePersonThreshold: faces.matching.threshold)
    }

    func tracker() throws -> VideoLivenessTracker {
        VideoLivenessTracker(faces: faces, landmarker: try faces.denseLandmarker(), policy: policy.video)
    }

    /// Checks bytes, container, sound, seconds and pixels from the headers, decoding nothing.
    public func admit(_ video: URL) throws -> MediaInfo {
        try tracker().admit(video, video: try VideoFrames())
    }

    /// Measures `video` and runs every check against `challenge`.
    public func assess(_ video: URL, challenge: LivenessChallenge) throws -> (VideoLivenessReport, VideoLivenessTracker.Measured) {
        let measured = try tracker().measure(video)
        let heard = try VideoLivenessTracker.listen(measured.audio, frames: measured.frames, digitCount: max(challenge.digits.count, 1),
                                                    recognizer: try recognizer(), fps: policy.video.analysisFps)
        let report = VideoLivenessChecks.evaluate(measured.frames, challenge: challenge, spoken: heard.spoken, energy: heard.energy, rules: rules)
        return (report, measured)
    }

    /// The digit recogniser, loaded on first use.
    func recognizer() throws -> DigitRecognizer {
        if let r = speech.withLock({ $0 }) { return r }
        let made: DigitRecognizer
        do { made = try DigitRecognizer(modelDirectory: policy.video.speechModel) } catch let e as SpeechError {
            throw IdentityError("speech_model_missing", "\(e.message); run make setup (installs pocketsphinx-en-us)", kind: .unavailable)
        }
        speech.withLock { $0 = made }
        return made
    }
}
