import CameoCore
import CameoCrypto
import Consent
import Foundation
import GRDB
import Ledger
import Logging

/// A committed record value that carries consent events for the in-memory index, in order.
protocol CarriesConsentEvents {
    var events: [ConsentEvent] { get }
}

/// Consent state: SQLite tables (the truth), an append-only event log, and the in-memory
/// `ConsentIndex` that answers checks without SQL. Writes go through the ledger's ordered
/// group commit; the index applies them on the commit thread before the writer is
/// acknowledged, so an acknowledged revocation is visible to every later check on this node.
public final class ConsentStore: Sendable {
    let ledger: LedgerStore
    let logger: Logger
    private let state: ReadWriteLocked<(index: ConsentIndex, size: UInt64)>

    /// Opens consent state over `ledger`'s database and rebuilds the index by replaying the log.
    public init(ledger: LedgerStore, logger: Logger = Logger(label: "cameoguard.consent")) throws {
        self.ledger = ledger
        self.logger = logger
        let index = try ConsentStore.replay(ledger.database)
        self.state = ReadWriteLocked((index, ledger.size))
        ledger.setCommitObserver { [state, logger] values, size in
            state.write { s in
                for case let commit as any CarriesConsentEvents in values {
                    for event in commit.events {
                        do { try s.index.apply(event) } catch {
                            // SQL validation admitted it, so this is a bug; the log stays the truth.
                            logger.critical("consent index rejected a committed event", metadata: ["error": "\(error)", "event": "\(event.type)"])
                        }
                    }
                }
                s.size = max(s.size, size)
            }
        }
    }

    /// Replays every logged event into a fresh index (start-up, or after a divergence).
    static func replay(_ database: AppDatabase) throws -> ConsentIndex {
        try database.writer.read { db in
            var index = ConsentIndex()
            let decoder = JSONDecoder()
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, body FROM consent_events ORDER BY seq")
            while let row = try rows.next() {
                let event = try decoder.decode(ConsentEvent.self, from: row["body"] as Data)
                do { try index.apply(event) } catch {
                    throw StoreError("consent_log_corrupt", "event \(row["seq"] as Int64) does not apply: \(error)")
                }
            }
            return index
        }
    }

    /// The ledger size the index reflects (the consistency token of checks on this node).
    public var appliedSize: UInt64 { state.read { $0.size } }

    /// Runs `body` against the current index, with the size it reflects.
    public func withIndex<T>(_ body: (borrowing ConsentIndex, UInt64) throws -> T) rethrows -> T {
        try state.read { s in try body(s.index, s.size) }
    }

    /// Validates `event` against the committed index (early, friendly errors; the SQL checks
    /// inside the transaction are the authority under concurrency).
    func prevalidate(_ event: ConsentEvent) throws {
        try state.read { s in try s.index.validate(event) }
    }

    /// Appends events to the log inside a write transaction.
    static func log(_ events: [ConsentEvent], _ db: Database) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for e in events {
            try db.execute(sql: "INSERT INTO consent_events(type, body) VALUES (?, ?)", arguments: [e.type, try encoder.encode(e)])
        }
    }
}
