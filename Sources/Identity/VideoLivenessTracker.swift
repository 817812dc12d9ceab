import CameoCore
import Dispatch
import FaceMatch
import Foundation
import Policy
import Speech

/// Decodes a recorded liveness answer and measures it: frames at the analysis rate, the
/// largest face's box, pose, 68 landmarks and (every n-th frame) descriptor, and the sound.
/// Limits come first, from the headers: bytes, container, sound, seconds and pixels.
public struct VideoLivenessTracker: Sendable {
    let faces: FaceRuntime
    let landmarker: DenseLandmarker
    let policy: VideoLivenessPolicy

    /// A tracker over the node's engines and a loaded 68-point model.
    public init(faces: FaceRuntime, landmarker: DenseLandmarker, policy: VideoLivenessPolicy) {
        self.faces = faces; self.landmarker = landmarker; self.policy = policy
    }

    /// What was measured, plus what enrollment needs: the mean descriptor and the most
    /// frontal face (with its frame, for the reference chip).
    public struct Measured: Sendable {
        public let info: MediaInfo
        public let frames: [TrackedFrame]
        public let audio: [Int16]
        public let frontal: (image: RGBImage, face: DetectedFace)?
        /// Mean of the sampled descriptors that agree with their medoid.
        public let meanDescriptor: FaceDescriptor?
    }

    /// Checks the answer's headers against the policy without decoding it.
    public func admit(_ url: URL, video: VideoFrames) throws -> MediaInfo {
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        guard bytes <= policy.maxBytes else {
            throw IdentityError("video_too_large", "the answer is \(bytes) bytes; at most \(policy.maxBytes)", kind: .tooLarge)
        }
        let info: MediaInfo
        do { info = try video.probeMedia(url) } catch let e as FaceMatchError {
            throw IdentityError("video_unreadable", "the answer is not a readable video: \(e.message)")
        }
        let tokens = Set(info.formatName.split(separator: ",").map(String.init))
        guard !tokens.isDisjoint(with: policy.containers) else {
            throw IdentityError("video_container", "container \(info.formatName) is not accepted; send \(policy.containers.joined(separator: ", "))")
        }
        guard info.audioCodec != nil else {
            throw IdentityError("liveness_no_audio", "the answer has no sound; the digits must be read aloud in the recording")
        }
        guard info.video.duration >= policy.minSeconds, info.video.duration <= policy.maxSeconds else {
            throw IdentityError("video_duration", "the answer lasts \(String(format: "%.1f", info.video.duration)) s; send \(policy.minSeconds)-\(policy.maxSeconds) s")
        }
        guard info.video.width * info.video.height <= policy.maxPixels else {
            throw IdentityError("video_pixels", "frames of \(info.video.width)×\(info.video.height) exceed \(policy.maxPixels) pixels", kind: .tooLarge)
        }
        if let declared = info.declaredFrames, Double(declared) > info.video.duration * 240 + 10 {
            throw IdentityError("video_frames", "the stream declares \(declared) frames for \(info.video.duration) s", kind: .tooLarge)
        }
        return info
    }

