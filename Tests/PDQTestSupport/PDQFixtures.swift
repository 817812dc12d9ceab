import Foundation
import PDQ

/// One image of `fixtures/pdq/manifest.json` (written by `scripts/make_pdq_fixtures.py`):
/// raw RGB bytes plus what Meta's reference C++ and PyPI `pdqhash` computed from those bytes.
public struct PDQFixture: Decodable, Sendable, CustomStringConvertible {
    /// What a hasher reported for the fixture's pixels.
    public struct Result: Decodable, Sendable {
        /// The 256-bit hash.
        public let hash: PDQHash
        /// The quality score, 0…100.
        public let quality: Int
        /// The eight dihedral hashes in `PDQDihedral.allCases` order (reference only).
        public let dihedral: [PDQHash]?
        /// The 16×16 DCT block, row-major, as the reference's floats (reference only; empty
        /// below 5 px, where the reference computes no DCT).
        public let dct: [Float]?
        /// The peer's version (pdqhash only).
        public let version: String?
    }

    /// Short name, e.g. `bridge-320`.
    public let name: String
    /// The raw RGB file's name, next to the manifest.
    public let file: String
    /// Image width in pixels.
    public let width: Int
    /// Image height in pixels.
    public let height: Int
    /// Where the image came from in ThreatExchange (`pdq/data/…`).
    public let source: String
    /// What the fixture exercises or how it was transformed.
    public let note: String
    /// Meta's reference C++ run on the same bytes.
    public let reference: Result
    /// PyPI `pdqhash` run on the same bytes; nil if it was not installed.
    public let pdqhash: Result?
    /// Hashes ThreatExchange publishes for this full-size image, keyed by where they are
    /// published (their decoders differ from PIL's); only in `--full-dir` manifests.
    public let published: [String: PDQHash]?

    public var description: String { name }
}

/// Loads PDQ fixtures from disk (test support only; the PDQ module does no I/O).
public enum PDQFixtures {
    /// `fixtures/pdq` of this package, found from this source file's location.
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/pdq")

    struct Manifest: Decodable {
        let images: [PDQFixture]
    }

    /// All fixtures listed in `directory/manifest.json`.
    public static func load(from directory: URL = directory) throws -> [PDQFixture] {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        return try JSONDecoder().decode(Manifest.self, from: data).images
    }

    /// The names in the committed manifest, for `@Test(arguments:)`; a single unloadable name
    /// if the manifest cannot be read, so that tests fail rather than run zero cases.
    public static let names: [String] = (try? load().map(\.name)) ?? ["<fixtures/pdq/manifest.json unreadable>"]

    /// The committed fixture called `name`.
    public static func named(_ name: String) throws -> PDQFixture {
        guard let fixture = try load().first(where: { $0.name == name }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "fixtures/pdq: \(name)"])
        }
        return fixture
    }

    /// The fixture's pixels, checked against its declared size.
    public static func pixels(_ fixture: PDQFixture, in directory: URL = directory) throws -> RGBPixels {
        let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(fixture.file)))
        return try RGBPixels(width: fixture.width, height: fixture.height, bytes: bytes)
    }
}
