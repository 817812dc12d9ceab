import ArgumentParser
import CameoCore
import Foundation
import Ledger
import Store

/// `cameo bench`: measured performance, always printed next to a peer run in the same process.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Run benchmarks (results print as ratios against a peer).",
                                                     subcommands: [LedgerBench.self, ConsentBench.self, GenerationBench.self])
}

/// Ledger benchmarks: durable group-commit appends and proof latency at large sizes.
struct LedgerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Durable appends/s (1 vs 64 writers) and proof time at 1M/10M entries.")
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false
    @Option(help: "Appends per writer configuration.") var appends = 20_000
    @Option(help: "Comma-separated tree sizes for the proof benchmark.") var sizes = "1000000,10000000"
    @Option(help: "Proofs timed per size.") var proofs = 2000
    @Option(help: "Scratch directory (default: a temp dir, removed afterwards).") var scratch: String?
    @Option(help: ArgumentHelp("Also measure appends on this PostgreSQL database (a fresh schema per run, dropped afterwards), next to SQLite.", valueName: "url"))
    var database: String?

    func run() async throws {
        try await runReporting(json: json) {
            let root = scratch ?? NSTemporaryDirectory() + "cameo-bench-\(getpid())"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            defer { if scratch == nil { try? FileManager.default.removeItem(atPath: root) } }
            var results: [String: JSONValue] = [:]

            let one = try await appendRate(dir: root + "/w1", writers: 1, total: min(appends, 5000))
            let many = try await appendRate(dir: root + "/w64", writers: 64, total: appends)
            log(String(format: "durable appends/s: 1 writer %.0f, 64 writers %.0f (group commit ×%.1f)", one, many, many / one))
            results["appends_per_s_1_writer"] = .double(one.rounded())
            results["appends_per_s_64_writers"] = .double(many.rounded())
            if let database {
                let pgOne = try await appendRate(postgres: database, writers: 1, total: min(appends, 5000))
                let pgMany = try await appendRate(postgres: database, writers: 64, total: appends)
                log(String(format: "PostgreSQL durable appends/s: 1 writer %.0f, 64 writers %.0f (group commit ×%.1f); vs SQLite ×%.2f / ×%.2f",
                           pgOne, pgMany, pgMany / pgOne, pgOne / one, pgMany / many))
                results["postgres_appends_per_s_1_writer"] = .double(pgOne.rounded())
                results["postgres_appends_per_s_64_writers"] = .double(pgMany.rounded())
            }

            for size in sizes.split(separator: ",").compactMap({ UInt64($0) }) {
                let r = try proofTimes(dir: root + "/tree\(size)", size: size, count: proofs)
                log(String(format: "size %d: inclusion p50 %.1f µs p99 %.1f µs, consistency p50 %.1f µs p99 %.1f µs (SQLite)",
                           size, r.incl.p50, r.incl.p99, r.cons.p50, r.cons.p99)
                + (r.memIncl.isNaN ? "" : String(format: "; in-memory peer inclusion p50 %.1f µs (SQLite ×%.1f)", r.memIncl, r.incl.p50 / r.memIncl)))
                let mem: JSONValue = r.memIncl.isNaN ? .null : .double(r.memIncl)
                results["proof_\(size)"] = ["memory_peer_inclusion_p50_us": mem, "inclusion_p50_us": .double(r.incl.p50), "inclusion_p99_us": .double(r.incl.p99),
                                            "consistency_p50_us": .double(r.cons.p50), "consistency_p99_us": .double(r.cons.p99),
                                            "build_seconds": .double(r.build)]
            }
            if json { try printJSON(.object(results)) }
        }
    }

    func log(_ s: String) { if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) } }

    /// Appends on SQLite in `dir`.
    func appendRate(dir: String, writers: Int, total: Int) async throws -> Double {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return try await appendRate(LedgerStore(database: AppDatabase(path: dir + "/bench.sqlite")), writers: writers, total: total)
    }

    /// Appends on PostgreSQL in a fresh schema of `url`, dropped afterwards.
    func appendRate(postgres url: String, writers: Int, total: Int) async throws -> Double {
        let schema = "bench_\(getpid())_\(writers)"
        let admin = try PostgresDatabase(url: url, maxConnections: 2)
        defer { _ = try? admin.read { try $0.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }; admin.close() }
        try admin.read { try $0.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE"); try $0.execute("CREATE SCHEMA \(schema)") }
        let database = try AppDatabase(postgres: url + (url.contains("?") ? "&" : "?") + "schema=\(schema)")
        defer { database.writer.close() }
        return try await appendRate(LedgerStore(database: database), writers: writers, total: total)
    }

    /// Appends `total` entries from `writers` concurrent tasks; returns durable appends per second.
    func appendRate(_ ledger: LedgerStore, writers: Int, total: Int) async throws -> Double {
        let per = total / writers
        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<per {
                        let e = try LedgerEntry(type: "bench.append", time: Date(), actor: "bench", subject: "w\(w)", payload: ["i": .int(Int64(i))])
                        try await ledger.append(e)
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(per * writers) / Date().timeIntervalSince(start)
    }

    struct Quantiles { let p50: Double; let p99: Double }

    func proofTimes(dir: String, size: UInt64, count: Int) throws -> (incl: Quantiles, cons: Quantiles, memIncl: Double, build: Double) {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = try AppDatabase(path: dir + "/tree.sqlite")
        let table = NodeTable(database: db)
        let memory = InMemoryTree()
        let buildStart = Date()
        var range = CompactRange()
        var batch: [(id: NodeID, hash: TreeHash)] = []
        batch.reserveCapacity(400_000)
        for i in 0..<size {
            var leaf = [UInt8](repeating: 0, count: 8)
            withUnsafeBytes(of: i.littleEndian) { leaf = Array($0) }
            let created = range.append(.leaf(leaf))
            batch += created
            if size <= 1_000_000 { for c in created where c.id.level == 0 { memory.append(leafHash: c.hash) } }
            if batch.count >= 200_000 { try table.insert(batch); batch.removeAll(keepingCapacity: true) }
        }
        try table.insert(batch)
        let build = Date().timeIntervalSince(buildStart)
        let builder = ProofBuilder(reader: table)
        let root = range.root
        var incl: [Double] = [], cons: [Double] = []
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<count {
            let idx = UInt64.random(in: 0..<size, using: &rng)
            let t0 = DispatchTime.now().uptimeNanoseconds
            let p = try builder.inclusionProof(index: idx, size: size)
            incl.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
            let leaf = try table.hashes(of: [NodeID(level: 0, index: idx)]).values.first!
            guard ProofVerifier.verifyInclusion(leaf: leaf, index: idx, size: size, proof: p, root: root) else {
                throw LedgerError("bench_proof_invalid", "inclusion proof for \(idx) did not verify", kind: .internalFailure)
            }
            let from = UInt64.random(in: 1...size, using: &rng)
            let t1 = DispatchTime.now().uptimeNanoseconds
            _ = try builder.consistencyProof(from: from, to: size)
            cons.append(Double(DispatchTime.now().uptimeNanoseconds - t1) / 1000)
        }
        var memIncl: [Double] = []
        if memory.size == size {
            let mb = ProofBuilder(reader: memory)
            for _ in 0..<count {
                let idx = UInt64.random(in: 0..<size, using: &rng)
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try mb.inclusionProof(index: idx, size: size)
                memIncl.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
            }
        }
        func q(_ xs: [Double]) -> Quantiles {
            let s = xs.sorted()
            return s.isEmpty ? Quantiles(p50: .nan, p99: .nan) : Quantiles(p50: s[s.count / 2], p99: s[min(s.count - 1, s.count * 99 / 100)])
        }
        try? FileManager.default.removeItem(atPath: dir)
        return (q(incl), q(cons), q(memIncl).p50, build)
    }
}
