import CameoCore
import Foundation

/// One ledger entry: the canonical JSON object `{actor, payload, subject, time, type}`.
/// Payloads carry ids and SHA-256 commitments, never biometrics or secrets.
public struct LedgerEntry: Sendable, Hashable {
    /// Entry type, e.g. `api_key.created`, `grant.created`.
    public let type: String
    /// When the action happened (UTC, millisecond precision in the encoding).
    public let time: Date
    /// Who did it: `key:<id>`, `system`, `cli:<user>`.
    public let actor: String
    /// What it is about (an id), or empty.
    public let subject: String
    /// Type-specific data.
    public let payload: [String: JSONValue]

    /// Creates an entry; `type` is `[a-z_.]{1,64}`.
    public init(type: String, time: Date, actor: String, subject: String = "", payload: [String: JSONValue] = [:]) throws {
        guard (1...64).contains(type.utf8.count), type.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2E }) else {
            throw LedgerError("bad_entry_type", "entry type must be 1-64 of [a-z_.], got \(type.prefix(40).debugDescription)")
        }
        self.type = type
        self.time = time
        self.actor = actor
        self.subject = subject
        self.payload = payload
    }

    /// The entry as a JSON value.
    public var json: JSONValue {
        .object(["type": .string(type), "time": .string(Timestamp.format(time)), "actor": .string(actor),
                 "subject": .string(subject), "payload": .object(payload)])
    }

    /// The exact bytes that are hashed into the tree (RFC 8785).
    public func canonicalBytes() throws -> [UInt8] { try CanonicalJSON.encode(json) }

    /// Parses and validates the bytes of one stored/exported entry; they must be canonical.
    public init(canonical bytes: [UInt8]) throws {
        let v = try JSONValue.parse(bytes)
        guard CanonicalJSON.isCanonical(bytes) else { throw LedgerError("entry_not_canonical", "entry bytes are not RFC 8785 canonical JSON") }
        guard case .object(let o) = v, o.count == 5,
              let type = o["type"]?.stringValue, let t = o["time"]?.stringValue, let time = Timestamp.parse(t),
              let actor = o["actor"]?.stringValue, let subject = o["subject"]?.stringValue,
              case .object(let payload)? = o["payload"] else {
            throw LedgerError("bad_entry", "entry must be an object with exactly type, time, actor, subject, payload")
        }
        try self.init(type: type, time: time, actor: actor, subject: subject, payload: payload)
    }
}

/// RFC 3339 UTC timestamps with milliseconds, the single time format of entries and receipts.
public enum Timestamp {
    /// `2026-11-25T12:00:00.000Z`.
    public static func format(_ d: Date) -> String {
        d.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted))
    }

    /// Parses RFC 3339 with or without fractional seconds.
    public static func parse(_ s: String) -> Date? {
        if let d = try? Date(s, strategy: .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true).timeSeparator(.colon).timeZone(separator: .omitted)) { return d }
        return try? Date(s, strategy: .iso8601)
    }
}
