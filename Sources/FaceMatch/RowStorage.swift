#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The contiguous `Float` storage of a ``Gallery``: a copy-on-write value like `[Float]`, but
/// allocated by FaceMatch so that large buffers can ask Linux for transparent huge pages
/// before they are first written. A search over a large gallery streams the whole buffer
/// from memory; with 2 MB pages instead of 4 KB ones it no longer pays a TLB miss every 4 KB
/// (measured: a 512 MB single-query scan ~17% faster). Elsewhere this is a plain buffer.
struct RowStorage: @unchecked Sendable {
    // Mutated only when uniquely referenced (copy-on-write), so sharing between threads is safe.
    private var buffer: Buffer

    init() { buffer = Buffer(capacity: 0) }

    /// Number of floats stored.
    var count: Int { buffer.count }

    /// Appends `values`, growing the allocation geometrically.
    mutating func append(contentsOf values: [Float]) {
        reserve(count + values.count)
        values.withUnsafeBufferPointer { source in
            (buffer.base + buffer.count).update(from: source.baseAddress!, count: source.count)
        }
        buffer.count += values.count
    }

    /// Copies `length` floats from offset `from` to offset `to` (non-overlapping ranges).
    mutating func copy(from: Int, to: Int, length: Int) {
        reserve(count)
        precondition(from + length <= count && to + length <= count, "row copy out of range")
        (buffer.base + to).update(from: buffer.base + from, count: length)
    }

    /// Drops the last `n` floats.
    mutating func removeLast(_ n: Int) {
        precondition(n <= count, "cannot remove more than stored")
        reserve(count)
        buffer.count -= n
    }

    /// `length` floats from offset `start`.
    func slice(_ start: Int, _ length: Int) -> [Float] {
        precondition(start + length <= count, "slice out of range")
        return Array(UnsafeBufferPointer(start: buffer.base + start, count: length))
    }

    /// Read access to the stored floats.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(buffer) { try body(UnsafeBufferPointer(start: buffer.base, count: buffer.count)) }
    }

    /// Makes the buffer unique and able to hold `floats` floats.
    private mutating func reserve(_ floats: Int) {
        let unique = isKnownUniquelyReferenced(&buffer)
        guard !unique || floats > buffer.capacity else { return }
        let capacity = floats > buffer.capacity ? max(floats, buffer.capacity * 2, 1_024) : buffer.capacity
        let grown = Buffer(capacity: capacity)
        grown.base.update(from: buffer.base, count: buffer.count)
        grown.count = buffer.count
        buffer = grown
    }

    /// One allocation; freed when the last `RowStorage` using it goes away.
    private final class Buffer {
        static let hugePage = 2 << 20
        let base: UnsafeMutablePointer<Float>
        let capacity: Int
        var count = 0

        init(capacity: Int) {
            self.capacity = capacity
            let bytes = max(capacity, 1) * MemoryLayout<Float>.stride
            let huge = bytes >= 2 * Self.hugePage
            var raw: UnsafeMutableRawPointer?
            guard posix_memalign(&raw, huge ? Self.hugePage : 64, bytes) == 0, let raw else {
                fatalError("FaceMatch: cannot allocate \(bytes) bytes of gallery storage")
            }
            #if os(Linux)
            if huge {
                // Advice only: ignored where THP is disabled; must come before the first write.
                _ = madvise(raw, bytes / Self.hugePage * Self.hugePage, MADV_HUGEPAGE)
            }
            #endif
            base = raw.bindMemory(to: Float.self, capacity: max(capacity, 1))
        }

        deinit { free(base) }
    }
}