    /// Admits, decodes and measures `url`.
    public func measure(_ url: URL) throws -> Measured {
        let video = try VideoFrames()
        let info = try admit(url, video: video)
        let sampling = VideoSampling(framesPerSecond: policy.analysisFps, includeLastFrame: false,
                                     maxDimension: policy.analysisMaxDimension,
                                     maxFrames: Int(policy.maxSeconds * policy.analysisFps) + 2)
        let pool = try faces.engines()
        let batchSize = pool.engines.count * 4
        var batch: [VideoFrame] = []
        var tracked: [TrackedFrame] = []
        var frontal: (image: RGBImage, face: DetectedFace, yaw: Double)?
        func flush() throws {
            let results = try analyse(batch, pool: pool, offset: tracked.count, startTime: info.video.startTime)
            for (frame, r) in zip(batch, results) {
                tracked.append(r.tracked)
                if let face = r.face, let yaw = r.tracked.yaw, abs(yaw) < abs(frontal?.yaw ?? .infinity) {
                    frontal = (frame.image, face, yaw)
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        do {
            try video.sample(url, sampling: sampling) { frame in
                batch.append(frame)
                if batch.count == batchSize { try flush() }
            }
            try flush()
        } catch let e as FaceMatchError where e.errorCode == .videoCorrupt {
            throw IdentityError("video_unreadable", "the answer cannot be decoded: \(e.message)")
        }
        let audio: [Int16]
        do { audio = try video.audio(url, maxSeconds: policy.maxSeconds) } catch let e as FaceMatchError {
            throw IdentityError("liveness_no_audio", "the answer's sound cannot be decoded: \(e.message)")
        }
        // The enrolled descriptor: the mean of the faces that agree with their medoid.
        let inliers = VideoLivenessChecks.sameness(tracked.compactMap(\.descriptor), threshold: faces.matching.threshold).inliers
        return Measured(info: info, frames: tracked, audio: audio, frontal: frontal.map { ($0.image, $0.face) },
                        meanDescriptor: inliers.isEmpty ? nil : FaceDescriptor.mean(inliers))
    }

    private struct FrameResult: Sendable {
        let tracked: TrackedFrame
        /// The face with its descriptor, on frames that computed one.
        let face: DetectedFace?
    }

    /// Analyses a batch on all engines. `offset` is the index of the batch's first frame in
    /// the video: frames whose index is a multiple of `descriptor_every` get a descriptor.
    /// Times are made relative to the stream start, as the decoded sound is.
    private func analyse(_ frames: [VideoFrame], pool: FaceEnginePool, offset: Int, startTime: Double) throws -> [FrameResult] {
        guard !frames.isEmpty else { return [] }
        let slots = ResultSlots<FrameResult>(count: frames.count)
        let engines = pool.engines, workers = min(engines.count, frames.count)
        let every = policy.descriptorEvery, minimum = faces.matching.minFaceSize
        let landmarker = self.landmarker
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: frames.count, by: workers) {
                slots.set(i, Result {
                    let image = frames[i].image, time = frames[i].timestamp - startTime
                    let upsample = max(image.width, image.height) <= 400 ? 1 : 0
                    let found = try engines[w].locateFaces(in: image, options: DetectionOptions(detector: .hog, upsample: upsample))
                        .filter { $0.box.width >= minimum / (upsample + 1) }
                    let thumbnail = FrameEvidence.thumbnail(of: image)
                    guard let largest = found.max(by: { $0.box.width < $1.box.width }) else {
                        return FrameResult(tracked: TrackedFrame(time: time, thumbnail: thumbnail, faceCount: 0, box: nil, yaw: nil, shape: nil, descriptor: nil), face: nil)
                    }
                    let shape = try landmarker.landmarks(of: largest.box, in: image)
                    var face: DetectedFace?
                    if (offset + i) % every == 0 {
                        face = DetectedFace(location: largest, descriptor: try engines[w].descriptors(for: [largest], in: image)[0])
                    }
                    let tracked = TrackedFrame(time: time, thumbnail: thumbnail, faceCount: found.count, box: largest.box,
                                               yaw: HeadPose(landmarks: largest.landmarks).yaw, shape: shape, descriptor: face?.descriptor)
                    return FrameResult(tracked: tracked, face: face)
                })
            }
        }
        return try slots.values()
    }

    /// The digits heard in `audio` (a grammar of exactly `count` digits) and the speech
    /// energy at each frame's time.
    public static func listen(_ audio: [Int16], frames: [TrackedFrame], digitCount: Int, recognizer: DigitRecognizer, fps: Double) throws -> (spoken: String, energy: [Double]) {
        let spoken = audio.isEmpty ? "" : try recognizer.recognize(samples: audio, sampleRate: 16_000, digitCount: digitCount).digits
        return (spoken, energy(audio, frames: frames, fps: fps))
    }

    /// Speech energy (RMS over two frame intervals) at each frame's time.
    public static func energy(_ audio: [Int16], frames: [TrackedFrame], fps: Double) -> [Double] {
        AudioEnvelope.rms(samples: audio, sampleRate: 16_000, at: frames.map(\.time), window: 2 / fps)
    }
}

/// Results written by several workers, one slot each.
final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ r: Result<T, any Error>) { lock.withLock { slots[i] = r } }

    /// Every value in order; the first error (by index) is rethrown.
    func values() throws -> [T] { try lock.withLock { slots }.map { try $0!.get() } }
}
