import Synchronization

/// Wakes idle workers. Jobs live in the database and are claimed there (so any node can run
/// any job, and none runs one twice); a local submit wakes a worker at once, and workers
/// also poll, which is how jobs submitted on other nodes are found.
final class Waker: Sendable {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var next: UInt64 = 0
        var pending = 0
        var closed = false
    }
    private let state = Mutex(State())

    /// Wakes one waiting worker (or the next one to wait).
    func signal() {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let key = s.waiters.keys.min() { return s.waiters.removeValue(forKey: key) }
            s.pending += 1
            return nil
        }
        c?.resume()
    }

    /// Returns when signalled, closed, or after `timeout`.
    func wait(timeout: Duration) async {
        let key: UInt64? = state.withLock { s in
            if s.closed { return nil }
            if s.pending > 0 { s.pending -= 1; return nil }
            s.next += 1
            return s.next
        }
        guard let key else { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let closed = state.withLock { s -> Bool in
                if s.closed { return true }
                s.waiters[key] = c
                return false
            }
            if closed { c.resume(); return }
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.state.withLock { $0.waiters.removeValue(forKey: key) }?.resume()
            }
        }
    }

    /// Whether `close()` was called.
    var isClosed: Bool { state.withLock { $0.closed } }

    /// Stops: every waiting worker returns, and later waits return at once.
    func close() {
        let all = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.closed = true
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for c in all { c.resume() }
    }
}
