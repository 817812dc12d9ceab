import ArgumentParser
import CameoCore
import Foundation
import Policy
import Store

/// `cameo`: the CameoGuard service and its operator, moderator and auditor tools.
@main
struct CameoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cameo",
        abstract: "CameoGuard: consent ledger, likeness matcher and takedown workflow for AI video.",
        version: "0.1.0",
        subcommands: [ServeCommand.self, KeysCommand.self, APIKeyCommand.self, LedgerCommand.self, GrantCommand.self, CheckCommand.self, ReceiptCommand.self, LikenessCommand.self, OwnerCommand.self, IssuerCommand.self, FaceCommand.self, GenerateCommand.self, GenerationCommand.self, ManifestCommand.self, QueueCommand.self, DBCommand.self, BackupCommand.self, BenchCommand.self]
    )
}

/// Options every verb takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data directory (env CAMEO_DATA_DIR).", valueName: "dir"))
    var dataDir: String = ProcessInfo.processInfo.environment["CAMEO_DATA_DIR"] ?? "./cameo-data"

    @Option(name: .long, help: ArgumentHelp("Policy directory (env CAMEO_POLICIES).", valueName: "dir"))
    var policies: String = PolicySet.defaultDirectory()

    @Option(name: .long, help: ArgumentHelp("PostgreSQL URL postgres://user[:password]@host[:port]/db[?schema=name] instead of the data directory's SQLite file (env CAMEO_DATABASE).", valueName: "url"))
    var database: String? = ProcessInfo.processInfo.environment["CAMEO_DATABASE"]

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    /// The data directory, with the database option applied.
    var directory: DataDirectory { DataDirectory(path: dataDir, database: database) }
}

/// Runs a verb body, printing coded errors as `error: <code>: <message>` (or JSON with
/// `--json`) and exiting non-zero: 1 for failed verification, 2 for bad input, 3 otherwise.
func runReporting(json: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let e as any CodedError {
        if json {
            let v: JSONValue = .object(["error": .object(["code": .string(e.code), "message": .string(e.message)])])
            print(String(decoding: (try? CanonicalJSON.encode(v)) ?? [], as: UTF8.self))
        } else {
            FileHandle.standardError.write(Data("error: \(e.code): \(e.message)\n".utf8))
        }
        switch e.kind {
        case .integrity: throw ExitCode(1)
        case .invalidInput, .notFound, .conflict, .stale, .tooLarge, .unauthenticated, .forbidden: throw ExitCode(2)
        default: throw ExitCode(3)
        }
    }
}

/// Prints a JSON value canonically on one line.
func printJSON(_ v: JSONValue) throws {
    print(String(decoding: try CanonicalJSON.encode(v), as: UTF8.self))
}
