/// A face rectangle in image pixels, as dlib reports it: `right` and `bottom` are inclusive and
/// the box may extend past the image border for faces cut off by the frame.
public struct FaceBox: Sendable, Hashable, Codable {
    /// Leftmost column.
    public let left: Int
    /// Topmost row.
    public let top: Int
    /// Rightmost column (inclusive).
    public let right: Int
    /// Bottom row (inclusive).
    public let bottom: Int

    /// Creates a box; `right >= left` and `bottom >= top` are expected but not enforced,
    /// because dlib can return empty boxes for degenerate inputs.
    public init(left: Int, top: Int, right: Int, bottom: Int) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    /// Width in pixels (`right - left + 1`).
    public var width: Int { right - left + 1 }
    /// Height in pixels (`bottom - top + 1`).
    public var height: Int { bottom - top + 1 }

    /// The box clipped to an image of the given size (inclusive coordinates stay inside).
    public func clipped(width imageWidth: Int, height imageHeight: Int) -> FaceBox {
        FaceBox(left: max(left, 0), top: max(top, 0),
                right: min(right, imageWidth - 1), bottom: min(bottom, imageHeight - 1))
    }
}

/// A landmark position in image pixels.
public struct FacePoint: Sendable, Hashable, Codable {
    /// Column.
    public let x: Int
    /// Row.
    public let y: Int

    /// Creates a point.
    public init(x: Int, y: Int) {
        self.x = x
        self.y = y
    }
}

/// The five landmarks of dlib's `shape_predictor_5_face_landmarks` model.
///
/// dlib's order is kept in ``points``: 0 and 1 are the outer and inner corners of the eye
/// that appears on the image's right, 2 and 3 the outer and inner corners of the eye on the
/// image's left, 4 the base of the nose.
public struct FaceLandmarks: Sendable, Hashable, Codable {
    /// The five points in dlib's order.
    public let points: [FacePoint]

    /// Wraps five points; throws `invalid_argument` for any other count.
    public init(points: [FacePoint]) throws {
        guard points.count == 5 else {
            throw FaceMatchError(.invalidArgument, "5-point landmarks need 5 points, got \(points.count)")
        }
        self.points = points
    }

    /// Outer corner of the eye on the image's right side.
    public var imageRightEyeOuter: FacePoint { points[0] }
    /// Inner corner of the eye on the image's right side.
    public var imageRightEyeInner: FacePoint { points[1] }
    /// Outer corner of the eye on the image's left side.
    public var imageLeftEyeOuter: FacePoint { points[2] }
    /// Inner corner of the eye on the image's left side.
    public var imageLeftEyeInner: FacePoint { points[3] }
    /// Base of the nose (just below the tip).
    public var noseBase: FacePoint { points[4] }
}

/// Where a face is: its box, the detector's confidence and its landmarks.
public struct FaceLocation: Sendable, Hashable, Codable {
    /// The detection rectangle (not clipped to the image).
    public let box: FaceBox
    /// Detector score; higher is more certain (HOG scores are around 0...3).
    public let confidence: Double
    /// The five landmarks found inside ``box``.
    public let landmarks: FaceLandmarks
}

/// A detected face with its 128-D descriptor.
public struct DetectedFace: Sendable, Hashable {
    /// Box, confidence and landmarks.
    public let location: FaceLocation
    /// The face's embedding.
    public let descriptor: FaceDescriptor

    /// Pairs a located face with its descriptor.
    public init(location: FaceLocation, descriptor: FaceDescriptor) {
        self.location = location
        self.descriptor = descriptor
    }

    /// The detection rectangle.
    public var box: FaceBox { location.box }
    /// The five landmarks.
    public var landmarks: FaceLandmarks { location.landmarks }
}

/// The face detector to run.
public enum FaceDetectorKind: String, Sendable, Hashable, Codable {
    /// dlib's HOG frontal-face detector: fast, frontal faces only; needs no model file.
    case hog
    /// dlib's MMOD CNN detector: slower, finds turned faces; needs `mmod_human_face_detector.dat`.
    case cnn
}

/// How to detect faces.
public struct DetectionOptions: Sendable, Hashable {
    /// Which detector to run.
    public var detector: FaceDetectorKind
    /// How many times to double the image before detecting (0...4); 1 finds faces down to
    /// about 40 px, as face_recognition's default does.
    public var upsample: Int

    /// Creates options; the defaults reproduce `face_recognition.face_locations(img)`.
    public init(detector: FaceDetectorKind = .hog, upsample: Int = 1) {
        self.detector = detector
        self.upsample = upsample
    }
}

/// The face-analysis capability other modules depend on; ``FaceEngine`` is the real one.
public protocol FaceAnalyzing: Sendable {
    /// Finds every face in `image` and computes its descriptor.
    func detectFaces(in image: RGBImage, options: DetectionOptions) throws -> [DetectedFace]
}
