import Dispatch
import Foundation

/// Monotonic seconds (CLOCK_MONOTONIC through Dispatch).
@inline(__always)
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Writes a progress line to stderr (stdout carries the table and the JSON summary).
func log(_ message: String) {
    FileHandle.standardError.write(Data("facebench: \(message)\n".utf8))
}

/// A benchmark failure: printed and turned into a non-zero exit status.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64: a small, fixed, portable generator so the gallery vectors are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-1, 1) with 24 random bits (exactly representable as Float).
    mutating func nextUnitFloat() -> Float {
        Float(Int32(truncatingIfNeeded: next() >> 40) - (1 << 23)) / Float(1 << 23)
    }
}

/// One timed round: wall seconds and the number of items (faces, queries) it processed.
struct Round: Codable {
    let seconds: Double
    let faces: Int
    var perSecond: Double { Double(faces) / seconds }
}

extension Array where Element == Double {
    var median: Double {
        let s = sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Runs the Python peer script and decodes the JSON object it prints on stdout.
struct Peer {
    let python: String
    let script: String

    func run<T: Decodable>(_ type: T.Type, _ arguments: [String]) throws -> T {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script] + arguments
        var environment = ProcessInfo.processInfo.environment
        // One process = one core: keep numpy/BLAS/OpenMP in the single-process runs single
        // threaded. faiss sets its own OpenMP thread count (all cores) in the gallery run.
        if arguments.first != "gallery" {
            for key in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] { environment[key] = "1" }
        }
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.standardError
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("python peer `\(arguments.joined(separator: " "))` failed with status \(process.terminationStatus)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw BenchError("cannot decode peer output of `\(arguments.first ?? "")`: \(error)\n\(String(decoding: data, as: UTF8.self).prefix(400))")
        }
    }
}

/// Lock-protected slots that concurrent workers fill, each index once.
final class Slots<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    var all: [Value?] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}

/// Formats a number with a fixed count of decimals.
func fmt(_ value: Double, _ decimals: Int = 1) -> String {
    guard value.isFinite else { return "n/a" }
    return String(format: "%.\(decimals)f", value)
}
