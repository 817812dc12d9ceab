import Dispatch
import Foundation

/// Several ``FaceEngine``s, one per worker, for analysing many images (video frames) on all
/// cores. Each engine serves one worker at a time, so no dlib object is ever shared.
public final class FaceEnginePool: FaceAnalyzing, Sendable {
    /// The engines; `engines.count` images are analysed at once.
    public let engines: [FaceEngine]
    private let next = RoundRobin()

    /// Loads `count` engines (default: one per active core) from `modelsDirectory`.
    public init(modelsDirectory: URL, count: Int = ProcessInfo.processInfo.activeProcessorCount,
                loadCNNDetector: Bool = false) throws {
        guard count >= 1 else { throw FaceMatchError(.invalidArgument, "a pool needs at least one engine") }
        engines = try (0..<count).map { _ in
            try FaceEngine(modelsDirectory: modelsDirectory, loadCNNDetector: loadCNNDetector)
        }
    }

    /// Wraps engines that are already loaded; `engines` must not be empty.
    public init(engines: [FaceEngine]) throws {
        guard !engines.isEmpty else { throw FaceMatchError(.invalidArgument, "a pool needs at least one engine") }
        self.engines = engines
    }

    /// Analyses one image on the next engine in turn (callers on several threads spread out).
    public func detectFaces(in image: RGBImage, options: DetectionOptions = DetectionOptions()) throws -> [DetectedFace] {
        try engines[next.take(modulo: engines.count)].detectFaces(in: image, options: options)
    }

    /// Analyses every image, spreading them over the engines in parallel; the result at
    /// index `i` belongs to `images[i]`. The first error (by image index) is rethrown.
    public func detectFaces(inEach images: [RGBImage],
                            options: DetectionOptions = DetectionOptions()) throws -> [[DetectedFace]] {
        guard !images.isEmpty else { return [] }
        let workers = min(engines.count, images.count)
        let slots = Slots(count: images.count)
        let engines = self.engines
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // Worker w takes images w, w + workers, ... with its own engine.
            for index in stride(from: worker, to: images.count, by: workers) {
                slots.set(index, Result { try engines[worker].detectFaces(in: images[index], options: options) })
            }
        }
        return try slots.results().map { try $0.get() }
    }
}

/// A thread-safe counter handing out engine indices in turn.
private final class RoundRobin: @unchecked Sendable {
    private let lock = NSLock()
    private var counter = 0

    /// The next index in `0..<modulo`.
    func take(modulo: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        counter = (counter + 1) % modulo
        return counter
    }
}

/// Result slots written by concurrent workers, each index exactly once.
private final class Slots: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<[DetectedFace], any Error>?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Result<[DetectedFace], any Error>) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    /// All results in index order; every slot must have been written.
    func results() -> [Result<[DetectedFace], any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return values.map { $0 ?? .failure(FaceMatchError(.internalFailure, "frame was not analysed")) }
    }
}
