import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// PostgreSQL through postgres-nio, behind the same synchronous `SQLDatabase` interface as
/// SQLite: a small pool of connections on the store's own event loops, each call waiting for
/// its future on the calling thread (never an event-loop thread of this group).
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    public var dialect: SQLDialect { .postgres }
    /// The parsed location (without password).
    public let location: PostgresLocation
    let logger: Logger
    private let maxConnections: Int
    private let condition = NSCondition()
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var closed = false
    private let nextID = Atomic<Int>(0)
    private let placeholders = Mutex<[String: String]>([:])

    /// The event loops every PostgreSQL connection of this process runs on.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    /// Connects to `url` (`postgres://user[:password]@host[:port]/database[?schema=name]`).
    public init(url: String, maxConnections: Int = 16, logger: Logger = Logger(label: "cameoguard.postgres")) throws {
        self.location = try PostgresLocation(url)
        self.maxConnections = max(2, location.poolSize ?? maxConnections)
        self.logger = logger
        // Fail fast on a wrong address or credentials, with the server's reason.
        try withConnection { _ in }
    }

    // MARK: pool

    /// Runs `body` with a connection of the pool (opening one if none is idle and the pool is not full).
    public func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try checkout()
        var healthy = true
        defer { checkin(connection, healthy: healthy) }
        do { return try body(connection) } catch {
            healthy = !connection.isClosed
            throw error
        }
    }

    private func checkout() throws -> PostgresConnection {
        condition.lock()
        while true {
            if closed {
                condition.unlock()
                throw StoreError("database_closed", "the PostgreSQL pool is closed", kind: .unavailable)
            }
            if let c = idle.popLast() {
                condition.unlock()
                if c.isClosed { condition.lock(); open -= 1; continue }
                return c
            }
            if open < maxConnections { break }
            condition.wait()
        }
        open += 1
        condition.unlock()
        do { return try connect() } catch {
            condition.lock(); open -= 1; condition.signal(); condition.unlock()
            throw error
        }
    }

    private func checkin(_ c: PostgresConnection, healthy: Bool) {
        condition.lock()
        if healthy && !closed && !c.isClosed { idle.append(c) } else { open -= 1; Self.closeQuietly(c) }
        condition.signal()
        condition.unlock()
    }

    /// A new connection with the schema search path set (used by the pool and by listeners).
    public func connect() throws -> PostgresConnection {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let c: PostgresConnection
        do {
            c = try PostgresConnection.connect(on: Self.group.next(), configuration: location.configuration, id: id, logger: logger).wait()
        } catch {
            throw StoreError("database_open_failed", "cannot connect to \(location.display): \(Self.describe(error))", kind: .unavailable)
        }
        if let schema = location.schema {
            do {
                _ = try c.query(PostgresQuery(unsafeSQL: "SET search_path TO \(Self.quoteIdentifier(schema))"), logger: logger).wait()
            } catch {
                Self.closeQuietly(c)
                throw StoreError("database_open_failed", "cannot select schema \(schema): \(Self.describe(error))", kind: .unavailable)
            }
        }
        return c
    }

    deinit { close() }

    public func close() {
        condition.lock()
        closed = true
        let all = idle
        idle.removeAll()
        open -= all.count
        condition.broadcast()
        condition.unlock()
        for c in all { Self.closeQuietly(c) }  // never wait here: deinit may run on an event loop
    }

    /// Closes `c` without waiting, keeping it alive until the close completes (postgres-nio
    /// asserts that a connection is closed before it is deinitialized).
    static func closeQuietly(_ c: PostgresConnection) {
        let closing: EventLoopFuture<Void> = c.close()
        closing.whenComplete { _ in withExtendedLifetime(c) {} }
    }

    // MARK: SQLDatabase

    public func read<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try withConnection { c in try body(PostgresTransaction(c, self)) }
    }

    public func write<T>(_ body: (any SQLTransaction) throws -> T) throws -> T {
        try withConnection { c in
            let tx = PostgresTransaction(c, self)
            try tx.execute("BEGIN")
            do {
                let result = try body(tx)
                try tx.execute("COMMIT")
                return result
            } catch {
                _ = try? tx.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Deleted rows stay in the heap until VACUUM; this asks for it on the table holding keys.
    public func purgeDeleted() throws {
        try withConnection { c in _ = try PostgresTransaction(c, self).execute("VACUUM subject_keys") }
    }

    /// `sql` with its `?` marks numbered `$1, $2…`, cached.
    func numbered(_ sql: String) -> String {
        if let s = placeholders.withLock({ $0[sql] }) { return s }
        let out = Self.numberPlaceholders(sql)
        placeholders.withLock { $0[sql] = out }
        return out
    }

    /// `sql` with its `?` marks numbered `$1, $2…`, leaving quoted strings alone.
    static func numberPlaceholders(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quoted = false
        for ch in sql {
            if ch == "'" { quoted.toggle() }
            if ch == "?" && !quoted {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    static func quoteIdentifier(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message + (e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "") }
            return "\(e.code)"
        }
        return "\(error)"
    }
}

/// A PostgreSQL connection seen as an `SQLTransaction`.
final class PostgresTransaction: SQLTransaction {
    let connection: PostgresConnection
    let database: PostgresDatabase
    private var depth = 0   // savepoints entered
    private var opened = 0  // savepoints issued to the server
    var dialect: SQLDialect { .postgres }

    init(_ connection: PostgresConnection, _ database: PostgresDatabase) {
        self.connection = connection
        self.database = database
    }

    func execute(_ sql: String, arguments: [SQLValue]) throws -> Int {
        try openSavepoints()
        return try run(sql, arguments).metadata.rows ?? 0
    }

    func query(_ sql: String, arguments: [SQLValue]) throws -> [SQLRow] {
        try openSavepoints()
        let result = try run(sql, arguments)
        guard let first = result.rows.first else { return [] }
        let columns = SQLColumns(first.map(\.columnName))
        return try result.rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) }
    }

    /// Savepoints are opened lazily, before the first statement inside them: a record that
    /// writes nothing costs no round trips.
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        depth += 1
        let level = depth
        defer { depth -= 1; opened = min(opened, depth) }
        do {
            let result = try body()
            if opened >= level { _ = try run("RELEASE SAVEPOINT sp\(level)", []) }
            return result
        } catch {
            if opened >= level {
                _ = try run("ROLLBACK TO SAVEPOINT sp\(level)", [])
                _ = try run("RELEASE SAVEPOINT sp\(level)", [])
            }
            throw error
        }
    }

    private func openSavepoints() throws {
        while opened < depth {
            _ = try run("SAVEPOINT sp\(opened + 1)", [])
            opened += 1
        }
    }

    private func run(_ sql: String, _ arguments: [SQLValue]) throws -> PostgresQueryResult {
        try SQLValue.checkText(arguments)
        var binds = PostgresBindings(capacity: arguments.count)
        for a in arguments {
            switch a {
            case .null: binds.appendNull()
            case .int(let i): binds.append(i)
            case .double(let d): binds.append(d)
            case .text(let s): binds.append(s)
            case .blob(let b): binds.append(ByteBuffer(bytes: b))
            }
        }
        let query = PostgresQuery(unsafeSQL: arguments.isEmpty ? sql : database.numbered(sql), binds: binds)
        do {
            return try connection.query(query, logger: database.logger).wait()
        } catch let e as PSQLError {
            throw Self.map(e)
        }
    }

    static func map(_ e: PSQLError) -> StoreError {
        let message = PostgresDatabase.describe(e)
        guard e.code == .server, let state = e.serverInfo?[.sqlState] else {
            return StoreError("database_unavailable", message, kind: .unavailable)
        }
        switch state.prefix(2) {
        case "23": return StoreError("constraint_violation", message, kind: .conflict)
        case "40", "53", "57", "08": return StoreError("database_unavailable", message, kind: .unavailable)
        default: return StoreError("database_error", message, kind: .internalFailure)
        }
    }

    static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2: return .int(try cell.decode(Int64.self))
        case .float8, .float4: return .double(try cell.decode(Double.self))
        case .bool: return .int(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea:
            var buffer = try cell.decode(ByteBuffer.self)
            return .blob(buffer.readBytes(length: buffer.readableBytes) ?? [])
        default: return .text(try cell.decode(String.self))
        }
    }
}

