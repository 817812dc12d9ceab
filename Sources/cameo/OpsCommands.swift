import ArgumentParser
import CameoCore
import Foundation
import GRDB
import Store

/// `cameo db migrate`: apply pending migrations (they also run at every start).
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Database operations.", subcommands: [Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations and list them.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await runReporting(json: global.json) {
                let dir = global.directory
                guard dir.exists else { throw StoreError("data_dir_missing", "data directory \(dir.url.path) does not exist; run `cameo keys init`", kind: .invalidInput) }
                let db = try AppDatabase.open(dir.databaseLocation)  // migrates
                let applied = try db.appliedMigrations()
                if global.json { return try printJSON(["applied": .array(applied.map { .string($0) })]) }
                print("schema up to date: \(applied.joined(separator: ", "))")
            }
        }
    }
}

/// `cameo backup --out FILE`: a consistent online copy of the SQLite database (the server may
/// keep running). For PostgreSQL deployments use `pg_dump`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Online backup of the SQLite database (keys are copied separately).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Destination file (must not exist).") var out: String

    func run() async throws {
        try await runReporting(json: global.json) {
            let dir = global.directory
            guard dir.exists else { throw StoreError("data_dir_missing", "data directory \(dir.url.path) does not exist", kind: .invalidInput) }
            guard !FileManager.default.fileExists(atPath: out) else { throw CoreError("backup_exists", "\(out) exists; choose a new file") }
            if let url = dir.database {
                let location = try PostgresLocation(url)
                throw StoreError("backup_unsupported", "this node runs on PostgreSQL; back it up with: pg_dump --format=custom --host \(location.host) --port \(location.port) --username \(location.user)\(location.schema.map { " --schema \($0)" } ?? "") --file \(out) \(location.database)", kind: .invalidInput)
            }
            guard let source = try AppDatabase(path: dir.databasePath).writer as? SQLiteDatabase else { return }
            let target = try DatabaseQueue(path: out + ".partial")
            do {
                try source.pool.backup(to: target)
                try FileManager.default.moveItem(atPath: out + ".partial", toPath: out)
            } catch {
                try? FileManager.default.removeItem(atPath: out + ".partial")
                throw StoreError("backup_failed", "\(error)")
            }
            let size = try LedgerStore(database: AppDatabase(path: out)).size
            if global.json { return try printJSON(["out": .string(out), "ledger_size": .int(Int64(size))]) }
            print("backed up to \(out) (ledger size \(size)); copy \(dir.url.path)/keys separately and keep it secret")
        }
    }
}
