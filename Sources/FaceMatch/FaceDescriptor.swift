/// A 128-dimensional face embedding from dlib's ResNet model; faces of the same person lie
/// close together in euclidean distance (below about 0.6).
public struct FaceDescriptor: Sendable, Hashable {
    /// Number of components of every descriptor.
    public static let dimension = 128
    /// The distance threshold face_recognition and dlib recommend for "same person".
    public static let defaultThreshold: Float = 0.6

    /// The components; always exactly ``dimension`` finite values.
    public let values: [Float]

    /// Wraps components; throws `descriptor_invalid` unless there are 128 finite values.
    public init(_ values: [Float]) throws {
        guard values.count == Self.dimension else {
            throw FaceMatchError(.descriptorInvalid, "expected \(Self.dimension) components, got \(values.count)")
        }
        guard values.allSatisfy(\.isFinite) else {
            throw FaceMatchError(.descriptorInvalid, "descriptor has non-finite components")
        }
        self.values = values
    }

    /// Internal initializer for values produced by the model.
    init(unchecked values: [Float]) {
        assert(values.count == Self.dimension)
        self.values = values
    }

    /// Euclidean distance to `other`.
    public func distance(to other: FaceDescriptor) -> Float {
        values.withUnsafeBufferPointer { a in
            other.values.withUnsafeBufferPointer { b in
                Self.squaredDistance(a.baseAddress!, b.baseAddress!).squareRoot()
            }
        }
    }

    /// Compares two descriptors against `threshold` (default 0.6).
    public func compare(with other: FaceDescriptor, threshold: Float = FaceDescriptor.defaultThreshold) -> FaceComparison {
        let d = distance(to: other)
        return d < threshold ? .samePerson(distance: d) : .differentPerson(distance: d)
    }

    /// Squared euclidean distance of two 128-float vectors, 16 lanes at a time.
    @inline(__always)
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>) -> Float {
        let ra = UnsafeRawPointer(a)
        let rb = UnsafeRawPointer(b)
        var acc0 = SIMD16<Float>()
        var acc1 = SIMD16<Float>()
        let stride = MemoryLayout<SIMD16<Float>>.stride
        var offset = 0
        // Two accumulators break the add dependency chain; 8 blocks of 16 lanes = 128.
        for _ in 0..<4 {
            let d0 = ra.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
            let d1 = ra.loadUnaligned(fromByteOffset: offset + stride, as: SIMD16<Float>.self)
                - rb.loadUnaligned(fromByteOffset: offset + stride, as: SIMD16<Float>.self)
            acc0 += d0 * d0
            acc1 += d1 * d1
            offset += 2 * stride
        }
        return (acc0 + acc1).sum()
    }

    /// Squared euclidean norm of a 128-float vector, 16 lanes at a time.
    @inline(__always)
    static func squaredNorm(_ a: UnsafePointer<Float>) -> Float {
        let ra = UnsafeRawPointer(a)
        var acc = SIMD16<Float>()
        let stride = MemoryLayout<SIMD16<Float>>.stride
        for block in 0..<(dimension / 16) {
            let v = ra.loadUnaligned(fromByteOffset: block * stride, as: SIMD16<Float>.self)
            acc += v * v
        }
        return acc.sum()
    }
}

/// The outcome of comparing two descriptors, carrying the measured distance.
public enum FaceComparison: Sendable, Hashable {
    /// Distance below the threshold.
    case samePerson(distance: Float)
    /// Distance at or above the threshold.
    case differentPerson(distance: Float)

    /// The measured euclidean distance.
    public var distance: Float {
        switch self {
        case .samePerson(let d), .differentPerson(let d): return d
        }
    }
}
