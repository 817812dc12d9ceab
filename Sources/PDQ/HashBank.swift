/// An in-memory bank of PDQ hashes under string ids, searched by exact linear scan.
///
/// Hashes live in one contiguous `[UInt64]` (four words per entry), so a query is a tight
/// XOR-and-popcount loop over memory read front to back: ~1M entries in a few milliseconds
/// on one core (see the benchmark). Ids are unique; adding an id again replaces its hash.
/// Removal swaps the last entry into the hole, so it is O(1) and order is not preserved.
/// A value type: copies are independent (copy-on-write). Persistence is the caller's.
public struct HashBank: Sendable {
    /// One search hit.
    public struct Match: Hashable, Sendable {
        /// The id the hash was added under.
        public let id: String
        /// Hamming distance from the query, 0…256.
        public let distance: Int
    }

    private var words: [UInt64] = []
    private var ids: [String] = []
    private var slots: [String: Int] = [:]

    /// An empty bank.
    public init() {}

    /// A bank holding `entries`; a repeated id keeps its last hash.
    public init(_ entries: some Sequence<(id: String, hash: PDQHash)>) {
        for (id, hash) in entries { add(id: id, hash: hash) }
    }

    /// The number of hashes held.
    public var count: Int { ids.count }

    /// Whether the bank holds no hashes.
    public var isEmpty: Bool { ids.isEmpty }

    /// The hash stored under `id`, if any.
    public func hash(for id: String) -> PDQHash? {
        slots[id].flatMap(hash(forSlot:))
    }

    /// Stores `hash` under `id`, replacing the hash already stored under `id`.
    public mutating func add(id: String, hash: PDQHash) {
        if let slot = slots[id] {
            let w = slot * 4
            (words[w], words[w + 1], words[w + 2], words[w + 3]) = hash.words
            return
        }
        slots[id] = ids.count
        ids.append(id)
        words.append(contentsOf: [hash.words.0, hash.words.1, hash.words.2, hash.words.3])
    }

    /// Removes the hash stored under `id` and returns it; nil if there was none.
    @discardableResult
    public mutating func remove(id: String) -> PDQHash? {
        guard let slot = slots.removeValue(forKey: id), let removed = hash(forSlot: slot) else { return nil }
        let last = ids.count - 1
        if slot != last {
            ids[slot] = ids[last]
            slots[ids[slot]] = slot
            for k in 0..<4 { words[slot * 4 + k] = words[last * 4 + k] }
        }
        ids.removeLast()
        words.removeLast(4)
        return removed
    }

    /// Every entry within `maxDistance` (inclusive) of `query`, nearest first (ties by id).
    /// `limit` keeps only the first `limit` of those. Exact: scans every entry.
    public func nearest(to query: PDQHash, maxDistance: Int, limit: Int? = nil) -> [Match] {
        var hits: [(slot: Int, distance: Int)] = []
        let (q0, q1, q2, q3) = query.words
        words.withUnsafeBufferPointer { w in
            guard let p = w.baseAddress else { return }
            for slot in 0..<(w.count / 4) {
                let e = p + slot &* 4
                let d = (e[0] ^ q0).nonzeroBitCount &+ (e[1] ^ q1).nonzeroBitCount
                    &+ (e[2] ^ q2).nonzeroBitCount &+ (e[3] ^ q3).nonzeroBitCount
                if d <= maxDistance { hits.append((slot, d)) }
            }
        }
        var matches = hits.map { Match(id: ids[$0.slot], distance: $0.distance) }
        matches.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
        if let limit, matches.count > limit { matches.removeLast(matches.count - max(0, limit)) }
        return matches
    }

    /// The closest entry to any of an image's eight dihedral hashes, within `maxDistance`.
    public func nearest(to hashes: PDQDihedralHashes, maxDistance: Int) -> [Match] {
        var best: [String: Int] = [:]
        for hash in hashes.all {
            for m in nearest(to: hash, maxDistance: maxDistance) where m.distance < best[m.id, default: .max] {
                best[m.id] = m.distance
            }
        }
        return best.map { Match(id: $0.key, distance: $0.value) }
            .sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
    }

    /// All entries, in storage order.
    public var entries: [(id: String, hash: PDQHash)] {
        ids.indices.map { (ids[$0], hash(forSlot: $0)!) }
    }

    private func hash(forSlot slot: Int) -> PDQHash? {
        guard slot >= 0, slot < ids.count else { return nil }
        let w = slot * 4
        return PDQHash(words: (words[w], words[w + 1], words[w + 2], words[w + 3]))
    }
}
