import Foundation
import Testing
@testable import FaceMatch

/// The decoder reproduces PIL's RGB output and turns every bad input into a typed error.
@Suite("Image decoding")
struct ImageDecoderTests {
    struct Expected: Decodable {
        struct Case: Decodable {
            let width: Int
            let height: Int
            let rgb_crc32: UInt32
        }
        let cases: [String: Case]
    }

    static let variants = [
        "rgba_transparent.png", "gray.png", "gray_alpha.png", "palette.png", "interlaced.png",
        "gray16.png", "gray.jpg", "progressive.jpg", "subsampled_420.jpg",
    ]

    /// Asserts that decoding `bytes` fails with `code`.
    static func expectFailure(_ bytes: [UInt8], _ code: FaceMatchError.Code, _ note: String,
                              decoder: ImageDecoder = ImageDecoder(),
                              sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let image = try decoder.decode(bytes)
            Issue.record("\(note): expected \(code.rawValue), decoded \(image)", sourceLocation: sourceLocation)
        } catch let error as FaceMatchError {
            #expect(error.errorCode == code, "\(note): \(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(note): untyped error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("format variants decode to the same RGB bytes as PIL's convert(\"RGB\")", arguments: variants)
    func variantsMatchPIL(name: String) throws {
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Fixtures.url("decoder/expected.json")))
        let want = try #require(expected.cases[name])
        let image = try Fixtures.image("decoder/\(name)")
        #expect(image.width == want.width && image.height == want.height)
        #expect(CRC32.checksum(image.pixels) == want.rgb_crc32)
    }

    @Test("transparent RGBA pixels keep their colour: alpha is dropped, not composited on black")
    func alphaIsDropped() throws {
        let image = try Fixtures.image("decoder/rgba_transparent.png")
        // Column 5, row 3 is fully transparent; the generator wrote (5*7+3*3, 5*2+3*11, 5*5+3*5+40).
        let p = image.pixel(x: 5, y: 3)
        #expect([p.red, p.green, p.blue] == [44, 43, 80])
    }

    @Test("probe reads format and size without decoding")
    func probeReadsHeader() throws {
        let decoder = ImageDecoder()
        #expect(try decoder.probe(Fixtures.bytes("faces/obama/3-720p.jpg")) == ImageInfo(format: .jpeg, width: 1280, height: 720))
        #expect(try decoder.probe(Fixtures.bytes("faces/lin_manuel_miranda/1.png")) == ImageInfo(format: .png, width: 704, height: 612))
    }

    @Test("empty data is image_empty")
    func emptyData() {
        Self.expectFailure([], .imageEmpty, "empty")
    }

    @Test("random bytes and other formats are image_unsupported")
    func randomBytes() throws {
        var rng = SplitMix64(seed: 42)
        let random = (0..<4096).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        #expect(random[0] != 0xFF && random[0] != 0x89, "seed must not produce a JPEG/PNG signature")
        Self.expectFailure(random, .imageUnsupported, "random")
        Self.expectFailure(Array("GIF89a".utf8) + [UInt8](repeating: 0, count: 64), .imageUnsupported, "gif")
        Self.expectFailure(try Fixtures.bytes("decoder/cmyk.jpg"), .imageUnsupported, "cmyk jpeg")
    }

    @Test("truncated JPEG is image_corrupt, although libjpeg alone would pad it with grey")
    func truncatedJPEG() throws {
        let jpeg = try Fixtures.bytes("faces/obama/1.jpg")
        Self.expectFailure(Array(jpeg.prefix(jpeg.count / 2)), .imageCorrupt, "half jpeg")
        Self.expectFailure(Array(jpeg.prefix(3)), .imageCorrupt, "signature only")
    }

    @Test("JPEG with a garbled header is image_corrupt")
    func corruptJPEG() throws {
        var jpeg = try Fixtures.bytes("faces/obama/4-small.jpg")
        for i in 3..<600 { jpeg[i] = UInt8(truncatingIfNeeded: i &* 37) }
        Self.expectFailure(jpeg, .imageCorrupt, "garbled jpeg")
    }

    @Test("truncated PNG is image_corrupt, cut in the header or in the pixel data")
    func truncatedPNG() throws {
        let png = try Fixtures.bytes("faces/lin_manuel_miranda/1.png")
        Self.expectFailure(Array(png.prefix(png.count / 2)), .imageCorrupt, "half png")
        Self.expectFailure(Array(png.prefix(20)), .imageCorrupt, "png header only")
        Self.expectFailure(Array(png.prefix(60)), .imageCorrupt, "png without IDAT")
    }

    @Test("images over the pixel budget are image_too_large before any pixel is decoded")
    func tooLarge() throws {
        Self.expectFailure(try Fixtures.bytes("faces/obama/4-small.jpg"), .imageTooLarge, "budget",
                           decoder: ImageDecoder(maxPixels: 320 * 240 - 1))
        // A PNG header claiming 60000 x 60000 pixels (the data behind it would not even decode).
        var png = try Fixtures.bytes("decoder/gray.png")
        png.replaceSubrange(16..<24, with: [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60])
        Self.expectFailure(png, .imageTooLarge, "huge png header")
        // Same for a JPEG: patch the SOF0 frame size to 65000 x 65000.
        var jpeg = try Fixtures.bytes("faces/obama/4-small.jpg")
        let sof = try #require(jpeg.indices.first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        jpeg.replaceSubrange(sof + 5..<sof + 9, with: [0xFD, 0xE8, 0xFD, 0xE8])
        Self.expectFailure(jpeg, .imageTooLarge, "huge jpeg header")
    }

    @Test("no truncation or byte flip crashes the decoder; every failure is typed")
    func mangledInputsNeverCrash() throws {
        var rng = SplitMix64(seed: 7)
        var decoded = 0
        var failed = 0
        for name in ["faces/obama/4-small.jpg", "decoder/palette.png", "decoder/interlaced.png", "decoder/progressive.jpg"] {
            let original = try Fixtures.bytes(name)
            for step in 1...40 {
                var bytes = Array(original.prefix(original.count * step / 41))
                if step % 2 == 0 {
                    for _ in 0..<8 {
                        let i = Int(rng.next() % UInt64(original.count))
                        if i < bytes.count { bytes[i] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
                    }
                }
                do {
                    _ = try ImageDecoder().decode(bytes)
                    decoded += 1
                } catch is FaceMatchError {
                    failed += 1
                }
            }
        }
        #expect(failed > 0)
        #expect(decoded + failed == 160)
    }

    @Test("RGBImage validates its dimensions and buffer size")
    func rgbImageValidation() throws {
        #expect(throws: FaceMatchError.self) { try RGBImage(width: 2, height: 2, pixels: [0, 0, 0]) }
        #expect(throws: FaceMatchError.self) { try RGBImage(width: 0, height: 2, pixels: []) }
        let image = try RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])
        #expect(image.mirrored().pixels == [4, 5, 6, 1, 2, 3])
        #expect(image.mirrored().mirrored() == image)
    }
}

/// A small deterministic generator so random inputs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
