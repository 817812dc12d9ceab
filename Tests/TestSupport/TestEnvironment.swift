import CameoCore
import Foundation
import Identity
import Ledger
import Policy
import Store

/// A throwaway data directory with keys and the repository's `Policies/`; removed when the
/// value is released. Its database is a real SQLite file, or, when `CAMEO_TEST_POSTGRES`
/// names a PostgreSQL database (`make test` runs the suites both ways), a fresh schema in it.
public final class TempDataDirectory: @unchecked Sendable {
    /// The data directory.
    public let directory: DataDirectory
    /// Its path.
    public var path: String { directory.url.path }
    private let schema: String?

    /// The PostgreSQL database the suites run against, if any.
    public static let postgres: String? = ProcessInfo.processInfo.environment["CAMEO_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// Creates `/tmp/cameo-test-<random>` with a fresh ledger key (and a fresh schema on PostgreSQL).
    public init() throws {
        let id = UUID().uuidString
        let path = NSTemporaryDirectory() + "cameo-test-\(id)"
        if let base = Self.postgres {
            let schema = "t_" + id.lowercased().replacingOccurrences(of: "-", with: "")
            try Self.admin(base) { try $0.execute("CREATE SCHEMA \(schema)") }
            self.schema = schema
            directory = DataDirectory(path: path, database: base + (base.contains("?") ? "&" : "?") + "schema=\(schema)&pool=4")
        } else {
            self.schema = nil
            directory = DataDirectory(path: path)
        }
        try directory.initKeys()
    }

    deinit {
        try? FileManager.default.removeItem(at: directory.url)
        if let schema, let base = Self.postgres { try? Self.admin(base) { try $0.execute("DROP SCHEMA \(schema) CASCADE") } }
    }

    private static func admin(_ url: String, _ body: (any SQLTransaction) throws -> Void) throws {
        let db = try PostgresDatabase(url: url, maxConnections: 2)
        defer { db.close() }
        try db.read(body)
    }
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
