/// A set of enrolled face descriptors, each under a caller-chosen id, searched exactly.
///
/// Descriptors live in one contiguous Float32 buffer (128 floats per entry, see
/// ``RowStorage``) so that a search is a linear scan over memory, next to each entry's squared norm (used by the BLAS search, see
/// Gallery+Search.swift); removal moves the last entry into the hole, so entry order is not
/// stable. A value type: copies are cheap until mutated.
public struct Gallery: Sendable {
    /// Row-major storage, `count * 128` floats.
    private(set) var storage = RowStorage()
    /// `|row|^2` of every row, in storage order.
    private(set) var norms: [Float] = []
    /// An upper bound of every `norms` entry (not lowered on removal); bounds rounding errors.
    private(set) var maxSquaredNorm: Float = 0
    /// Entry ids in storage order.
    public private(set) var ids: [String] = []
    private var rowByID: [String: Int] = [:]

    /// Creates an empty gallery.
    public init() {}

    /// Number of entries.
    public var count: Int { ids.count }

    /// Whether the gallery has no entries.
    public var isEmpty: Bool { ids.isEmpty }

    /// Whether an entry with `id` exists.
    public func contains(id: String) -> Bool { rowByID[id] != nil }

    /// The descriptor stored under `id`, if any.
    public func descriptor(for id: String) -> FaceDescriptor? {
        guard let row = rowByID[id] else { return nil }
        let start = row * FaceDescriptor.dimension
        return FaceDescriptor(unchecked: storage.slice(start, FaceDescriptor.dimension))
    }

    /// Adds a descriptor under `id`; throws `gallery_duplicate_id` if the id is taken and
    /// `invalid_argument` for an empty id.
    public mutating func add(id: String, descriptor: FaceDescriptor) throws {
        guard !id.isEmpty else { throw FaceMatchError(.invalidArgument, "gallery id must not be empty") }
        guard rowByID[id] == nil else {
            throw FaceMatchError(.galleryDuplicateID, "gallery already has an entry \"\(id)\"")
        }
        rowByID[id] = ids.count
        ids.append(id)
        storage.append(contentsOf: descriptor.values)
        let norm = descriptor.values.withUnsafeBufferPointer { FaceDescriptor.squaredNorm($0.baseAddress!) }
        norms.append(norm)
        maxSquaredNorm = max(maxSquaredNorm, norm)
    }

    /// Adds or replaces the descriptor under `id`.
    public mutating func upsert(id: String, descriptor: FaceDescriptor) throws {
        remove(id: id)
        try add(id: id, descriptor: descriptor)
    }

    /// Removes the entry `id`; returns whether it existed. O(1): the last entry takes its slot.
    @discardableResult
    public mutating func remove(id: String) -> Bool {
        guard let row = rowByID.removeValue(forKey: id) else { return false }
        let last = ids.count - 1
        let dim = FaceDescriptor.dimension
        if row != last {
            let movedID = ids[last]
            ids[row] = movedID
            rowByID[movedID] = row
            storage.copy(from: last * dim, to: row * dim, length: dim)
            norms[row] = norms[last]
        }
        ids.removeLast()
        storage.removeLast(dim)
        norms.removeLast()
        if ids.isEmpty { maxSquaredNorm = 0 }
        return true
    }
}

/// One search result: an entry id and its euclidean distance to the query.
public struct GalleryMatch: Sendable, Hashable {
    /// The entry's id.
    public let id: String
    /// Euclidean distance between the query and the entry.
    public let distance: Float

    /// Creates a match.
    public init(id: String, distance: Float) {
        self.id = id
        self.distance = distance
    }
}

/// The decision for one query against a gallery at a threshold.
public enum GalleryDecision: Sendable, Hashable {
    /// The nearest entry is closer than the threshold.
    case match(GalleryMatch)
    /// Nothing is closer than the threshold; carries the nearest entry, if the gallery is
    /// not empty, for logging.
    case noMatch(nearest: GalleryMatch?)
}
