import Foundation
import Testing
@testable import FaceMatch

/// Engine set-up failures are typed and tell the operator what to do.
@Suite("Face engine set-up")
struct FaceEngineTests {
    @Test("an empty models directory is models_missing with the make setup advice")
    func modelsMissing() throws {
        let dir = try VideoFramesTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: FaceMatchError.self) { try FaceEngine(modelsDirectory: dir) }
        #expect(error?.errorCode == .modelsMissing)
        #expect(error?.message.contains("make setup") == true)
        #expect(error?.kind == .unavailable)
    }

    @Test("garbage model files are model_invalid, not a crash")
    func modelInvalid() throws {
        let dir = try VideoFramesTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for file in FaceEngine.ModelFile.allCases {
            try Data("not a dlib model".utf8).write(to: dir.appendingPathComponent(file.rawValue))
        }
        let error = #expect(throws: FaceMatchError.self) { try FaceEngine(modelsDirectory: dir) }
        #expect(error?.errorCode == .modelInvalid)
    }

    @Test("the CNN detector is unavailable unless loaded")
    func cnnNeedsModel() throws {
        let engine = try FaceEngine(modelsDirectory: Fixtures.modelsDirectory, loadCNNDetector: false)
        #expect(!engine.hasCNNDetector)
        let image = try Fixtures.image("faces/obama/4-small.jpg")
        let error = #expect(throws: FaceMatchError.self) {
            try engine.locateFaces(in: image, options: DetectionOptions(detector: .cnn))
        }
        #expect(error?.errorCode == .detectorUnavailable)
        #expect(try engine.detectFaces(in: image).count == 1, "HOG still works")
    }

    @Test("out-of-range options are invalid_argument")
    func badOptions() throws {
        let engine = try Fixtures.sharedEngine()
        let image = try Fixtures.image("faces/obama/4-small.jpg")
        let error = #expect(throws: FaceMatchError.self) {
            try engine.detectFaces(in: image, options: DetectionOptions(upsample: 9))
        }
        #expect(error?.errorCode == .invalidArgument)
    }

    @Test("an image without faces yields no faces, and a tiny image is fine")
    func noFaces() throws {
        let engine = try Fixtures.sharedEngine()
        #expect(try engine.detectFaces(in: Fixtures.image("decoder/palette.png")).isEmpty)
        #expect(try engine.detectFaces(in: RGBImage(width: 1, height: 1, pixels: [0, 0, 0])).isEmpty)
    }

    @Test("descriptors of a mirrored face stay close to the original's")
    func mirroredDescriptor() throws {
        let engine = try Fixtures.sharedEngine()
        let image = try Fixtures.image("faces/obama/1.jpg")
        let a = try #require(try engine.detectFaces(in: image).first)
        let b = try #require(try engine.detectFaces(in: image.mirrored()).first)
        #expect(a.descriptor.distance(to: b.descriptor) < 0.3)
        #expect(a.descriptor != b.descriptor)
    }

    @Test("error codes are stable snake_case strings with a kind")
    func errorCodes() {
        for code in FaceMatchError.Code.allCases {
            #expect(code.rawValue.allSatisfy { $0.isLowercase || $0 == "_" })
        }
        let error = FaceMatchError(.imageTooLarge, "x")
        #expect(error.code == "image_too_large" && error.kind == .tooLarge)
        #expect(error.description == "image_too_large: x")
    }
}
