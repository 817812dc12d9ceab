import CameoCore
import CameoCrypto
import Consent
import Foundation
import Synchronization
import Ledger
import Logging

/// Consent state: the tables (the truth), an append-only event log (`consent_events`), and the
/// in-memory `ConsentIndex` that answers checks without SQL. The index is a replay of the log
/// in `seq` order. After every local commit, on the commit thread and before any writer is
/// acknowledged, the index catches up from the log, so an acknowledged revocation is visible
/// to every later check on this node. Other nodes' commits (PostgreSQL) arrive the same way,
/// prompted by NOTIFY or by a request's consistency token.
public final class ConsentStore: Sendable {
    let ledger: LedgerStore
    let logger: Logger
    private let state: ReadWriteLocked<(index: ConsentIndex, size: UInt64, seq: Int64)>
    private let catchUpLock = Mutex<Void>(())

    /// Opens consent state over `ledger`'s database and builds the index by replaying the log.
    public init(ledger: LedgerStore, logger: Logger = Logger(label: "cameoguard.consent")) throws {
        self.ledger = ledger
        self.logger = logger
        self.state = ReadWriteLocked((ConsentIndex(), 0, 0))
        try catchUp()
        ledger.setCommitObserver { [weak self] size in
            guard let self else { return }
            do { try self.catchUp(knownSize: size) } catch {
                // The write is durable; the next catch-up (another commit, NOTIFY, a token) applies it.
                self.logger.critical("consent index could not catch up after a commit", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies every logged event after the last applied one, in `seq` order. `knownSize` is a
    /// ledger size known to be committed before this call (the batch just committed); without
    /// it the size is read first, so the index always reflects at least the size it reports.
    public func catchUp(knownSize: UInt64? = nil) throws {
        try catchUpLock.withLock { _ in
            let from = state.read { $0.seq }
            let (size, events) = try ledger.database.writer.read { db -> (UInt64, [(Int64, ConsentEvent)]) in
                let size = try knownSize ?? LedgerStore.storedSize(db)
                let decoder = JSONDecoder()
                let events = try db.query("SELECT seq, body FROM consent_events WHERE seq > ? ORDER BY seq", from).map { row in
                    (try row.int("seq"), try decoder.decode(ConsentEvent.self, from: try row.data("body")))
                }
                return (size, events)
            }
            try state.write { s in
                for (seq, event) in events {
                    do { try s.index.apply(event) } catch {
                        throw StoreError("consent_log_corrupt", "event \(seq) does not apply: \(error)", kind: .integrity)
                    }
                    s.seq = seq
                }
                s.size = max(s.size, size)
            }
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
    /// A rejection is re-checked after catching up: the subject or grant it names may have
    /// been committed by another node a moment ago.
    func prevalidate(_ event: ConsentEvent) throws {
        do { try state.read { s in try s.index.validate(event) } } catch {
            try catchUp()
            try state.read { s in try s.index.validate(event) }
        }
    }

    /// `lookup` on the index, and again after catching up if it finds nothing (another node
    /// may have just committed what it looks for).
    func lookup<T>(_ lookup: (borrowing ConsentIndex) -> T?) -> T? {
        if let found = state.read({ s in lookup(s.index) }) { return found }
        do { try catchUp() } catch {
            logger.warning("catch-up before a lookup failed", metadata: ["error": "\(error)"])
            return nil
        }
        return state.read { s in lookup(s.index) }
    }

    /// Appends events to the log inside a write transaction.
    static func log(_ events: [ConsentEvent], _ db: any SQLTransaction) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for e in events {
            try db.execute("INSERT INTO consent_events(type, body) VALUES (?, ?)", e.type, try encoder.encode(e))
        }
    }
}
