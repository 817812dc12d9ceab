import CameoCrypto
import Testing

@Suite struct SymmetricAndHashTests {
    @Test func sha256MatchesFIPSVectors() {
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash(Array("a".utf8), Array("bc".utf8)) == SHA256.hash(Array("abc".utf8)))
    }

    @Test func aesGCMRoundTripsAndDetectsTampering() throws {
        let key = secureRandomBytes(32)
        let plain = Array("128 floats of a face descriptor".utf8)
        let sealed = try AESGCM.seal(plain, key: key, aad: [1, 2])
        #expect(try AESGCM.open(sealed, key: key, aad: [1, 2]) == plain)
        #expect(!(0...(sealed.count - plain.count)).contains { Array(sealed[$0..<($0 + plain.count)]) == plain })
        for i in [0, 12, sealed.count - 1] {
            var t = sealed; t[i] ^= 0x80
            #expect(throws: CryptoError.self) { try AESGCM.open(t, key: key, aad: [1, 2]) }
        }
        #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: secureRandomBytes(32), aad: [1, 2]) }
        #expect(throws: CryptoError.self) { try AESGCM.open(sealed, key: key, aad: [1, 3]) }
        #expect(throws: CryptoError.self) { try AESGCM.open([1, 2, 3], key: key) }
        #expect(try AESGCM.open(try AESGCM.seal([], key: key), key: key) == [])
    }

    @Test func argon2idUsesPHCFormatAndVerifies() throws {
        let h = Argon2id(iterations: 2, memoryKiB: 8192, parallelism: 1)
        let encoded = try h.hash(Array("s3cret".utf8))
        #expect(encoded.hasPrefix("$argon2id$v=19$m=8192,t=2,p=1$"))
        #expect(Argon2id.verify(Array("s3cret".utf8), encoded: encoded))
        #expect(!Argon2id.verify(Array("s3cret!".utf8), encoded: encoded))
        #expect(!Argon2id.verify(Array("s3cret".utf8), encoded: "$argon2i$v=19$m=8192,t=2,p=1$AAAA$BBBB"))
        #expect(!Argon2id.verify(Array("s3cret".utf8), encoded: "not a hash"))
        #expect(try h.hash(Array("s3cret".utf8)) != encoded)  // fresh salt every time
    }

    @Test func constantTimeEqualsComparesContentAndLength() {
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
    }

    @Test func hexRoundTripsAndRejectsJunk() {
        #expect(Hex.decode(Hex.encode([0, 255, 16])) == [0, 255, 16])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}
