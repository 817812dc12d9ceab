import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// Keeps a node in step with commits made by other nodes (or other processes): on every
/// PostgreSQL NOTIFY on the ledger's channel, and at least every `pollInterval` (a missed
/// notification while reconnecting costs at most that), it re-reads the ledger's border and
/// calls `onChange` with the sizes before and after. The callback catches up what the node
/// holds in memory (the consent index, the face gallery, the hash bank).
public final class LedgerFollower: Sendable {
    let ledger: LedgerStore
    let pollInterval: Duration
    let onChange: @Sendable (_ from: UInt64, _ to: UInt64) -> Void
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let listener = Mutex<PostgresConnection?>(nil)
    private let wake: AsyncStream<Void>.Continuation
    private let stream: AsyncStream<Void>

    public init(ledger: LedgerStore, pollInterval: Duration = .seconds(1), logger: Logger = Logger(label: "cameoguard.follower"),
                onChange: @escaping @Sendable (_ from: UInt64, _ to: UInt64) -> Void) {
        self.ledger = ledger
        self.pollInterval = pollInterval
        self.onChange = onChange
        self.logger = logger
        (stream, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Starts listening and polling.
    public func start() {
        let t = Task.detached { [self] in
            let ticker = Task { [wake, pollInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: pollInterval)
                    wake.yield()
                }
            }
            defer { ticker.cancel() }
            for await _ in stream {
                if Task.isCancelled { break }
                ensureListening()
                step()
            }
        }
        task.withLock { $0 = t }
        wake.yield()
    }

    /// One catch-up: refresh the border and report.
    public func step() {
        do {
            let (from, to) = try ledger.refresh()
            onChange(from, to)
        } catch {
            logger.warning("catch-up failed; retrying", metadata: ["error": "\(error)"])
        }
    }

    deinit { stop() }

    /// Stops listening and polling.
    public func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
        wake.finish()
        if let c = listener.withLock({ l -> PostgresConnection? in defer { l = nil }; return l }) {
            PostgresDatabase.closeQuietly(c)
        }
    }

    /// Opens the LISTEN connection if this is PostgreSQL and it is not open.
    private func ensureListening() {
        guard let pg = ledger.database.writer as? PostgresDatabase else { return }
        if let c = listener.withLock({ $0 }), !c.isClosed { return }
        do {
            let c = try pg.connect()
            c.addListener(channel: ledger.channel) { [wake] _, _ in wake.yield() }
            do {
                _ = try c.query(PostgresQuery(unsafeSQL: "LISTEN \(ledger.channel)"), logger: logger).wait()
            } catch {
                PostgresDatabase.closeQuietly(c)
                throw error
            }
            let old = listener.withLock { l -> PostgresConnection? in defer { l = c }; return l }
            if let old { PostgresDatabase.closeQuietly(old) }
            logger.info("listening for ledger commits", metadata: ["channel": "\(ledger.channel)"])
        } catch {
            logger.warning("cannot LISTEN; polling only until the next attempt", metadata: ["error": "\(error)"])
        }
    }
}
