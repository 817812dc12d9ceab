import CArgon2

/// argon2id (RFC 9106) password/secret hashing in PHC string format
/// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), via libargon2.
public struct Argon2id: Sendable, Hashable {
    /// Iterations (time cost).
    public let iterations: UInt32
    /// Memory in KiB.
    public let memoryKiB: UInt32
    /// Lanes.
    public let parallelism: UInt32

    /// OWASP's minimum recommendation: t=2, m=19 MiB, p=1.
    public static let owaspMinimum = Argon2id(iterations: 2, memoryKiB: 19456, parallelism: 1)

    /// Creates parameters; validated by libargon2 at hash time.
    public init(iterations: UInt32, memoryKiB: UInt32, parallelism: UInt32) {
        self.iterations = iterations
        self.memoryKiB = memoryKiB
        self.parallelism = parallelism
    }

    /// Hashes `secret` with a fresh 16-byte salt; returns the PHC-encoded string.
    public func hash(_ secret: [UInt8]) throws -> String {
        let salt = secureRandomBytes(16)
        let hashLen = 32
        let encLen = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(salt.count), UInt32(hashLen), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encLen)
        let rc = argon2id_hash_encoded(iterations, memoryKiB, parallelism, secret, secret.count,
                                       salt, salt.count, hashLen, &encoded, encLen)
        guard rc == ARGON2_OK.rawValue else {
            throw CryptoError("argon2_failed", String(decoding: Self.message(rc), as: UTF8.self))
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `secret` matches the PHC string `encoded` (libargon2 compares in constant time).
    /// A malformed `encoded` string is simply a mismatch.
    public static func verify(_ secret: [UInt8], encoded: String) -> Bool {
        guard encoded.hasPrefix("$argon2id$") else { return false }
        return argon2id_verify(encoded, secret, secret.count) == ARGON2_OK.rawValue
    }

    private static func message(_ rc: Int32) -> [UInt8] {
        guard let p = argon2_error_message(rc) else { return Array("argon2 error \(rc)".utf8) }
        var out: [UInt8] = []
        var q = p
        while q.pointee != 0 { out.append(UInt8(bitPattern: q.pointee)); q += 1 }
        return out
    }
}
