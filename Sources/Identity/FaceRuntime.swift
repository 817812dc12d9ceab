import CameoCore
import FaceMatch
import Foundation
import Policy
import Synchronization

/// The node's face machinery: the dlib engine pool (loaded on first use, so nodes without
/// models still serve consent), the in-memory gallery of enrolled likenesses, and the
/// matching policy. Shared by identity verification, the generation post-check and takedowns.
public final class FaceRuntime: Sendable {
    /// Where the dlib models live.
    public let modelsDirectory: URL
    /// Thresholds and sampling.
    public let matching: MatchingPolicy
    private let pool = Mutex<FaceEnginePool?>(nil)
    private let dense = Mutex<DenseLandmarker?>(nil)
    private let gallery = Mutex(Gallery())

    /// A runtime over `modelsDirectory` (default `$CAMEO_MODELS_DIR` or `./models`).
    public init(modelsDirectory: URL? = nil, matching: MatchingPolicy) {
        self.modelsDirectory = modelsDirectory ?? Self.defaultModelsDirectory()
        self.matching = matching
    }

    /// `$CAMEO_MODELS_DIR`, else `./models`, else the checkout the binary was built in.
    public static func defaultModelsDirectory() -> URL {
        if let env = ProcessInfo.processInfo.environment["CAMEO_MODELS_DIR"] { return URL(fileURLWithPath: env) }
        if FileManager.default.fileExists(atPath: "models") { return URL(fileURLWithPath: "models") }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("models").path) { return url.appendingPathComponent("models") }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: "models")
    }

    /// The engine pool (one engine per core); `models_missing` (503) tells the operator to run setup.
    public func engines() throws -> FaceEnginePool {
        try pool.withLock { p in
            if let p { return p }
            let made = try FaceEnginePool(modelsDirectory: modelsDirectory, count: max(1, ProcessInfo.processInfo.activeProcessorCount))
            p = made
            return made
        }
    }

    /// The 68-point landmark model (video liveness only), loaded on first use.
    public func denseLandmarker() throws -> DenseLandmarker {
        try dense.withLock { d in
            if let d { return d }
            let made = try DenseLandmarker(modelsDirectory: modelsDirectory)
            d = made
            return made
        }
    }

    /// Detection options from policy.
    public var detection: DetectionOptions { DetectionOptions(detector: .hog, upsample: matching.detectUpsample) }

    /// Faces in each image (in parallel), without faces narrower than the policy minimum.
    /// `upsample` overrides the still-image setting (the video post-check uses its own).
    public func analyze(_ images: [RGBImage], minFaceSize: Int? = nil, upsample: Int? = nil) throws -> [[DetectedFace]] {
        let minimum = minFaceSize ?? matching.minFaceSize
        let options = upsample.map { DetectionOptions(detector: .hog, upsample: $0) } ?? detection
        return try engines().detectFaces(inEach: images, options: options).map { faces in faces.filter { $0.box.width >= minimum } }
    }

    /// A 150×150 aligned chip of `face` in `image`.
    public func chip(of face: DetectedFace, in image: RGBImage) throws -> RGBImage {
        try engines().engines[0].faceChip(for: face.location, in: image)
    }

    // MARK: gallery

    /// Replaces the gallery with `entries` (start-up).
    public func loadGallery(_ entries: [(SubjectID, [Float])]) throws {
        var g = Gallery()
        for (id, values) in entries { try g.upsert(id: id.rawValue, descriptor: FaceDescriptor(values)) }
        gallery.withLock { $0 = g }
    }

    /// Adds or replaces one enrolled likeness.
    public func enroll(_ subject: SubjectID, _ descriptor: FaceDescriptor) throws {
        try gallery.withLock { try $0.upsert(id: subject.rawValue, descriptor: descriptor) }
    }

    /// Drops an erased likeness.
    public func remove(_ subject: SubjectID) { _ = gallery.withLock { $0.remove(id: subject.rawValue) } }

    /// The nearest enrolled likenesses to `descriptor` (copying the gallery reference, not its data).
    public func nearest(to descriptor: FaceDescriptor, k: Int = 1) -> [GalleryMatch] {
        let g = gallery.withLock { $0 }
        return g.nearest(to: descriptor, k: k)
    }

    /// Number of enrolled likenesses.
    public var galleryCount: Int { gallery.withLock { $0.count } }
}
