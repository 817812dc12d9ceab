import CameoCore
import Dispatch
import Foundation

/// Runs an external tool (ffmpeg, ffprobe) and collects its output; internal to FaceMatch.
///
/// stdout and stderr are drained concurrently so neither pipe can fill up and stall the
/// child; a deadline terminates a child that hangs on a hostile input.
enum Subprocess {
    /// What a finished process produced.
    struct Result {
        /// Exit status (or the terminating signal).
        let status: Int32
        /// Everything written to stderr.
        let stderr: Data
        /// Whether the deadline killed the process.
        let timedOut: Bool

        /// stderr as text, trimmed to its last `limit` characters for error messages.
        func stderrTail(_ limit: Int = 400) -> String {
            let text = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.count <= limit ? text : "…" + text.suffix(limit)
        }
    }

    /// Runs `executable` with `arguments` (no shell), hands its stdout to `readStdout` while
    /// it runs, and waits for it, at most `timeout` seconds. If `readStdout` throws, the child
    /// is terminated and the error rethrown. `onStderr`, if given, sees every chunk of stderr
    /// as it arrives (on another thread), then `nil` at its end; stderr is collected anyway.
    static func run(_ executable: String, _ arguments: [String], timeout: Double,
                    onStderr: (@Sendable (Data?) -> Void)? = nil,
                    readStdout: (FileHandle) throws -> Void) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
            BackgroundWork.deprioritize(process.processIdentifier)
        } catch {
            throw FaceMatchError(.ffmpegMissing, "cannot start \(executable): \(error)")
        }
        let child = ChildBox(process)
        let stderrBox = DataBox()
        let drained = DispatchGroup()
        drained.enter()
        DispatchQueue.global().async {
            let handle = err.fileHandleForReading
            if let onStderr {
                var all = Data()
                // availableData returns as soon as anything was written (read(upToCount:)
                // would wait for the whole count); empty means end of file.
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    all.append(chunk)
                    onStderr(chunk)
                }
                stderrBox.set(all)
                onStderr(nil)
            } else {
                stderrBox.set(handle.readDataToEndOfFile())
            }
            drained.leave()
        }
        let watchdog = DispatchWorkItem { child.terminate(timedOut: true) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        defer { watchdog.cancel() }
        do {
            try readStdout(out.fileHandleForReading)
            // Drain anything the consumer left so the child never blocks on a full pipe.
            _ = out.fileHandleForReading.readDataToEndOfFile()
        } catch {
            child.terminate(timedOut: false)
            // A child blocked writing into the full stdout pipe would never see the signal;
            // closing our end makes that write fail so it exits.
            try? out.fileHandleForReading.close()
            process.waitUntilExit()
            drained.wait()
            throw error
        }
        process.waitUntilExit()
        drained.wait()
        return Result(status: process.terminationStatus, stderr: stderrBox.get(), timedOut: child.timedOut)
    }

    /// Runs a tool and returns its whole stdout with the result.
    static func capture(_ executable: String, _ arguments: [String], timeout: Double) throws -> (Data, Result) {
        var data = Data()
        let result = try run(executable, arguments, timeout: timeout) { data = $0.readDataToEndOfFile() }
        return (data, result)
    }

    /// Reads exactly `count` bytes, or fewer only at end of stream.
    static func read(_ handle: FileHandle, exactly count: Int) throws -> Data {
        var data = Data()
        data.reserveCapacity(count)
        while data.count < count {
            guard let chunk = try handle.read(upToCount: count - data.count), !chunk.isEmpty else { break }
            data.append(chunk)
        }
        return data
    }

    /// Finds `name` on `PATH` (or in the usual system directories); `nil` if absent.
    static func locate(_ name: String, path: String?) -> String? {
        let dirs = (path ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        for dir in dirs where !dir.isEmpty {
            let candidate = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// A lock-protected `Data` written by one thread and read by another.
private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()

    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// A running child that the watchdog may terminate from another thread.
private final class ChildBox: @unchecked Sendable {
    private let lock = NSLock()
    private let process: Process
    private var killedByDeadline = false

    init(_ process: Process) { self.process = process }

    /// Terminates the child if it still runs; records whether the deadline did it.
    func terminate(timedOut: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if process.isRunning {
            if timedOut { killedByDeadline = true }
            process.terminate()
        }
    }

    /// Whether the deadline terminated the child.
    var timedOut: Bool { lock.lock(); defer { lock.unlock() }; return killedByDeadline }
}
