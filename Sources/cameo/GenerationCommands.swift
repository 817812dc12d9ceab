import ArgumentParser
import CameoCore
import CameoCrypto
import Foundation
import Generation
import Ledger

/// `cameo generate`: request a clip over HTTP, optionally wait for it with progress.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Request a generated clip (pre-checks, generation, post-check).")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var remote: ServerOptions
    @Option(help: "Requester subject id.") var requester: String
    @Option(help: "The prompt.") var prompt: String
    @Option(name: .customLong("cameo"), help: "Cameo owner subject id (repeatable).") var cameos: [String]
    @Option(help: "Use.") var use = "generate"
    @Option(help: "Output audience: only_me, mutuals, everyone, community:<id>.") var audience = "only_me"
    @Option(help: "Idempotency key.") var requestId: String?
    @Option(help: "Seed (default: random).") var seed: UInt64?
    @Flag(help: "Wait until the clip is released, quarantined or rejected.") var wait = false
    @Option(help: "With --wait: save the released MP4 here (and its manifest next to it).") var out: String?

    func run() async throws {
        try await runReporting(json: global.json) {
            var aud: JSONValue = ["kind": .string(audience)]
            if audience.hasPrefix("community:") { aud = ["kind": "community", "community": .string(String(audience.dropFirst(10)))] }
            var body: [String: JSONValue] = ["requester": .string(requester), "prompt": .string(prompt), "cameos": .array(cameos.map { .string($0) }),
                                             "use": .string(use), "audience": aud]
            if let requestId { body["request_id"] = .string(requestId) }
            if let seed { body["seed"] = .int(Int64(truncatingIfNeeded: seed)) }
            let client = APIClient(options: remote)
            var r = try await client.call("POST", "/v1/generations", body: .object(body))
            let id = r["id"]?.stringValue ?? ""
            if wait || out != nil {
                let start = Date()
                while let s = r["status"]?.stringValue, ["queued", "generating", "checking"].contains(s) {
                    if !global.json { FileHandle.standardError.write(Data("\r\(id) \(s.padding(toLength: 10, withPad: " ", startingAt: 0)) \(Int(Date().timeIntervalSince(start)))s ".utf8)) }
                    try await Task.sleep(for: .milliseconds(500))
                    r = try await client.call("GET", "/v1/generations/\(id)")
                }
                if !global.json { FileHandle.standardError.write(Data("\n".utf8)) }
                if let out, r["status"] == "released" {
                    try await GenerationCommand.download(client, id, to: out)
                }
            }
            if global.json { return try printJSON(r) }
            GenerationCommand.printRecord(r)
        }
    }
}

/// `cameo generation`: inspect and remove generations; verify manifests offline.
struct GenerationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generation", abstract: "Show, list and remove generations (over HTTP).",
                                                     subcommands: [Show.self, List.self, Remove.self])

    static func printRecord(_ r: JSONValue) {
        print("\(r["id"]?.stringValue ?? "?")  \(r["status"]?.stringValue ?? "?")  cameos \((r["cameos"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","))")
        for reason in r["reasons"]?.arrayValue ?? [] { print("  reason: \(reason.stringValue ?? "")") }
        if let pc = r["post_check"], pc != .null {
            print("  post-check: \(pc["frames_checked"]?.intValue ?? 0) frames, \(pc["faces_seen"]?.intValue ?? 0) faces, matched \((pc["matched_subjects"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","))")
        }
        if let h = r["content_sha256"]?.stringValue { print("  sha256 \(h)") }
    }

    static func download(_ client: APIClient, _ id: String, to out: String) async throws {
        let manifest = try await client.call("GET", "/v1/generations/\(id)/manifest")
        let video = try await client.raw("GET", "/v1/generations/\(id)/video")
        try video.write(to: URL(fileURLWithPath: out))
        try Data(try CanonicalJSON.encode(manifest)).write(to: URL(fileURLWithPath: out + ".manifest.json"))
        FileHandle.standardError.write(Data("saved \(out) and \(out).manifest.json\n".utf8))
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one generation.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Generation id.") var id: String
        @Option(help: "Save the released MP4 here.") var out: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let client = APIClient(options: remote)
                let r = try await client.call("GET", "/v1/generations/\(id)")
                if let out { try await GenerationCommand.download(client, id, to: out) }
                if global.json { return try printJSON(r) }
                GenerationCommand.printRecord(r)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recent generations, or a person's appearances.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Option(help: "Only this requester's.") var requester: String?
        @Option(help: "Every generation this subject appears in (as cameo or face).") var appearances: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let path = try appearances.map { "/v1/subjects/\(try SubjectID($0).rawValue)/appearances" }
                    ?? "/v1/generations" + (try requester.map { "?requester=\(try SubjectID($0).rawValue)" } ?? "")
                let r = try await APIClient(options: remote).call("GET", path)
                if global.json { return try printJSON(r) }
                for item in r["items"]?.arrayValue ?? [] { GenerationCommand.printRecord(item) }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a generation on behalf of its requester or a person in it, signed by that person.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Generation id.") var id: String
        @Option(help: "The subject asking (requester or cameo owner).") var onBehalfOf: String
        @Option(help: "That subject's owner private key (PKCS#8 PEM).") var key: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let who = try SubjectID(onBehalfOf)
                let body = try OwnerCommand.device(key).sign(["generation_id": .string(id)], subject: who, action: "generation.remove")
                let r = try await APIClient(options: remote).call("DELETE", "/v1/generations/\(id)?on_behalf_of=\(who.rawValue)", body: body)
                if global.json { return try printJSON(r) }
                GenerationCommand.printRecord(r)
            }
        }
    }
}

/// `cameo manifest verify VIDEO MANIFEST`: offline provenance check.
struct ManifestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "manifest", abstract: "Verify provenance manifests offline.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a clip's hash binding, the manifest signature and the claim embedded in the MP4.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The MP4.") var video: String
        @Argument(help: "The manifest JSON.") var manifest: String
        @Option(help: "Ledger public key PEM (default: the data dir's).") var publicKey: String?
        @Option(help: "Key name (the ledger origin).") var origin = "cameoguard.local/ledger"

        func run() async throws {
            try await runReporting(json: global.json) {
                func read(_ p: String) throws -> [UInt8] {
                    guard let d = FileManager.default.contents(atPath: p) else { throw CoreError("file_unreadable", "cannot read \(p)") }
                    return [UInt8](d)
                }
                let pem = String(decoding: try read(publicKey ?? global.dataDir + "/keys/ledger.pub.pem"), as: UTF8.self)
                let claim = try ProvenanceManifest.embeddedClaim(in: URL(fileURLWithPath: video))
                let statement = try ProvenanceManifest.verify(video: try read(video), manifest: JSONValue.parse(try read(manifest)),
                                                              embeddedClaim: claim, keyName: origin, publicKey: Ed25519PublicKey(pem: pem))
                if global.json { return try printJSON(["valid": true, "manifest": statement]) }
                print("OK: \(video) matches its manifest (sha256 \(statement["content_sha256"]?.stringValue ?? "?"), generation \(statement["claim"]?["generation"]?.stringValue ?? "?"), ledger index \(statement["ledger_index"]?.intValue ?? -1))")
            }
        }
    }
}
