import ArgumentParser
import CameoCore
import Consent
import Foundation
import Generation

/// `cameo bench consent`: in-process check latency on a large index, and the same decisions
/// evaluated by pycasbin (a peer run by this verb in the same run) on a shared subset.
struct ConsentBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "consent", abstract: "Consent check p50/p99 in process (1M grants, 100k subjects) and vs pycasbin.")
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false
    @Option(help: "Subjects in the large index.") var subjects = 100_000
    @Option(help: "Grants per subject in the large index.") var grantsPerSubject = 10
    @Option(help: "Checks timed.") var checks = 200_000
    @Option(help: "Subjects in the subset shared with pycasbin (0 skips the peer).") var peerSubjects = 500
    @Option(help: "Python interpreter for the peer.") var python = "python3"

    func run() async throws {
        try await runReporting(json: json) {
            var out: [String: JSONValue] = [:]
            let big = try Dataset(subjects: subjects, grantsPerSubject: grantsPerSubject, seed: 42)
            let t = try big.time(checks: checks)
            say(String(format: "in-process check, %d subjects, %d grants: p50 %.2f µs, p99 %.2f µs (%d allow / %d checks)",
                       subjects, big.index.grantCount, t.p50, t.p99, t.allows, checks))
            out["in_process"] = ["subjects": .int(Int64(subjects)), "grants": .int(Int64(big.index.grantCount)),
                                 "p50_us": .double(t.p50), "p99_us": .double(t.p99)]
            if peerSubjects > 0 {
                let small = try Dataset(subjects: peerSubjects, grantsPerSubject: grantsPerSubject, seed: 7)
                let requests = small.requests(count: 2000, seed: 9)
                let ours = try small.time(requests: requests)
                let peer = try small.runCasbin(requests: requests, python: python)
                guard peer.decisions == ours.decisions else {
                    throw CoreError("peer_disagrees", "pycasbin and CameoGuard disagree on \(zip(peer.decisions, ours.decisions).filter { $0 != $1 }.count) of \(requests.count) decisions", kind: .internalFailure)
                }
                say(String(format: "same %d decisions on a %d-subject subset: CameoGuard p50 %.2f µs, pycasbin p50 %.1f µs → %.0f× faster (decisions identical)",
                           requests.count, peerSubjects, ours.p50, peer.p50, peer.p50 / ours.p50))
                out["peer"] = ["requests": .int(Int64(requests.count)), "ours_p50_us": .double(ours.p50), "casbin_p50_us": .double(peer.p50),
                               "ratio": .double(peer.p50 / ours.p50), "agree": true]
            }
            if json { try printJSON(.object(out)) }
        }
    }

    func say(_ s: String) { if json { FileHandle.standardError.write(Data((s + "\n").utf8)) } else { print(s) } }
}

/// A synthetic social graph with grants: verified owners, random follows (half reciprocated),
/// communities, and allow grants over every audience kind.
struct Dataset {
    var index = ConsentIndex()
    var ids: [SubjectID] = []
    /// For the peer: (audience kind, subject-or-star, owner, use).
    var policies: [(String, String, String)] = []
    var mutualPairs: [(String, String)] = []
    let uses: [Use]

