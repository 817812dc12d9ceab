import Foundation
import GRDB

/// SQLite through GRDB: a `DatabasePool` (WAL, `synchronous=FULL`), statements cached per connection.
public final class SQLiteDatabase: SQLDatabase {
    /// The GRDB pool (online backup and tests reach it here).
    public let pool: DatabasePool
    public var dialect: SQLDialect { .sqlite }

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String) throws {
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")  // an acknowledged write survives power loss
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "PRAGMA secure_delete = ON")  // erased keys are zeroed on disk, not left in free pages
        }
        config.busyMode = .timeout(10)
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let e as DatabaseError {
            throw StoreError("database_open_failed", "cannot open \(path): \(e.message ?? "\(e)")", kind: .unavailable)
        }
    }

    public func read<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try Self.mapErrors { try pool.read { db in try body(SQLiteTransaction(db)) } }
    }

    public func write<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try Self.mapErrors { try pool.write { db in try body(SQLiteTransaction(db)) } }
    }

    public func purgeDeleted() throws {
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    public func close() {}

    /// GRDB's errors become store errors; our own errors pass through.
    static func mapErrors<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError {
            switch e.resultCode {
            case .SQLITE_CONSTRAINT: throw StoreError("constraint_violation", e.message ?? "\(e)", kind: .conflict)
            case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR: throw StoreError("database_unavailable", e.message ?? "\(e)", kind: .unavailable)
            default: throw StoreError("database_error", e.message ?? "\(e)", kind: .internalFailure)
            }
        }
    }
}

/// A GRDB `Database` seen as an `SQLTransaction`.
final class SQLiteTransaction: SQLTransaction {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    init(_ db: Database) { self.db = db }

    func execute(_ sql: String, arguments: [SQLValue]) throws -> Int {
        try SQLValue.checkText(arguments)
        return try SQLiteDatabase.mapErrors {
            let statement = try db.cachedStatement(sql: sql)
            try statement.execute(arguments: StatementArguments(arguments.map(Self.bind)))
            return db.changesCount
        }
    }

    func query(_ sql: String, arguments: [SQLValue]) throws -> [SQLRow] {
        try SQLValue.checkText(arguments)
        return try SQLiteDatabase.mapErrors { try fetch(sql, arguments) }
    }

    private func fetch(_ sql: String, _ arguments: [SQLValue]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLColumns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments.map(Self.bind)))
        var rows: [SQLRow] = []
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for i in 0..<row.count { values.append(Self.value(row[i] as DatabaseValue)) }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        var result: T?
        try db.inSavepoint {
            result = try body()
            return .commit
        }
        return result!
    }

    static func bind(_ v: SQLValue) -> DatabaseValue {
        switch v {
        case .null: return .null
        case .int(let i): return i.databaseValue
        case .double(let d): return d.databaseValue
        case .text(let s): return s.databaseValue
        case .blob(let b): return Data(b).databaseValue
        }
    }

    static func value(_ v: DatabaseValue) -> SQLValue {
        switch v.storage {
        case .null: return .null
        case .int64(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .text(s)
        case .blob(let b): return .blob([UInt8](b))
        }
    }
}
