/// Scratch memory holding `count` vectors of eight `Float` lanes, where lane `l` of every
/// vector belongs to one independent image line. Filtering eight lines at once in lanes is
/// what makes the serial running-sum box filter fast; the raw-pointer accessors let the
/// same bytes be read as whole vectors or as single lanes without type punning.
struct LaneBuffer {
    let raw: UnsafeMutableRawPointer
    let count: Int

    /// Allocates uninitialised storage for `count` vectors; call `deallocate()` when done.
    init(count: Int) {
        self.count = count
        raw = .allocate(byteCount: max(1, count) * 32, alignment: 32)
    }

    func deallocate() {
        raw.deallocate()
    }

    /// Vector `i`, all eight lanes.
    @inline(__always)
    subscript(_ i: Int) -> SIMD8<Float> {
        get { raw.load(fromByteOffset: i &* 32, as: SIMD8<Float>.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: i &* 32, as: SIMD8<Float>.self) }
    }

    /// Lane `lane` (0…7) of vector `i`.
    @inline(__always)
    subscript(_ i: Int, lane lane: Int) -> Float {
        get { raw.load(fromByteOffset: (i &* 8 &+ lane) &* 4, as: Float.self) }
        nonmutating set { raw.storeBytes(of: newValue, toByteOffset: (i &* 8 &+ lane) &* 4, as: Float.self) }
    }

    /// Sets every lane of every vector to zero.
    func zero() {
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(1, count) * 32)
    }
}
