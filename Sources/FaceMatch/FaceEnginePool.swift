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

extension FaceEnginePool {
    /// Analyses images while `produce` is still producing them (e.g. decoding a video), on
    /// all engines at once; the result at index `i` belongs to the `i`-th image submitted.
    ///
    /// `produce` runs on the calling thread and calls `submit` once per image; each engine
    /// has a worker thread that takes the next waiting image. So decoding and analysis
    /// overlap instead of running one after the other:
    ///
    ///     let faces = try pool.detectFaces(streaming: { submit in
    ///         try video.sample(url, sampling: plan) { frame in submit(frame.image) }
    ///     })
    ///
    /// If `produce` throws, images not yet started are skipped and its error is rethrown;
    /// otherwise the first analysis error (by image index) is rethrown.
    public func detectFaces(streaming produce: (_ submit: (RGBImage) -> Void) throws -> Void,
                            options: DetectionOptions = DetectionOptions()) throws -> [[DetectedFace]] {
        let queue = WorkQueue()
        let finished = DispatchGroup()
        for engine in engines {
            finished.enter()
            let worker = Thread {
                while let (index, image) = queue.next() {
                    queue.finish(index, Result { try engine.detectFaces(in: image, options: options) })
                }
                finished.leave()
            }
            worker.name = "FaceEnginePool.worker"
            worker.start()
        }
        var produced: Result<Void, any Error> = .success(())
        do {
            try produce { image in queue.submit(image) }
        } catch {
            produced = .failure(error)
            queue.cancel()
        }
        queue.close()
        finished.wait()
        try produced.get()
        return try queue.results().map { try $0.get() }
    }
}

/// Images waiting for a worker, and the results, for ``FaceEnginePool/detectFaces(streaming:options:)``.
private final class WorkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [(Int, RGBImage)] = []
    private var head = 0
    private var submitted = 0
    private var closed = false
    private var cancelled = false
    private var done: [Int: Result<[DetectedFace], any Error>] = [:]

    func submit(_ image: RGBImage) {
        condition.lock()
        waiting.append((submitted, image))
        submitted += 1
        condition.signal()
        condition.unlock()
    }

    /// The next image to analyse; `nil` once the queue is closed and empty (or cancelled).
    func next() -> (Int, RGBImage)? {
        condition.lock()
        defer { condition.unlock() }
        while head == waiting.count && !closed && !cancelled { condition.wait() }
        guard !cancelled, head < waiting.count else { return nil }
        let item = waiting[head]
        // Drop the pixels once taken so finished frames do not pile up in memory.
        waiting[head] = (item.0, RGBImage(unchecked: 1, 1, [0, 0, 0]))
        head += 1
        return item
    }

    func finish(_ index: Int, _ result: Result<[DetectedFace], any Error>) {
        condition.lock()
        done[index] = result
        condition.unlock()
    }

    /// No more images will come.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Workers stop taking images.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    /// One result per submitted image, in submission order.
    func results() -> [Result<[DetectedFace], any Error>] {
        condition.lock()
        defer { condition.unlock() }
        return (0..<submitted).map { done[$0] ?? .failure(FaceMatchError(.internalFailure, "frame was not analysed")) }
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