/// A parsed `postgres://` address.
public struct PostgresLocation: Sendable {
    public let host: String
    public let port: Int
    public let user: String
    let password: String?
    public let database: String
    public let schema: String?
    /// Connections per node (`pool=N`), if given.
    public let poolSize: Int?

    /// Parses `postgres://user[:password]@host[:port]/database[?schema=name&pool=N]`.
    public init(_ url: String) throws {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql",
              let host = c.host, !host.isEmpty, let user = c.user, !user.isEmpty else {
            throw StoreError("invalid_database_url", "expected postgres://user[:password]@host[:port]/database[?schema=name], got \(url)", kind: .invalidInput)
        }
        let database = String(c.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty else { throw StoreError("invalid_database_url", "the URL names no database: \(url)", kind: .invalidInput) }
        let schema = c.queryItems?.first(where: { $0.name == "schema" })?.value
        if let schema, schema.isEmpty || !schema.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            throw StoreError("invalid_database_url", "schema must be letters, digits and _", kind: .invalidInput)
        }
        self.host = host
        self.port = c.port ?? 5432
        self.user = user
        self.password = c.password
        self.database = database
        self.schema = schema
        if let pool = c.queryItems?.first(where: { $0.name == "pool" })?.value {
            guard let n = Int(pool), (1...512).contains(n) else { throw StoreError("invalid_database_url", "pool must be 1-512", kind: .invalidInput) }
            self.poolSize = n
        } else {
            self.poolSize = nil
        }
    }

    /// The address without its password, for messages and logs.
    public var display: String { "postgres://\(user)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)" } ?? "") }

    var configuration: PostgresConnection.Configuration {
        PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: .disable)
    }
}
