import Dispatch
import Foundation

/// Where CPU-heavy and blocking work runs, so that it never occupies Swift's cooperative pool
/// (one thread per core: two on a small node), which serves every HTTP request. Consent checks
/// are never queued behind face detection, decoding, rendering, argon2 or a subprocess.
///
/// Two ways in:
/// - ``run(_:)`` runs one synchronous closure on the background queue and awaits its result;
/// - ``executor`` is a `TaskExecutor`: a task started with
///   `Task(executorPreference: BackgroundWork.executor)` runs all its non-isolated code there
///   (the generation workers do), including the synchronous parts of the async functions it calls.
///
/// The queue runs at utility QoS, below request handling; the subprocesses it starts are
/// `nice`d (see FaceMatch's `Subprocess`).
public enum BackgroundWork {
    /// The background queue (concurrent; callers bound their own parallelism, e.g. one engine per core).
    public static let queue = DispatchQueue(label: "cameoguard.background", qos: .utility, attributes: .concurrent)

    /// A task executor over ``queue``.
    public static let executor = QueueTaskExecutor(queue: queue)

    /// The niceness given to subprocesses (ffmpeg, ffprobe): below the service itself.
    public static let subprocessNiceness: Int32 = 10

    /// Lowers the scheduling priority of a started child process (best effort).
    public static func deprioritize(_ pid: Int32) {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(pid), subprocessNiceness)
        #else
        _ = setpriority(PRIO_PROCESS, id_t(pid), subprocessNiceness)
        #endif
    }

    /// Runs `body` on the background queue and returns its result (or rethrows its error).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            queue.async { c.resume(with: Result { try body() }) }
        }
    }
}

/// A `TaskExecutor` that runs jobs on a dispatch queue.
public final class QueueTaskExecutor: TaskExecutor, @unchecked Sendable {
    let queue: DispatchQueue

    init(queue: DispatchQueue) { self.queue = queue }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
