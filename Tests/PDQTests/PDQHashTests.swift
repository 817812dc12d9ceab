import Foundation
import Testing
import PDQ

@Suite("PDQHash text form, bits and distance")
struct PDQHashTests {
    /// Hashes ThreatExchange publishes for bridge-1-original.jpg (two decoders) and rotate-90.
    static let cimgBridge = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22"
    static let javaBridge = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    static let cimgRotate90 = "b0a10efd71cc3f429413d48d0ffffe12e34e0e17ada952a9d29684210aa9e5af"

    @Test("published hex round-trips unchanged", arguments: [cimgBridge, javaBridge, cimgRotate90])
    func publishedHexRoundTrips(hex: String) throws {
        #expect(try PDQHash(hex: hex).hex == hex)
        #expect(PDQHash(hex)?.description == hex)
    }

    @Test("uppercase hex parses and prints lowercase")
    func uppercaseHexPrintsLowercase() throws {
        #expect(try PDQHash(hex: Self.javaBridge.uppercased()).hex == Self.javaBridge)
    }

    /// The reference stores bit k in 16-bit word k/16 at position k%16 and prints word 15 first.
    @Test("bit k sits where the reference prints it",
          arguments: [(0, "0000000000000000000000000000000000000000000000000000000000000001"),
                      (5, "0000000000000000000000000000000000000000000000000000000000000020"),
                      (16, "0000000000000000000000000000000000000000000000000000000000010000"),
                      (64, "0000000000000000000000000000000000000000000000010000000000000000"),
                      (255, "8000000000000000000000000000000000000000000000000000000000000000")])
    func bitPositionMatchesReferenceFormat(bit: Int, hex: String) throws {
        let hash = try PDQHash(hex: hex)
        #expect((0..<256).filter { hash.bit($0) } == [bit])
        #expect(hash.setBitCount == 1)
    }

    @Test("malformed text is rejected with pdq_invalid_hash",
          arguments: ["", String(cimgBridge.dropLast()), cimgBridge + "0", "g" + cimgBridge.dropFirst(),
                      " " + cimgBridge.dropFirst(), "0x" + cimgBridge.dropFirst(2), "é" + cimgBridge.dropFirst(2)])
    func malformedHexIsRejected(text: String) {
        #expect(throws: PDQError.self) { try PDQHash(hex: text) }
        do {
            _ = try PDQHash(hex: text)
        } catch let error as PDQError {
            #expect(error.code == "pdq_invalid_hash")
            #expect(error.kind == .invalidInput)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(PDQHash(text) == nil)
    }

    @Test("Codable uses the hex string")
    func codableUsesHexString() throws {
        let hash = try PDQHash(hex: Self.cimgBridge)
        let json = try JSONEncoder().encode(["h": hash])
        #expect(String(decoding: json, as: UTF8.self) == "{\"h\":\"\(Self.cimgBridge)\"}")
        #expect(try JSONDecoder().decode([String: PDQHash].self, from: json)["h"] == hash)
        #expect(throws: (any Error).self) {
            try JSONDecoder().decode([String: PDQHash].self, from: Data("{\"h\":\"abc\"}".utf8))
        }
    }

    @Test("Hamming distance between published hashes matches a bit-by-bit count")
    func hammingDistanceCountsDifferingBits() throws {
        let a = try PDQHash(hex: Self.cimgBridge), b = try PDQHash(hex: Self.javaBridge)
        let byBits = (0..<256).filter { a.bit($0) != b.bit($0) }.count
        #expect(byBits == 8)  // the two decoders' hashes of the same JPEG
        #expect(a.hammingDistance(to: b) == byBits)
        #expect(b.hammingDistance(to: a) == byBits)
        #expect(a.hammingDistance(to: a) == 0)
        let rotated = try PDQHash(hex: Self.cimgRotate90)
        #expect(a.hammingDistance(to: rotated) == (0..<256).filter { a.bit($0) != rotated.bit($0) }.count)
    }

    @Test("a hash and its complement are 256 apart")
    func complementIsMaximallyFar() {
        let h = PDQHash(words: (0x0123_4567_89AB_CDEF, 0, .max, 0xF0F0))
        let c = PDQHash(words: (~h.words.0, ~h.words.1, ~h.words.2, ~h.words.3))
        #expect(h.hammingDistance(to: c) == 256)
        #expect(h.setBitCount + c.setBitCount == 256)
        #expect(PDQHash.zero.hex == String(repeating: "0", count: 64))
    }

    @Test("equal words mean equal and same-hashing values")
    func equalityAndHashingFollowWords() {
        let a = PDQHash(words: (1, 2, 3, 4)), b = PDQHash(words: (1, 2, 3, 4)), c = PDQHash(words: (1, 2, 3, 5))
        #expect(a == b && a != c)
        #expect(Set([a, b, c]).count == 2)
    }
}
