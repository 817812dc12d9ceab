/// One 1-D running-sum box filter along an axis of `length` samples, as the reference's
/// `box1DFloat` (pdq/cpp/downscaling/downscaling.cpp) runs it.
///
/// The reference keeps a single running `Float` sum: it first reads `lead` samples, then for
/// each further sample adds it (and, once the window is full, subtracts the one leaving),
/// writing `sum / count`; at the end it only subtracts. Float addition is not associative, so
/// to match the reference bit for bit every caller here performs exactly those additions and
/// subtractions in exactly that order, per column or per row; only *where* the sum is
/// divided and stored differs (see `JaroszDownsampler`).
struct BoxWindow {
    /// Samples along the filtered axis.
    let length: Int
    /// The full window size (the reference's `full_window_size`), 1…`length`.
    let size: Int
    /// Samples read before the first output (`half_window_size - 1`).
    let lead: Int

    /// The window for PDQ's downsample of `length` samples to 64: two passes of this size
    /// (the reference's `computeJaroszFilterWindowSize(length, 64)`, i.e. ⌈length / 128⌉).
    init(pdqLength length: Int) {
        self.init(length: length, size: (length + 2 * 64 - 1) / (2 * 64))
    }

    /// A window of `size` samples over `length`. Precondition: `1 <= size <= length`.
    init(length: Int, size: Int) {
        precondition(size >= 1 && size <= length, "box window must fit the axis")
        self.length = length
        self.size = size
        self.lead = (size + 2) / 2 - 1
    }

    /// How many samples the reference has summed when it writes output `i`; its divisor.
    func count(_ i: Int) -> Int {
        let last = min(length - 1, i + lead)
        let first = max(0, i + lead + 1 - size)
        return last - first + 1
    }

    /// The divisors for every output, as `Float` (the reference divides by the int count).
    var divisors: [Float] {
        (0..<length).map { Float(count($0)) }
    }

    /// Runs the filter over `length` vectors at `input` (lane `l` of each vector is one
    /// independent line) and stores the raw running sum for output `i` at `sums[i]`;
    /// output `i` of the reference is `sums[i] / divisors[i]`, lane by lane.
    func runningSums(_ input: LaneBuffer, into sums: LaneBuffer) {
        var s = SIMD8<Float>.zero
        for r in 0..<lead {
            s += input[r]
        }
        for r in lead..<size {
            s += input[r]
            sums[r - lead] = s
        }
        for r in size..<length {
            s += input[r]
            s -= input[r - size]
            sums[r - lead] = s
        }
        for t in 0..<lead {
            s -= input[length - size + t]
            sums[length - lead + t] = s
        }
    }

    /// Runs the filter down the columns of a `length`×`width` row-major matrix, one output row
    /// at a time: after updating `sums` (width floats) for output row `i` it calls `emit(i)`;
    /// that row of the reference's output is `sums[c] / Float(count(i))`.
    func columnSums(
        _ input: UnsafePointer<Float>, width: Int, sums: UnsafeMutablePointer<Float>, emit: (Int) -> Void
    ) {
        sums.update(repeating: 0, count: width)
        for r in 0..<length {
            let add = input + r * width
            if r >= size {
                let sub = input + (r - size) * width
                for c in 0..<width {
                    sums[c] = (sums[c] + add[c]) - sub[c]
                }
            } else {
                for c in 0..<width {
                    sums[c] += add[c]
                }
            }
            if r >= lead {
                emit(r - lead)
            }
        }
        for t in 0..<lead {
            let sub = input + (length - size + t) * width
            for c in 0..<width {
                sums[c] -= sub[c]
            }
            emit(length - lead + t)
        }
    }
}

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
