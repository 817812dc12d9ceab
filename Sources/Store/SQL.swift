import Foundation

/// The SQL engines the store runs on.
public enum SQLDialect: String, Sendable {
    case sqlite, postgres
}

/// A value bound to, or read from, a statement: the common ground of SQLite and PostgreSQL.
public enum SQLValue: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])
}

extension SQLValue {
    /// Refuses text PostgreSQL cannot store (NUL characters), on both engines alike, as bad input.
    static func checkText(_ values: [SQLValue]) throws {
        for case .text(let t) in values where t.utf8.contains(0) {
            throw StoreError("invalid_text", "text values cannot contain NUL (U+0000) characters", kind: .invalidInput)
        }
    }
}

/// A Swift value that binds as a statement argument.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .int(Int64(self)) } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .int(self) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .double(self) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .int(self ? 1 : 0) } }
extension Data: SQLBindable { public var sqlValue: SQLValue { .blob([UInt8](self)) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Array: SQLBindable where Element == UInt8 { public var sqlValue: SQLValue { .blob(self) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// Column names shared by every row of one result.
public final class SQLColumns: Sendable {
    public let names: [String]
    let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names
        var p: [String: Int] = [:]
        for (i, n) in names.enumerated() where p[n] == nil { p[n] = i }
        self.positions = p
    }
}

/// One result row. Accessors convert between the engines' representations (SQLite may hand
/// back an integral REAL as an integer) and throw `bad_row` on a type they cannot convert.
public struct SQLRow: Sendable {
    public let columns: SQLColumns
    public let values: [SQLValue]

    public init(columns: SQLColumns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The value of column `name` (`.null` if the result has no such column).
    public subscript(_ name: String) -> SQLValue {
        columns.positions[name].map { values[$0] } ?? .null
    }

    /// The value at position `i`.
    public subscript(_ i: Int) -> SQLValue { values[i] }

    public func string(_ name: String) throws -> String {
        guard let v = try optionalString(name) else { throw Self.null(name) }
        return v
    }

    public func optionalString(_ name: String) throws -> String? {
        switch self[name] {
        case .null: return nil
        case .text(let s): return s
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        default: throw Self.mismatch(name, "text")
        }
    }

    public func int(_ name: String) throws -> Int64 {
        guard let v = try optionalInt(name) else { throw Self.null(name) }
        return v
    }

    public func optionalInt(_ name: String) throws -> Int64? { try Self.int(self[name], name) }

    public func double(_ name: String) throws -> Double {
        guard let v = try optionalDouble(name) else { throw Self.null(name) }
        return v
    }

    public func optionalDouble(_ name: String) throws -> Double? {
        switch self[name] {
        case .null: return nil
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: throw Self.mismatch(name, "real")
        }
    }

    public func bytes(_ name: String) throws -> [UInt8] {
        switch self[name] {
        case .blob(let b): return b
        case .text(let s): return Array(s.utf8)
        case .null: throw Self.null(name)
        default: throw Self.mismatch(name, "blob")
        }
    }

    public func data(_ name: String) throws -> Data { Data(try bytes(name)) }

    static func int(_ v: SQLValue, _ name: String) throws -> Int64? {
        switch v {
        case .null: return nil
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: return Int64(d)
        default: throw mismatch(name, "integer")
        }
    }

    static func null(_ name: String) -> StoreError {
        StoreError("bad_row", "column \(name) is NULL or missing", kind: .integrity)
    }

    static func mismatch(_ name: String, _ type: String) -> StoreError {
        StoreError("bad_row", "column \(name) is not \(type)", kind: .integrity)
    }
}

/// An open transaction (or, for reads, a connection) on either engine. SQL is written once,
/// with `?` placeholders, in the subset both engines accept.
public protocol SQLTransaction: AnyObject {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns the number of rows it changed.
    @discardableResult func execute(_ sql: String, arguments: [SQLValue]) throws -> Int
    /// Runs a query and collects its rows.
    func query(_ sql: String, arguments: [SQLValue]) throws -> [SQLRow]
    /// Runs `body` in a savepoint: its writes roll back alone if it throws.
    func savepoint<T>(_ body: () throws -> T) throws -> T
}

extension SQLTransaction {
    @discardableResult
    public func execute(_ sql: String, _ args: any SQLBindable...) throws -> Int {
        try execute(sql, arguments: args.map(\.sqlValue))
    }

    public func query(_ sql: String, _ args: any SQLBindable...) throws -> [SQLRow] {
        try query(sql, arguments: args.map(\.sqlValue))
    }

    /// The first row, or nil.
    public func one(_ sql: String, _ args: any SQLBindable...) throws -> SQLRow? {
        try query(sql, arguments: args.map(\.sqlValue)).first
    }

    /// Whether the query returns any row.
    public func exists(_ sql: String, _ args: any SQLBindable...) throws -> Bool {
        try !query(sql, arguments: args.map(\.sqlValue)).isEmpty
    }

    /// The first column of the first row as an integer (nil if no row or NULL).
    public func scalarInt(_ sql: String, _ args: any SQLBindable...) throws -> Int64? {
        guard let row = try query(sql, arguments: args.map(\.sqlValue)).first, !row.values.isEmpty else { return nil }
        return try SQLRow.int(row.values[0], row.columns.names[0])
    }
}

/// A database on either engine: reads see committed data; a write is one transaction.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    func read<T>(_ body: (any SQLTransaction) throws -> T) throws -> T
    func write<T>(_ body: (any SQLTransaction) throws -> T) throws -> T
    /// Pushes deleted data out of logs where the engine allows it (after crypto-shredding).
    func purgeDeleted() throws
    /// Closes connections (a no-op for engines that close on release).
    func close()
}

/// `?` marks for an `IN (…)` list of `count` values.
public func sqlPlaceholders(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}
