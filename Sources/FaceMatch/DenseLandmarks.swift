import CDlib
import Foundation

/// dlib's 68-point landmark model (iBUG 300-W layout), loaded apart from the ``FaceEngine`` so
/// that only nodes that check video liveness load its 100 MB.
///
/// Licence note for operators: the model was trained on iBUG 300-W, whose terms exclude
/// commercial use (see `docs/identity.md`). Everything that needs it goes through this one type.
public final class DenseLandmarker: @unchecked Sendable {
    /// The model file looked up in the models directory.
    public static let modelFile = "shape_predictor_68_face_landmarks.dat"

    // Accessed only under `lock`.
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Loads the 68-point model from `modelsDirectory`; `models_missing` when it is absent.
    public init(modelsDirectory: URL) throws {
        let path = modelsDirectory.appendingPathComponent(Self.modelFile).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw FaceMatchError(.modelsMissing, "missing \(Self.modelFile) in \(modelsDirectory.path); run make setup (scripts/fetch-models.sh)")
        }
        var error = cdlib_error()
        guard let made = path.withCString({ cdlib_landmarker_create($0, &error) }) else {
            throw FaceMatchError(.modelInvalid, "cannot load \(path): \(ShimMessage.text(of: error))")
        }
        guard cdlib_landmarker_parts(made) == 68 else {
            cdlib_landmarker_destroy(made)
            throw FaceMatchError(.modelInvalid, "\(path) is not the 68-point model")
        }
        handle = made
    }

    deinit { cdlib_landmarker_destroy(handle) }

    /// The 68 landmarks of the face in `box` of `image`.
    public func landmarks(of box: FaceBox, in image: RGBImage) throws -> FaceShape68 {
        var rect = cdlib_rect(left: Int64(box.left), top: Int64(box.top), right: Int64(box.right), bottom: Int64(box.bottom), confidence: 0)
        var points = [cdlib_point](repeating: cdlib_point(), count: 68)
        var error = cdlib_error()
        let status = lock.withLock {
            image.pixels.withUnsafeBufferPointer { px in
                cdlib_landmarker_predict(handle, px.baseAddress, Int32(image.width), Int32(image.height), &rect, &points, 68, &error)
            }
        }
        try FaceEngine.check(status, error, "dense landmarks")
        return FaceShape68(points: points.map { (Double($0.x), Double($0.y)) })
    }
}

/// The 68 landmarks of one face, in image pixels, with the measures liveness needs.
///
/// Indices (0-based, iBUG 300-W): jaw 0–16, brows 17–26, nose 27–35, eyes 36–41 (image-left)
/// and 42–47 (image-right), outer lips 48–59, inner lips 60–67.
public struct FaceShape68: Sendable {
    /// The points, x then y.
    public let points: [(x: Double, y: Double)]

    /// Wraps 68 points.
    public init(points: [(Double, Double)]) {
        precondition(points.count == 68, "a 68-point shape needs 68 points")
        self.points = points.map { (x: $0.0, y: $0.1) }
    }

    /// Points of the rigid part of the face (jaw, brows, nose, eye corners): they move with
    /// the head and not with speech or blinks, so the planar test uses them.
    public static let rigidIndices: [Int] = Array(0...35) + [36, 39, 42, 45]

    func distance(_ a: Int, _ b: Int) -> Double {
        let dx = points[a].x - points[b].x, dy = points[a].y - points[b].y
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Distance between the outer eye corners (the scale unit of every other measure).
    public var interocular: Double { max(distance(36, 45), 1e-6) }

    /// Eye aspect ratio (Soukupová and Čech 2016), mean of both eyes: about 0.25–0.35 open,
    /// under about 0.2 closed.
    public var eyeAspectRatio: Double {
        func ear(_ p: Int) -> Double {
            (distance(p + 1, p + 5) + distance(p + 2, p + 4)) / (2 * max(distance(p, p + 3), 1e-6))
        }
        return (ear(36) + ear(42)) / 2
    }

    /// Opening of the inner lips over the face's height (top of the nose bridge to the chin):
    /// 0 closed, about 0.1–0.25 wide open. Vertical distances barely change as the head turns,
    /// so a turn alone (or a print foreshortened by tilting) does not read as speech.
    public var mouthOpening: Double {
        (distance(61, 67) + distance(62, 66) + distance(63, 65)) / (3 * max(distance(27, 8), 1e-6))
    }

    /// Yaw in degrees from where the nose ridge sits between the jaw's sides, positive when
    /// the face points toward the image's right edge (the same sign as ``HeadPose/yaw``).
    ///
    /// The nose tip (30) sits in the middle of the outer cheek points (1, 15) for a frontal
    /// face and moves toward one of them as the head turns; asin of the normalised offset.
    public var yaw: Double {
        let left = points[1], right = points[15], tip = points[30]
        let width = right.x - left.x
        guard abs(width) > 1e-6 else { return 0 }
        let offset = ((tip.x - left.x) / width - 0.5) * 2  // -1 ... 1
        return asin(min(max(offset, -1), 1)) * 180 / .pi
    }

    /// The bounding box centre.
    public var centre: (x: Double, y: Double) {
        let xs = points.map(\.x), ys = points.map(\.y)
        return ((xs.min()! + xs.max()!) / 2, (ys.min()! + ys.max()!) / 2)
    }
}
