import ArgumentParser
import CameoCore
import CameoCrypto
import Foundation
import Ledger

/// `cameo grant`: operators read grants over HTTP.
struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant", abstract: "Create, revoke and inspect consent grants (over HTTP; writes are owner-signed).",
                                                     subcommands: [Create.self, Revoke.self, List.self, Show.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a grant, signed with the owner's key.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Option(help: "Owner subject id.") var owner: String
        @Option(help: "The owner's private key (PKCS#8 PEM).") var key: String
        @Option(help: "Audience: everyone, mutuals, approved:<id>[,<id>…], community:<id>.") var audience = "mutuals"
        @Option(name: .customLong("use"), help: "Allowed use (repeatable).") var uses: [String] = ["generate"]
        @Option(name: .customLong("forbid"), help: "Forbidden content tag (repeatable).") var forbidden: [String] = []
        @Option(help: "Expiry (RFC 3339).") var expiresAt: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let owner = try SubjectID(owner)
                var aud: JSONValue = ["kind": .string(audience)]
                if audience.hasPrefix("approved:") {
                    aud = ["kind": "approved", "subjects": .array(audience.dropFirst(9).split(separator: ",").map { .string(String($0)) })]
                } else if audience.hasPrefix("community:") {
                    aud = ["kind": "community", "community": .string(String(audience.dropFirst(10)))]
                }
                var body: [String: JSONValue] = ["owner": .string(owner.rawValue), "audience": aud, "uses": .array(uses.map { .string($0) }),
                                                 "forbidden_tags": .array(forbidden.map { .string($0) })]
                if let expiresAt { body["expires_at"] = .string(expiresAt) }
                let signed = try OwnerCommand.device(key).sign(.object(body), subject: owner, action: "grant.create")
                let r = try await APIClient(options: remote).call("POST", "/v1/grants", body: signed)
                if global.json { return try printJSON(r) }
                print("\(GrantCommand.line(r)) (ledger index \(r["ledger_index"]?.intValue ?? -1))")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a grant, signed with the owner's key; effective when acknowledged.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Grant id.") var id: String
        @Option(help: "Owner subject id.") var owner: String
        @Option(help: "The owner's private key (PKCS#8 PEM).") var key: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let id = try GrantID(id)
                let signed = try OwnerCommand.device(key).sign(["grant_id": .string(id.rawValue)], subject: SubjectID(owner), action: "grant.revoke")
                let r = try await APIClient(options: remote).call("DELETE", "/v1/grants/\(id.rawValue)", body: signed)
                if global.json { return try printJSON(r) }
                print("revoked \(id) (ledger index \(r["ledger_index"]?.intValue ?? -1), consistency token \(r["consistency_token"]?.intValue ?? -1))")
            }
        }
    }

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