    init(subjects n: Int, grantsPerSubject k: Int, seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        uses = try ["generate", "remix", "public_post"].map(Use.init)
        ids = try (0..<n).map { try SubjectID("sub_\($0)") }
        for id in ids { try index.apply(.subjectUpserted(id, SubjectStatus(likeness: .verified, suspended: false))) }
        for (i, a) in ids.enumerated() {
            for _ in 0..<5 {
                let b = ids[Int(rng.next() % UInt64(n))]
                if b == a || index.follows(a, b) { continue }
                try index.apply(.follow(follower: a, followee: b))
                if rng.next() % 2 == 0, !index.follows(b, a) { try index.apply(.follow(follower: b, followee: a)) }
                if index.isMutual(a, b) { mutualPairs.append((a.rawValue, b.rawValue)) }
            }
            _ = i
        }
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        for owner in ids {
            for g in 0..<k {
                let use = uses[Int(rng.next() % 3)]
                let audience: Audience
                let peerSubject: String
                switch rng.next() % 10 {
                case 0: audience = .everyone; peerSubject = "*"
                case 1, 2: audience = .mutuals; peerSubject = "mutuals"
                default:
                    let friend = ids[Int(rng.next() % UInt64(n))]
                    if friend == owner { continue }
                    audience = .approved([friend]); peerSubject = friend.rawValue
                }
                let grant = try Grant(id: GrantID("grt_\(owner.rawValue)_\(g)"), owner: owner, audience: audience, uses: [use],
                                      forbiddenTags: [], preferences: "", effect: .allow, createdAt: created, expiresAt: nil)
                try index.apply(.grantCreated(grant))
                policies.append((peerSubject, owner.rawValue, use.rawValue))
            }
        }
    }

    func requests(count: Int, seed: UInt64) -> [(SubjectID, SubjectID, Use)] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in (ids[Int(rng.next() % UInt64(ids.count))], ids[Int(rng.next() % UInt64(ids.count))], uses[Int(rng.next() % 3)]) }
    }

    func time(checks: Int) throws -> (p50: Double, p99: Double, allows: Int) {
        let t = try time(requests: requests(count: checks, seed: 1))
        return (t.p50, t.p99, t.decisions.filter { $0 }.count)
    }

    func time(requests: [(SubjectID, SubjectID, Use)]) throws -> (p50: Double, p99: Double, decisions: [Bool]) {
        let now = Date(timeIntervalSince1970: 1_700_000_100)
        let prepared = try requests.map { try ConsentRequest(requester: $0.0, cameos: [$0.1], use: $0.2, audience: .onlyMe) }
        var times = [Double](repeating: 0, count: prepared.count)
        var decisions = [Bool](repeating: false, count: prepared.count)
        for (i, r) in prepared.enumerated() {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let d = try ConsentEvaluator.evaluate(r, index: index, now: now)
            times[i] = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000
            decisions[i] = d.verdict == .allow
        }
        times.sort()
        return (times[times.count / 2], times[times.count * 99 / 100], decisions)
    }

    /// Runs scripts/casbin_peer.py on the same policies and requests; returns its p50 and decisions.
    func runCasbin(requests: [(SubjectID, SubjectID, Use)], python: String) throws -> (p50: Double, decisions: [Bool]) {
        let dir = NSTemporaryDirectory() + "cameo-casbin-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var csv = policies.map { "p, \($0.0), \($0.1), \($0.2)" }
        csv += mutualPairs.flatMap { ["g, \($0.0), mutual, \($0.1)", "g, \($0.1), mutual, \($0.0)"] }
        try csv.joined(separator: "\n").write(toFile: dir + "/policy.csv", atomically: true, encoding: .utf8)
        try requests.map { "\($0.0.rawValue),\($0.1.rawValue),\($0.2.rawValue)" }.joined(separator: "\n")
            .write(toFile: dir + "/requests.csv", atomically: true, encoding: .utf8)
        let script = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("../../scripts/casbin_peer.py").standardizedFileURL.path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python, FileManager.default.fileExists(atPath: script) ? script : "scripts/casbin_peer.py", dir]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let v = try? JSONValue.parse([UInt8](data)), let p50 = v["p50_us"],
              let ds = v["decisions"]?.arrayValue else {
            throw CoreError("peer_failed", "pycasbin peer failed (pip install casbin): \(String(decoding: data, as: UTF8.self).suffix(300))", kind: .unavailable)
        }
        let p50v: Double = if case .double(let d) = p50 { d } else { Double(p50.intValue ?? 0) }
        return (p50v, ds.map { $0.boolValue ?? false })
    }
}
