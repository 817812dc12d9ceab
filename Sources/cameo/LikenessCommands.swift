import ArgumentParser
import CameoCore
import Foundation
import Identity

/// `cameo likeness`: identity verification over HTTP.
struct LikenessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "likeness", abstract: "Verify, show and erase likenesses (over HTTP).",
                                                     subcommands: [Enroll.self, Verify.self, Show.self, Erase.self, Protect.self, Unprotect.self])

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
                print("record one continuous video with sound: turn your head \((r["poses"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " → ")), "
                      + "blink \(r["blinks"]?.intValue ?? 0) times, and read aloud: \((r["digits"]?.stringValue ?? "").map(String.init).joined(separator: " "))")
                print("then: cameo likeness verify \(subject) --challenge <id> --nonce <nonce> --video answer.mp4 (where the node runs the embedded verifier)")
                print("  or: cameo likeness verify \(subject) --challenge <id> --nonce <nonce> --attestation <vendor JWS> --selfie selfie.jpg [--owner-key device.pub.pem]")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Answer a challenge: a vendor attestation with its selfie (or, where the policy allows, a video or frames); enrolls on success.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String
        @Option(help: "Challenge id.") var challenge: String
        @Option(help: "Challenge nonce.") var nonce: String
        @Option(help: "The identity vendor's attestation (compact JWS), or @FILE.") var attestation: String?
        @Option(help: "The selfie (JPEG/PNG) the attestation covers.") var selfie: String?
        @Option(name: .customLong("frame"), help: "A JPEG/PNG frame, one per pose, in order (repeatable; only where the policy allows stills).") var frames: [String] = []
        @Option(help: "The recorded answer: one continuous MP4/MOV/WebM with sound (where the policy allows video).") var video: String?
        @Option(help: "Owner device public key to register (SPKI PEM file).") var ownerKey: String?

        func validate() throws {
            let answers = [attestation != nil, !frames.isEmpty, video != nil].filter { $0 }.count
            guard answers == 1 else { throw ValidationError("give one of --attestation (with --selfie), --video, --frame …") }
            guard (attestation == nil) == (selfie == nil) else { throw ValidationError("--attestation goes with --selfie") }
        }

        func run() async throws {
            try await runReporting(json: global.json) {
                func b64(_ path: String) throws -> JSONValue {
                    guard let d = FileManager.default.contents(atPath: path) else { throw CoreError("file_unreadable", "cannot read \(path)") }
                    return .string(d.base64EncodedString())
                }
                var body: [String: JSONValue] = ["challenge_id": .string(challenge), "nonce": .string(nonce)]
                if let attestation, let selfie {
                    var token = attestation
                    if token.hasPrefix("@") {
                        guard let t = try? String(contentsOfFile: String(token.dropFirst()), encoding: .utf8) else { throw CoreError("file_unreadable", "cannot read \(token.dropFirst())") }
                        token = t
                    }
                    body["attestation"] = .string(token.trimmingCharacters(in: .whitespacesAndNewlines))
                    body["selfie"] = try b64(selfie)
                } else if let video { body["video"] = try b64(video) } else { body["frames"] = .array(try frames.map(b64)) }
                if let ownerKey {
                    guard let pem = try? String(contentsOfFile: ownerKey, encoding: .utf8) else { throw CoreError("file_unreadable", "cannot read \(ownerKey)") }
                    body["owner_public_key"] = .string(pem)
                }
                let r = try await APIClient(options: remote).call("POST", "/v1/likenesses/\(try SubjectID(subject).rawValue)/verify", body: .object(body))
                if global.json { return try printJSON(r) }
                print("\(subject): \(r["status"]?.stringValue ?? "?") by \(r["method"]?.stringValue ?? "?") (commitment \(r["descriptor_commitment"]?.stringValue ?? "?"), ledger index \(r["ledger_index"]?.intValue ?? -1)\(r["owner_key_id"]?.stringValue.map { ", owner key " + $0 } ?? ""))")
                if let d = r["dispute_id"]?.stringValue {
                    print("the face is enrolled for another subject too: dispute \(d) waits for a senior moderator; until then neither likeness can be granted or used")
                }
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
                print("\(subject): \(r["status"]?.stringValue ?? "?")  commitment \(r["descriptor_commitment"]?.stringValue ?? "-")  enrolled \(r["enrolled_at"]?.stringValue ?? "-")"
                      + (r["protected"]?.stringValue.map { "  protected (\($0))" } ?? "") + (r["dispute_id"]?.stringValue.map { "  dispute \($0)" } ?? ""))
            }
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Erase a likeness, signed by its owner (crypto-shredding; owner keys retired, grants revoked; recorded in the ledger).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String
        @Option(help: "The owner's private key (PKCS#8 PEM) that signs the erasure.") var key: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let id = try SubjectID(subject)
                let body = try OwnerCommand.device(key).sign([:], subject: id, action: "likeness.erase")
                let r = try await APIClient(options: remote).call("DELETE", "/v1/likenesses/\(id.rawValue)", body: body)
                if global.json { return try printJSON(r) }
                print("erased \(subject) (ledger index \(r["ledger_index"]?.intValue ?? -1))")
            }
        }
    }

    struct Protect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Protect a likeness (senior key): public_figure, deceased (an estate's request) or minor; new enrollments of the face go to a senior dispute.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String
        @Option(help: "public_figure, deceased or minor.") var category: String
        @Option(help: "Written reason (10+ characters); kept in the store, its SHA-256 in the ledger.") var reason: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("POST", "/v1/likenesses/\(try SubjectID(subject).rawValue)/protection",
                                                                 body: ["category": .string(category), "reason": .string(reason)])
                if global.json { return try printJSON(r) }
                print("protected \(subject) (\(category)) at ledger index \(r["ledger_index"]?.intValue ?? -1)")
            }
        }
    }

    struct Unprotect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a likeness's protection (senior key).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var remote: ServerOptions
        @Argument(help: "Subject id.") var subject: String
        @Option(help: "Written reason (10+ characters).") var reason: String

        func run() async throws {
            try await runReporting(json: global.json) {
                let r = try await APIClient(options: remote).call("DELETE", "/v1/likenesses/\(try SubjectID(subject).rawValue)/protection", body: ["reason": .string(reason)])
                if global.json { return try printJSON(r) }
                print("unprotected \(subject) at ledger index \(r["ledger_index"]?.intValue ?? -1)")
            }
        }
    }
}
