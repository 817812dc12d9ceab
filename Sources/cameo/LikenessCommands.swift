import ArgumentParser
import CameoCore
import Foundation

/// `cameo likeness`: identity verification over HTTP.
struct LikenessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "likeness", abstract: "Verify, show and erase likenesses (over HTTP).",
                                                     subcommands: [Enroll.self, Verify.self, Show.self, Erase.self])

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start enrollment: request a liveness challenge (poses + nonce).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/likenesses/\(try SubjectID(subject).rawValue)/challenge")
                if global.json { return try printJSON(r) }
                print("challenge \(r["challenge_id"]?.stringValue ?? "?") nonce \(r["nonce"]?.stringValue ?? "?") expires \(r["expires_at"]?.stringValue ?? "?")")
                print("show, in order: \((r["poses"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " → "))")
                print("then: cameo likeness verify \(subject) --challenge <id> --nonce <nonce> --frame f1.jpg --frame f2.jpg … (or --video clip.mp4)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer a challenge with frames or a video; enrolls on success.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String
        @Option(help: "Challenge id.") var challenge: String
        @Option(help: "Challenge nonce.") var nonce: String
        @Option(name: .customLong("frame"), help: "A JPEG/PNG frame, one per pose, in order (repeatable).") var frames: [String] = []
        @Option(help: "A short MP4 instead of frames.") var video: String?

        func validate() throws {
            guard frames.isEmpty != (video == nil) else { throw ValidationError("give --frame … or --video, not both") }
        }

        func run() async throws {
            try await runReporting(json: global.json) {
                func b64(_ path: String) throws -> JSONValue {
                    guard let d = FileManager.default.contents(atPath: path) else { throw CoreError("file_unreadable", "cannot read \(path)") }
                    return .string(d.base64EncodedString())
                }
                var body: [String: JSONValue] = ["challenge_id": .string(challenge), "nonce": .string(nonce)]
                if let video { body["video"] = try b64(video) } else { body["frames"] = .array(try frames.map(b64)) }
                let r = try await APIClient(options: remote).call("POST", "/v1/likenesses/\(try SubjectID(subject).rawValue)/verify", body: .object(body))
                if global.json { return try printJSON(r) }
                print("\(subject): \(r["status"]?.stringValue ?? "?") (commitment \(r["descriptor_commitment"]?.stringValue ?? "?"), ledger index \(r["ledger_index"]?.intValue ?? -1))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a subject's likeness status.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("GET", "/v1/likenesses/\(try SubjectID(subject).rawValue)")
                if global.json { return try printJSON(r) }
                print("\(subject): \(r["status"]?.stringValue ?? "?")  commitment \(r["descriptor_commitment"]?.stringValue ?? "-")  enrolled \(r["enrolled_at"]?.stringValue ?? "-")")
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Erase a likeness (crypto-shredding; recorded in the ledger).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("DELETE", "/v1/likenesses/\(try SubjectID(subject).rawValue)")
                if global.json { return try printJSON(r) }
                print("erased \(subject) (ledger index \(r["ledger_index"]?.intValue ?? -1))")
            }
        }
    }
}
