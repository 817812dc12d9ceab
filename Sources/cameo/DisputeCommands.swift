import ArgumentParser
import CameoCore
import Foundation
import Ledger

/// `cameo queue disputes|dispute`: likeness disputes (a face enrolled for two subjects), decided by a senior moderator.
struct DisputesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disputes", abstract: "List likeness disputes, open ones by deadline (moderator key).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: ServerOptions
    @Flag(help: "The decided ones instead.") var decided = false

    func run() async throws {
        try await runReporting(json: global.json) {
            let r = try await APIClient(options: remote).call("GET", "/v1/disputes?status=\(decided ? "decided" : "open")")
            if global.json { return try printJSON(r) }
            let items = r["disputes"]?.arrayValue ?? []
            print("ID".padding(toLength: 29, withPad: " ", startingAt: 0) + "LATER            EARLIER          DIST   SLA / DECISION")
            for d in items {
                let sla = d["decision"]?.stringValue ?? ((d["sla_breached"]?.boolValue == true ? "BREACHED " : "due ") + (d["sla_deadline"]?.stringValue ?? "?"))
                let dist = d["distance"].flatMap { if case .double(let x) = $0 { String(format: "%.3f", x) } else { nil } } ?? "?"
                print([(d["id"]?.stringValue ?? "?", 29), (d["subject"]?.stringValue ?? "?", 17), (d["earlier_subject"]?.stringValue ?? "?", 17), (dist, 7)]
                    .map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined() + sla + (d["protected"]?.boolValue == true ? "  (protected)" : ""))
            }
            if items.isEmpty { print("(no \(decided ? "decided" : "open") disputes)") }
        }
    }
}

struct DisputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dispute", abstract: "Show or decide one likeness dispute.",
                                                     subcommands: [Show.self, Decide.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a dispute; --sheet writes both enrollments' faces side by side with their distance (PNG).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Dispute id.") var id: String
        @Option(help: "Write the contact sheet PNG here.") var sheet: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let client = APIClient(options: remote)
                let d = try await client.call("GET", "/v1/disputes/\(id)")
                if let sheet {
                    try await client.raw("GET", "/v1/disputes/\(id)/sheet").write(to: URL(fileURLWithPath: sheet))
                    if !global.json { print("contact sheet written to \(sheet)") }
                }
                if global.json { return try printJSON(d) }
                print("dispute \(id) [\(d["status"]?.stringValue ?? "?")]: \(d["subject"]?.stringValue ?? "?") enrolled the face of \(d["earlier_subject"]?.stringValue ?? "?")")
                print("  distance \(d["distance"].map { "\($0)" } ?? "?") (a dispute opens below \(d["threshold"].map { "\($0)" } ?? "?"))\(d["protected"]?.boolValue == true ? ", the earlier likeness is protected" : "")")
                print("  SLA deadline \(d["sla_deadline"]?.stringValue ?? "?")\(d["sla_breached"]?.boolValue == true ? " (BREACHED)" : "")")
                if let decision = d["decision"]?.stringValue { print("  decided: \(decision) by \(d["decided_by"]?.stringValue ?? "?")") }
                else { print("  until decided neither likeness can be granted or used; decide with: cameo queue dispute decide \(id) different_people|keep_earlier|transfer --reason …") }
            }
        }
    }

    struct Decide: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Settle a dispute (senior key): different_people, keep_earlier, or transfer (the earlier likeness erased, its clips withheld, a strike).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Dispute id.") var id: String
        @Argument(help: "different_people, keep_earlier or transfer.") var decision: String
        @Option(help: "Written reason (10+ characters); kept with the dispute, its SHA-256 in the ledger.") var reason: String

        func validate() throws {
            guard ["different_people", "keep_earlier", "transfer"].contains(decision) else { throw ValidationError("decision must be different_people, keep_earlier or transfer") }
        }

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/disputes/\(id)/decide", body: ["decision": .string(decision), "reason": .string(reason)])
                if global.json { return try printJSON(r) }
                print("decided \(id): \(decision)")
            }
        }
    }
}
