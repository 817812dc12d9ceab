import ArgumentParser
import CameoCore
import CameoCrypto
import Foundation
import Ledger
import Store

/// `cameo ledger`: the auditor's contract — export, offline verify, proofs, checkpoints.
struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ledger", abstract: "Export, verify and prove the consent ledger.",
                                                     subcommands: [Export.self, Verify.self, Prove.self, Consistency.self, CheckpointVerb.self])

    static func open(_ g: GlobalOptions) throws -> (DataDirectory, LedgerStore) {
        let dir = g.directory
        guard dir.exists else {
            throw StoreError("data_dir_missing", "data directory \(dir.url.path) does not exist", kind: .invalidInput)
        }
        return (dir, try LedgerStore(database: AppDatabase.open(dir.databaseLocation)))
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write entries.jsonl, checkpoint, public.pem and README.txt to a new directory.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Output directory (must not exist or be empty).") var out: String
        @Option(help: "Export the first N entries (default: all).") var size: UInt64?
        @Flag(help: "Also write statements.jsonl: the owner-signed statements behind consent writes (may hold personal data).") var statements = false

        func run() async throws {
            try await runReporting(json: global.json) {
                let (dir, ledger) = try LedgerCommand.open(global)
                let summary = try BundleExporter.export(ledger: ledger, key: dir.loadSigningKey(), dataDirectory: dir,
                                                        to: out, size: size, statements: statements, progress: global.json ? nil : { done, total in
                    FileHandle.standardError.write(Data("\rexported \(done)/\(total) entries".utf8))
                })
                if global.json {
                    try printJSON(["out": .string(out), "size": .int(Int64(summary.size)), "root": .string(summary.root.base64)])
                } else {
                    FileHandle.standardError.write(Data("\n".utf8))
                    print("exported \(summary.size) entries to \(out) (root \(summary.root.base64))")
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify an export bundle offline: signature, canonical entries, Merkle root, owner signatures of consent writes.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Bundle directory.") var bundle: String
        @Option(help: "Trusted public key PEM (default: the bundle's public.pem).") var publicKey: String?

        func run() async throws {
            try await runReporting(json: global.json) {
                let s = try BundleExporter.verify(directory: bundle, publicKeyPath: publicKey)
                if global.json {
                    let g = s.signatures
                    try printJSON(["valid": true, "origin": .string(s.origin), "size": .int(Int64(s.size)), "root": .string(s.root.base64),
                                   "types": .object(s.types.mapValues { .int(Int64($0)) }),
                                   "consent_writes": ["total": .int(Int64(g.consentWrites)), "owner_signed": .int(Int64(g.ownerSigned)),
                                                      "platform": .int(Int64(g.platform)), "signatures_verified": .int(Int64(g.signaturesVerified)),
                                                      "statements_checked": .bool(g.statementsChecked)]])
                } else {
                    print("OK: \(s.size) entries, root \(s.root.base64), signed by \(s.origin)")
                    print("  \(s.signatures.line)")
                    for (t, n) in s.types.sorted(by: { $0.key < $1.key }) { print("  \(t): \(n)") }
                }
            }
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an RFC 9162 inclusion proof.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Leaf index.") var index: UInt64
        @Option(help: "Tree size (default: current).") var size: UInt64?

        func run() async throws {
            try await runReporting(json: global.json) {
                let (_, ledger) = try LedgerCommand.open(global)
                let v = try ledger.inclusionJSON(index: index, size: size ?? ledger.size)
                try printJSON(v)
            }
        }
    }

    struct Consistency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an RFC 9162 consistency proof.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Older tree size.") var from: UInt64
        @Option(help: "Newer tree size (default: current).") var to: UInt64?

        func run() async throws {
            try await runReporting(json: global.json) {
                let (_, ledger) = try LedgerCommand.open(global)
                try printJSON(try ledger.consistencyJSON(from: from, to: to ?? ledger.size))
            }
        }
    }

    struct CheckpointVerb: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Print the latest signed checkpoint.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await runReporting(json: global.json) {
                let (dir, ledger) = try LedgerCommand.open(global)
                let note = try ledger.checkpoint(key: dir.loadSigningKey())
                if global.json {
                    let cp = try Checkpoint(body: note.text)
                    try printJSON(["origin": .string(cp.origin), "size": .int(Int64(cp.size)), "root": .string(cp.root.base64), "note": .string(note.serialized)])
                } else {
                    print(note.serialized, terminator: "")
                }
            }
        }
    }
}
