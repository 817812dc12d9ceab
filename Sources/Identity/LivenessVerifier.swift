import CameoCore
import FaceMatch
import Foundation

/// What was seen in one submitted frame (computed by the caller with the face engine).
public struct FrameEvidence: Sendable {
    /// Faces found (already filtered by minimum size).
    public let faces: [DetectedFace]
    /// 32×32 grey thumbnail of the whole frame, for replay detection.
    public let thumbnail: [UInt8]

    /// Creates evidence.
    public init(faces: [DetectedFace], thumbnail: [UInt8]) {
        self.faces = faces
        self.thumbnail = thumbnail
    }

    /// A 32×32 grey thumbnail (box-averaged) of `image`.
    public static func thumbnail(of image: RGBImage) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32 * 32)
        for ty in 0..<32 {
            for tx in 0..<32 {
                let x0 = tx * image.width / 32, x1 = max(x0 + 1, (tx + 1) * image.width / 32)
                let y0 = ty * image.height / 32, y1 = max(y0 + 1, (ty + 1) * image.height / 32)
                var sum = 0, n = 0
                for y in y0..<min(y1, image.height) {
                    for x in x0..<min(x1, image.width) {
                        let i = (y * image.width + x) * 3
                        sum += (299 * Int(image.pixels[i]) + 587 * Int(image.pixels[i + 1]) + 114 * Int(image.pixels[i + 2])) / 1000
                        n += 1
                    }
                }
                out[ty * 32 + tx] = UInt8(sum / max(n, 1))
            }
        }
        return out
    }
}

/// The rules a liveness response must pass, from policy.
public struct LivenessRules: Sendable {
    public let classifier: HeadTurnClassifier
    public let samePersonThreshold: Float
    public let staticFrameDifference: Double
    public let framesRange: ClosedRange<Int>

    /// Creates rules.
    public init(classifier: HeadTurnClassifier, samePersonThreshold: Float, staticFrameDifference: Double, framesRange: ClosedRange<Int>) {
        self.classifier = classifier
        self.samePersonThreshold = samePersonThreshold
        self.staticFrameDifference = staticFrameDifference
        self.framesRange = framesRange
    }
}

/// The outcome of checking a liveness response: the enrolled descriptor on success, or the
/// first rule that failed (each with its own stable code).
public enum LivenessOutcome: Sendable {
    /// Passed: the mean descriptor of all frames and the index of the most frontal frame.
    case passed(mean: FaceDescriptor, frontalFrame: Int, poses: [HeadTurn?])
    /// Failed with a coded reason.
    case failed(IdentityError)
}

/// Checks a liveness response against its challenge. Pure: the caller supplies `now` and the
/// frame evidence, and handles nonces and storage.
public enum LivenessVerifier {
    /// Applies, in order: expiry, frame count, exactly one face per frame, replay (identical
    /// consecutive pictures), same person across frames, and the pose sequence.
    public static func verify(_ challenge: LivenessChallenge, frames: [FrameEvidence], rules: LivenessRules, now: Date) -> LivenessOutcome {
        func fail(_ code: String, _ message: String, _ kind: ErrorKind = .invalidInput) -> LivenessOutcome {
            .failed(IdentityError(code, message, kind: kind))
        }
        if now >= challenge.expiresAt { return fail("challenge_expired", "the challenge expired at \(challenge.expiresAt); request a new one", .conflict) }
        guard rules.framesRange.contains(frames.count) else {
            return fail("liveness_frame_count", "send \(rules.framesRange.lowerBound)-\(rules.framesRange.upperBound) frames, got \(frames.count)")
        }
        for (i, f) in frames.enumerated() where f.faces.count != 1 {
            return fail("liveness_face_count", "frame \(i) shows \(f.faces.count) faces; every frame must show exactly one")
        }
        for i in 1..<frames.count where meanAbsoluteDifference(frames[i - 1].thumbnail, frames[i].thumbnail) < rules.staticFrameDifference {
            return fail("liveness_replay", "frames \(i - 1) and \(i) are the same picture: a still image is not a live response")
        }
        let descriptors = frames.map { $0.faces[0].descriptor }
        let mean = FaceDescriptor.mean(descriptors)
        for (i, d) in descriptors.enumerated() where d.distance(to: mean) > rules.samePersonThreshold || d.distance(to: descriptors[0]) > rules.samePersonThreshold {
            return fail("liveness_identity_mismatch", "frame \(i) shows a different person than frame 0")
        }
        let turns = frames.map { rules.classifier.classify(HeadPose(landmarks: $0.faces[0].landmarks)) }
        var seen: [HeadTurn] = []
        for t in turns.compactMap({ $0 }) where t != seen.last { seen.append(t) }
        guard seen == challenge.poses else {
            return fail("liveness_pose_mismatch", "asked for \(challenge.poses.map(\.rawValue).joined(separator: ", ")), saw \(seen.map(\.rawValue).joined(separator: ", "))")
        }
        let yaws = frames.map { abs(HeadPose(landmarks: $0.faces[0].landmarks).yaw) }
        let frontal = yaws.indices.min { yaws[$0] < yaws[$1] } ?? 0
        return .passed(mean: mean, frontalFrame: frontal, poses: turns)
    }

    static func meanAbsoluteDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        var sum = 0
        for i in a.indices { sum += abs(Int(a[i]) - Int(b[i])) }
        return Double(sum) / Double(a.count)
    }
}

extension FaceDescriptor {
    /// The component-wise mean of `ds` (non-empty).
    public static func mean(_ ds: [FaceDescriptor]) -> FaceDescriptor {
        var acc = [Float](repeating: 0, count: FaceDescriptor.dimension)
        for d in ds { for i in acc.indices { acc[i] += d.values[i] } }
        return try! FaceDescriptor(acc.map { $0 / Float(ds.count) })  // 128 finite values
    }
}
