import CDlib
import Foundation

/// dlib's face pipeline behind a Swift API: detection, landmarks, aligned chips, descriptors.
///
/// One engine holds one set of loaded models (about 120 MB of memory). The underlying dlib
/// objects are not thread-safe, so every call takes the engine's lock; to use several cores
/// create one engine per worker.
public final class FaceEngine: FaceAnalyzing, @unchecked Sendable {
    /// The model files looked up in the models directory.
    public enum ModelFile: String, CaseIterable, Sendable {
        /// dlib's 5-point landmark model.
        case shapePredictor = "shape_predictor_5_face_landmarks.dat"
        /// dlib's ResNet face recognition model (128-D descriptors).
        case recognition = "dlib_face_recognition_resnet_model_v1.dat"
        /// dlib's MMOD CNN face detector (only needed for ``FaceDetectorKind/cnn``).
        case cnnDetector = "mmod_human_face_detector.dat"
    }

    /// Upper bound on faces returned per image; more are dropped, lowest confidence first.
    public static let maxFacesPerImage = 256

    // Accessed only under `lock`.
    private let handle: OpaquePointer
    private let lock = NSLock()

    /// Whether the CNN detector was loaded.
    public let hasCNNDetector: Bool

    /// Loads the models from `modelsDirectory`; the CNN detector only if `loadCNNDetector`.
    ///
    /// Throws `models_missing` (with the advice to run `make setup`) when a file is absent and
    /// `model_invalid` when a file cannot be loaded.
    public init(modelsDirectory: URL, loadCNNDetector: Bool = false) throws {
        var required: [ModelFile] = [.shapePredictor, .recognition]
        if loadCNNDetector { required.append(.cnnDetector) }
        let paths = required.map { modelsDirectory.appendingPathComponent($0.rawValue).path }
        let missing = zip(required, paths).filter { !FileManager.default.fileExists(atPath: $0.1) }
        guard missing.isEmpty else {
            let names = missing.map(\.0.rawValue).joined(separator: ", ")
            throw FaceMatchError(.modelsMissing,
                                 "missing \(names) in \(modelsDirectory.path); run make setup (scripts/fetch-models.sh) to install the models")
        }
        var error = cdlib_error()
        let engine = paths[0].withCString { shape in
            paths[1].withCString { recognition in
                if loadCNNDetector {
                    return paths[2].withCString { cnn in cdlib_engine_create(shape, recognition, cnn, &error) }
                }
                return cdlib_engine_create(shape, recognition, nil, &error)
            }
        }
        guard let engine else {
            throw FaceMatchError(.modelInvalid, "cannot load models from \(modelsDirectory.path): \(ShimMessage.text(of: error))")
        }
        handle = engine
        hasCNNDetector = cdlib_engine_has_cnn(engine) != 0
    }

    deinit {
        cdlib_engine_destroy(handle)
    }

    /// Runs `body` with exclusive access to the dlib handle.
    func withHandle<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(handle)
    }

    /// Maps a shim status from the face pipeline to a ``FaceMatchError``.
    static func check(_ status: Int32, _ error: cdlib_error, _ what: String) throws {
        guard status != Int32(CDLIB_OK.rawValue) else { return }
        let message = "\(what): \(ShimMessage.text(of: error))"
        switch UInt32(status) {
        case CDLIB_ERR_ARGUMENT.rawValue:
            throw FaceMatchError(.invalidArgument, message)
        case CDLIB_ERR_NOT_LOADED.rawValue:
            throw FaceMatchError(.detectorUnavailable, message + "; create the engine with loadCNNDetector: true")
        case CDLIB_ERR_MODEL.rawValue:
            throw FaceMatchError(.modelInvalid, message)
        default:
            throw FaceMatchError(.internalFailure, message)
        }
    }
}
