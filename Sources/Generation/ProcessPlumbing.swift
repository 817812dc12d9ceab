import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A flag set from a task-cancellation handler and polled by the blocking render loop.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    /// Marks the work as cancelled; idempotent.
    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    /// Whether `cancel()` has been called.
    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }
}

/// Drains a child's stderr on its own thread while the parent writes the child's stdin, so a
/// chatty child can never fill the stderr pipe and deadlock both sides. Keeps only the last
/// `limit` bytes, which is what goes into error messages.
final class StderrTail: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let limit: Int
    private let done = DispatchSemaphore(value: 0)

    /// Starts reading `handle` until end of file on a dedicated thread.
    init(reading handle: FileHandle, limit: Int = 4096) {
        self.limit = limit
        let fd = handle.fileDescriptor
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                append(chunk[0..<n])
            }
            try? handle.close()
            done.signal()
        }
        thread.name = "ffmpeg-stderr"
        thread.start()
    }

    private func append(_ data: ArraySlice<UInt8>) {
        lock.lock()
        bytes.append(contentsOf: data)
        if bytes.count > 2 * limit { bytes.removeFirst(bytes.count - limit) }
        lock.unlock()
    }

    /// Waits for end of file (the child exited and closed stderr) and returns the tail.
    func finish() -> String {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes.suffix(limit), as: UTF8.self)
    }
}

enum ProcessPlumbing {
    /// Writing into a pipe whose reader has exited raises SIGPIPE, which kills the process by
    /// default. The generator needs EPIPE instead, so it ignores the signal process-wide (as
    /// servers built on NIO already do).
    static let ignoreBrokenPipe: Void = {
        _ = signal(SIGPIPE, SIG_IGN)
    }()

    /// Writes all of `buffer` to `fd`, retrying partial writes and EINTR. Returns `nil` on
    /// success or the `errno` of the failed write (EPIPE when the reader has gone).
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }

    /// Flushes a file's data (or a directory's entries) to stable storage; best effort.
    static func sync(_ url: URL) {
        let fd = open(url.path, O_RDONLY)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }

    /// A readable description of an errno value.
    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}
