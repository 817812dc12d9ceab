import ArgumentParser
import CameoCore
import Foundation
import Ledger

/// `cameo queue`: the moderator's review queue over HTTP (tables by default, `--json` for scripts).
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "Review takedown reports (moderator key).",
                                                     subcommands: [List.self, Next.self, Show.self, Claim.self, Release.self, Decide.self, Escalate.self,
                                                                   DisputesCommand.self, DisputeCommand.self])

    static func table(_ items: [JSONValue]) {
        let now = Date()
        print("ID".padding(toLength: 27, withPad: " ", startingAt: 0) + "TYPE       PRIO  STATUS          SLA            GENERATION")
        for c in items {
            let deadline = c["sla_deadline"]?.stringValue.flatMap(Timestamp.parse)
            let sla = deadline.map { d -> String in
                let h = d.timeIntervalSince(now) / 3600
                return h < 0 ? String(format: "BREACHED %.0fh", -h) : String(format: "%.1fh left", h)
            } ?? "-"
            let status = (c["status"]?.stringValue ?? "?") + ((c["auto_action"]?.stringValue).map { _ in "*" } ?? "")
            print([(c["id"]?.stringValue ?? "?", 27), (c["report"]?["type"]?.stringValue ?? "?", 11), (String(c["priority"]?.intValue ?? 0), 6),
                   (status, 16), (sla, 15), (c["report"]?["generation_id"]?.stringValue ?? "?", 0)]
                .map { $0.1 > 0 ? $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) : $0.0 }.joined())
        }
        if items.isEmpty { print("(queue empty)") } else { print("* automatic action taken at intake, awaiting confirmation") }
    }

    static func detail(_ c: JSONValue) {
        print("case \(c["id"]?.stringValue ?? "?")  [\(c["status"]?.stringValue ?? "?")]  \(c["report"]?["type"]?.stringValue ?? "?") report on \(c["report"]?["generation_id"]?.stringValue ?? "?")")
        print("  priority \(c["priority"]?.intValue ?? 0), SLA deadline \(c["sla_deadline"]?.stringValue ?? "?"), tier \(c["tier"]?.stringValue ?? "?")")
        if let by = c["claimed_by"]?.stringValue { print("  claimed by \(by) until \(c["lease_until"]?.stringValue ?? "?")") }
        if let a = c["auto_action"]?.stringValue { print("  automatic action: \(a)") }
        if let n = c["report"]?["notice"], n != .null { print("  notice: \(n["complainant_name"]?.stringValue ?? "?") claims \(n["copyrighted_work"]?.stringValue ?? "?")") }
        if let cat = c["report"]?["category"]?.stringValue { print("  category: \(cat) — \(c["report"]?["details"]?.stringValue ?? "")") }
        if let r = c["report"]?["reporter"]?.stringValue { print("  reporter: \(r)") }
        let ev = c["evidence"] ?? .null
        print("  evidence: \(ev["fingerprints"]?.arrayValue?.count ?? 0) frame fingerprints, \(ev["hash_bank_hits"]?.arrayValue?.count ?? 0) bank hits, \(ev["likeness_matches"]?.arrayValue?.count ?? 0) likeness matches")
        for m in ev["likeness_matches"]?.arrayValue ?? [] {
            let t = m["time"].flatMap { if case .double(let d) = $0 { d } else { $0.intValue.map(Double.init) } } ?? 0
            let d = m["distance"].flatMap { if case .double(let d) = $0 { d } else { nil } } ?? 0
            let box = (m["box"]?.arrayValue ?? []).compactMap { $0.intValue.map(String.init) }.joined(separator: ",")
            print(String(format: "    t=%.1fs distance %.3f box ", t, d) + box)
        }
        if let d = c["decision"], d != .null {
            print("  decision: \(d["action"]?.stringValue ?? "?") on \(d["ground"]?.stringValue ?? "?") by \(d["moderator"]?.stringValue ?? "?"): \(d["reason"]?.stringValue ?? "")")
        }
        for h in c["history"]?.arrayValue ?? [] { print("  · \(h.stringValue ?? "")") }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Waiting items, highest priority first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Option(help: "Only this report type (copyright, likeness, misuse).") var type: String?
        @Flag(help: "Every case, decided ones too.") var all = false

        func run() async throws {
            try await runReporting(json: global.json) {
                var q: [String] = []
                if let type { q.append("type=\(type)") }
                if all { q.append("all=1") }
                let r = try await APIClient(options: remote).call("GET", "/v1/queue" + (q.isEmpty ? "" : "?" + q.joined(separator: "&")))
                if global.json { return try printJSON(r) }
                QueueCommand.table(r["items"]?.arrayValue ?? [])
            }
        }
    }

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Claim the highest-priority item you may take, and show it.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Option(help: "Only this report type.") var type: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/queue/next" + (type.map { "?type=\($0)" } ?? ""))
                if global.json { return try printJSON(r) }
                QueueCommand.detail(r)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a case; --sheet writes a contact sheet PNG of its frames with faces boxed and named.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Case id.") var id: String
        @Option(help: "Write the contact sheet PNG here.") var sheet: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let client = APIClient(options: remote)
                let r = try await client.call("GET", "/v1/queue/\(id)")
                if let sheet {
                    try await client.raw("GET", "/v1/queue/\(id)/sheet").write(to: URL(fileURLWithPath: sheet))
                    if !global.json { print("contact sheet written to \(sheet)") }
                }
                if global.json { return try printJSON(r) }
                QueueCommand.detail(r)
            }
        }
    }

    struct Claim: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a time-limited lease on an item.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Case id.") var id: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/queue/\(id)/claim")
                if global.json { return try printJSON(r) }
                print("claimed \(id) until \(r["lease_until"]?.stringValue ?? "?")")
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a claimed item back to the queue.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Case id.") var id: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/queue/\(id)/release")
                if global.json { return try printJSON(r) }
                print("released \(id)")
            }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Decide a claimed item: remove, restrict or keep, with a policy ground and a written reason.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Case id.") var id: String
        @Argument(help: "remove, restrict or keep.") var action: String
        @Option(help: "Policy ground (see Policies/takedown.yaml grounds).") var ground: String
        @Option(help: "Written reason (10+ characters), shown in the statement of reasons.") var reason: String

        func validate() throws {
            guard ["remove", "restrict", "keep"].contains(action) else { throw ValidationError("action must be remove, restrict or keep") }
        }

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/queue/\(id)/decide",
                                                                 body: ["action": .string(action), "ground": .string(ground), "reason": .string(reason)])
                if global.json { return try printJSON(r) }
                print("decided \(id): \(action) (\(ground))")
            }
        }
    }

    struct Escalate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand a claimed item to a senior moderator.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Case id.") var id: String
        @Option(help: "Why.") var note: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/queue/\(id)/escalate", body: ["note": .string(note)])
                if global.json { return try printJSON(r) }
                print("escalated \(id) to the senior tier")
            }
        }
    }
}
