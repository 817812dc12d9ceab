/// A FIFO of job ids shared by a fixed number of workers; `next()` waits when empty.
actor WorkQueue {
    private var items: [String] = []
    private var waiters: [CheckedContinuation<String?, Never>] = []
    private var closed = false

    /// Adds a job id (wakes a waiting worker).
    func push(_ id: String) {
        if !waiters.isEmpty { waiters.removeFirst().resume(returning: id) } else { items.append(id) }
    }

    /// The next id, waiting if none; nil once closed.
    func next() async -> String? {
        if !items.isEmpty { return items.removeFirst() }
        if closed { return nil }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Stops the queue: waiting workers get nil.
    func close() {
        closed = true
        for w in waiters { w.resume(returning: nil) }
        waiters.removeAll()
    }
}
