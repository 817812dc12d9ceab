import CameoCore
import Foundation
import Identity
import Ledger
import Policy
import Store

/// A throwaway data directory with keys, a real SQLite database and the repository's
/// `Policies/`; removed when the value is released.
public final class TempDataDirectory: @unchecked Sendable {
    /// The data directory.
    public let directory: DataDirectory
    /// Its path.
    public var path: String { directory.url.path }

    /// Creates `/tmp/cameo-test-<random>` with a fresh ledger key.
    public init() throws {
        let path = NSTemporaryDirectory() + "cameo-test-\(UUID().uuidString)"
        directory = DataDirectory(path: path)
        try directory.initKeys()
    }

    deinit { try? FileManager.default.removeItem(at: directory.url) }
}

/// Paths inside the repository, found from this source file (tests never depend on the cwd).
public enum RepositoryPaths {
    /// The repository root.
    public static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `Policies/`.
    public static var policies: String { root.appendingPathComponent("Policies").path }
    /// `fixtures/`.
    public static var fixtures: URL { root.appendingPathComponent("fixtures") }

    /// The repository's policies.
    public static func loadPolicies() throws -> PolicySet { try PolicySet.load(directory: policies) }

    /// The repository's policies with some files replaced (copied to a temp directory).
    public static func loadPolicies(overriding files: [String: String]) throws -> PolicySet {
        let dir = NSTemporaryDirectory() + "cameo-policies-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in try FileManager.default.contentsOfDirectory(atPath: policies) {
            try FileManager.default.copyItem(atPath: policies + "/" + name, toPath: dir + "/" + name)
        }
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return try PolicySet.load(directory: dir)
    }
}

/// A deterministic pseudo-random generator (SplitMix64) so property tests can print a seed
/// that reproduces a failure.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    /// Starts from `seed`.
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
