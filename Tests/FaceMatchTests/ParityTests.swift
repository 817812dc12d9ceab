import Foundation
import Testing
@testable import FaceMatch

/// The shim must reproduce Python face_recognition 1.3.0 (dlib Python bindings) on every
/// fixture photo: same rects, same landmarks, descriptors equal within float rounding.
@Suite("Parity with Python face_recognition")
struct ParityTests {
    static let photos = [
        "faces/alex_lacamoire/1.png", "faces/alex_lacamoire/2.jpg",
        "faces/biden/1.jpg", "faces/biden/2.jpg",
        "faces/kit_harington/1.jpg", "faces/kit_harington/2.jpg",
        "faces/lin_manuel_miranda/1.png",
        "faces/obama/1.jpg", "faces/obama/2.jpg", "faces/obama/3-720p.jpg", "faces/obama/4-small.jpg",
        "faces/rose_leslie/1.jpg", "faces/rose_leslie/2.jpg",
        "groups/two_people.jpg",
    ]

    /// Largest tolerated |swift - python| per descriptor component. Measured: see the report
    /// printed by `descriptorsMatchReference` (OpenBLAS vs the wheel's own BLAS-free build).
    static let tolerance: Float = 1e-4

    @Test("every fixture photo is listed in the reference file")
    func referenceCoversFixtures() throws {
        let reference = try Fixtures.reference.get()
        #expect(Set(reference.images.map(\.path)) == Set(Self.photos))
    }

    @Test("pixels, boxes, landmarks, chips and descriptors match the Python reference", arguments: photos)
    func descriptorsMatchReference(path: String) throws {
        let engine = try Fixtures.sharedEngine()
        let reference = try #require(try Fixtures.reference.get().images.first { $0.path == path })
        let image = try Fixtures.image(path)
        #expect(image.width == reference.width && image.height == reference.height)
        #expect(CRC32.checksum(image.pixels) == reference.rgb_crc32, "decoded pixels of \(path) differ from PIL's")

        let faces = try engine.detectFaces(in: image)
        try #require(faces.count == reference.faces.count, "face count differs for \(path)")
        var maxDiff: Float = 0
        for (face, expected) in zip(faces, reference.faces) {
            #expect(face.box.asArray == expected.box, "box of \(path)")
            #expect(face.landmarks.points.map { [$0.x, $0.y] } == expected.landmarks, "landmarks of \(path)")
            let chip = try engine.faceChip(for: face.location, in: image)
            #expect(CRC32.checksum(chip.pixels) == expected.chip_crc32, "face chip of \(path) differs from dlib.get_face_chip")
            for (a, b) in zip(face.descriptor.values, expected.descriptor) {
                maxDiff = max(maxDiff, abs(a - Float(b)))
            }
        }
        print("parity \(path): faces=\(faces.count) max|Δdescriptor|=\(maxDiff)")
        #expect(maxDiff < Self.tolerance, "descriptor of \(path) differs by \(maxDiff)")
    }

    @Test("the CNN detector finds the same rects as Python at upsample 0 and 1")
    func cnnMatchesReference() throws {
        let engine = try Fixtures.sharedEngine()
        let entry = try #require(try Fixtures.reference.get().images.first { $0.cnn_boxes != nil })
        let image = try Fixtures.image(entry.path)
        for (upsample, boxes) in try #require(entry.cnn_boxes) {
            let options = DetectionOptions(detector: .cnn, upsample: try #require(Int(upsample)))
            let found = try engine.locateFaces(in: image, options: options)
            #expect(found.map(\.box.asArray) == boxes, "CNN upsample \(upsample)")
        }
    }
}
