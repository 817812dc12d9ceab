import Foundation
import Testing
@testable import FaceMatch

/// Paths and shared objects for the tests; fixtures are found relative to this source file.
enum Fixtures {
    /// The package root (two levels above `Tests/FaceMatchTests`).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The committed `fixtures/` folder.
    static let root = packageRoot.appendingPathComponent("fixtures")

    /// Where the models are: `$CAMEO_MODELS_DIR`, else `<package>/models`.
    static let modelsDirectory: URL = {
        if let dir = ProcessInfo.processInfo.environment["CAMEO_MODELS_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, relativeTo: packageRoot)
        }
        return packageRoot.appendingPathComponent("models")
    }()

    /// URL of a fixture file, e.g. `faces/obama/1.jpg`.
    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    /// Bytes of a fixture file.
    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relative)))
    }

    /// A decoded fixture image.
    static func image(_ relative: String) throws -> RGBImage {
        try ImageDecoder().decode(bytes(relative))
    }

    /// One engine (with the CNN detector) shared by all tests; its lock serialises use.
    /// Loading fails with `models_missing` and the "run make setup" advice when the models
    /// are absent, which fails every test that needs them.
    static let engine: Result<FaceEngine, any Error> = Result {
        try FaceEngine(modelsDirectory: modelsDirectory, loadCNNDetector: true)
    }

    /// The shared engine, or a thrown error explaining how to install the models.
    static func sharedEngine() throws -> FaceEngine {
        try engine.get()
    }

    /// Python face_recognition's results for the fixture photos.
    static let reference: Result<Reference, any Error> = Result {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url("reference_descriptors.json")))
    }
}

/// Shape of `fixtures/reference_descriptors.json` (see scripts/reference_descriptors.py).
struct Reference: Decodable {
    struct Face: Decodable {
        let box: [Int]
        let landmarks: [[Int]]
        let descriptor: [Double]
        let chip_crc32: UInt32
    }
    struct Image: Decodable {
        let path: String
        let width: Int
        let height: Int
        let rgb_crc32: UInt32
        let faces: [Face]
        let cnn_boxes: [String: [[Int]]]?
    }
    let images: [Image]
}

extension FaceBox {
    /// `[left, top, right, bottom]`, the reference file's layout.
    var asArray: [Int] { [left, top, right, bottom] }
}

/// zlib's CRC-32, to compare pixel buffers with the checksums Python recorded.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// CRC-32 of `bytes` (same value as Python's `zlib.crc32`).
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
