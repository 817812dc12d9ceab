import Foundation

/// A value behind a POSIX read-write lock: many concurrent readers (consent checks), one
/// writer at a time (applying committed events). Readers never copy the value.
public final class ReadWriteLocked<Value>: @unchecked Sendable {
    private var value: Value
    private var lock = pthread_rwlock_t()

    /// Wraps `value`.
    public init(_ value: Value) {
        self.value = value
        pthread_rwlock_init(&lock, nil)
    }

    deinit { pthread_rwlock_destroy(&lock) }

    /// Runs `body` with shared access.
    public func read<T>(_ body: (borrowing Value) throws -> T) rethrows -> T {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return try body(value)
    }

    /// Runs `body` with exclusive access.
    public func write<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return try body(&value)
    }
}
