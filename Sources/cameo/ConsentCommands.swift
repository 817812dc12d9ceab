import ArgumentParser
import CameoCore
import CameoCrypto
import Foundation
import Ledger

/// `cameo grant`: operators read grants over HTTP.
struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Inspect consent grants (over HTTP).",
                                                     subcommands: [List.self, Show.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an owner's grants, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Option(help: "Owner subject id.") var owner: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let owner = try SubjectID(owner)
                let r = try await APIClient(options: remote).call("GET", "/v1/grants?owner=\(owner.rawValue)")
                if global.json { return try printJSON(r) }
                for item in r["items"]?.arrayValue ?? [] { print(GrantCommand.line(item)) }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one grant.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Grant id.") var id: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("GET", "/v1/grants/\(try GrantID(id).rawValue)")
                if global.json { return try printJSON(r) }
                print(GrantCommand.line(r))
                print(String(decoding: try CanonicalJSON.encode(r["grant"] ?? .null), as: UTF8.self))
            }
        }
    }

    static func line(_ item: JSONValue) -> String {
        let g = item["grant"] ?? .null
        let state = item["revoked_at"]?.stringValue.map { "revoked \($0)" } ?? "active"
        return [g["id"]?.stringValue ?? "?", g["effect"]?.stringValue ?? "?", g["audience"]?["kind"]?.stringValue ?? "?",
                (g["uses"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","), state].joined(separator: "\t")
    }
}

/// `cameo check`: run a consent check over HTTP.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Ask the server whether a requester may use cameos.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: ServerOptions
    @Option(help: "Requester subject id.") var requester: String
    @Option(name: .customLong("cameo"), help: "Cameo owner subject id (repeat for several).") var cameos: [String]
    @Option(help: "Use: generate, remix, public_post, …") var use = "generate"
    @Option(help: "Output audience: only_me, mutuals, everyone, community:<id>.") var audience = "only_me"
    @Option(name: .customLong("tag"), help: "Content tag of the request (repeatable).") var tags: [String] = []
    @Option(help: "Require the node to reflect at least this ledger size.") var atLeast: UInt64?
    @Option(help: "Write the signed receipt to this file.") var receipt: String?

    func run() async throws {
        try await runReporting(json: global.json) {
            var aud: JSONValue = ["kind": .string(audience)]
            if audience.hasPrefix("community:") { aud = ["kind": "community", "community": .string(String(audience.dropFirst(10)))] }
            var body: [String: JSONValue] = ["requester": .string(requester), "cameos": .array(cameos.map { .string($0) }),
                                             "use": .string(use), "audience": aud, "tags": .array(tags.map { .string($0) })]
            if let atLeast { body["at_least"] = .int(Int64(atLeast)) }
            let r = try await APIClient(options: remote).call("POST", "/v1/consent/check", body: .object(body))
            if let receipt, let rc = r["receipt"] {
                try Data(try CanonicalJSON.encode(rc)).write(to: URL(fileURLWithPath: receipt))
            }
            if global.json { return try printJSON(r) }
            print("\(r["decision"]?.stringValue ?? "?") (consistency token \(r["consistency_token"]?.intValue ?? 0))")
            for res in r["results"]?.arrayValue ?? [] {
                print("  \(res["owner"]?.stringValue ?? "?"): \(res["result"]?.stringValue ?? "?") \(res["reason"]?.stringValue ?? "") \((res["grant_ids"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","))")
            }
        }
    }
}

/// `cameo receipt verify`: check a signed receipt offline with the ledger public key.
struct ReceiptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "receipt", abstract: "Verify signed receipts offline.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a receipt file ({statement, signature}) with a public key.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Receipt JSON file.") var file: String
        @Option(help: "Ledger public key PEM (default: the data dir's).") var publicKey: String?
        @Option(help: "Key name (the ledger origin).") var origin = "cameoguard.local/ledger"

        func run() async throws {
            try await runReporting(json: global.json) {
                guard let data = FileManager.default.contents(atPath: file) else { throw CoreError("file_unreadable", "cannot read \(file)") }
                let keyPath = publicKey ?? global.dataDir + "/keys/ledger.pub.pem"
                guard let pem = FileManager.default.contents(atPath: keyPath) else { throw CoreError("file_unreadable", "cannot read public key \(keyPath)") }
                let statement = try SignedStatement(json: JSONValue.parse([UInt8](data)))
                try statement.verify(keyName: origin, publicKey: Ed25519PublicKey(pem: String(decoding: pem, as: UTF8.self)))
                if global.json { try printJSON(["valid": true, "statement": statement.statement]) } else {
                    print("OK: \(statement.statement["kind"]?.stringValue ?? "statement") signed by \(origin)")
                    print(String(decoding: try CanonicalJSON.encode(statement.statement), as: UTF8.self))
                }
            }
        }
    }
}
