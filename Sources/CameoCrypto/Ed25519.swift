import COpenSSL

/// An Ed25519 signing key (RFC 8032) held by OpenSSL. Signing is thread-safe: every call uses
/// its own digest context over the shared, immutable key.
public final class Ed25519PrivateKey: @unchecked Sendable {
    let pkey: OpaquePointer

    private init(pkey: OpaquePointer) { self.pkey = pkey }
    deinit { EVP_PKEY_free(pkey) }

    /// Generates a fresh key pair.
    public static func generate() throws -> Ed25519PrivateKey {
        guard let ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else {
            throw CryptoError("keygen_failed", openSSLErrors())
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_keygen(ctx, &key) == 1, let k = key else {
            throw CryptoError("keygen_failed", openSSLErrors())
        }
        return Ed25519PrivateKey(pkey: k)
    }

    /// Loads the key from its 32-byte RFC 8032 seed.
    public convenience init(seed: [UInt8]) throws {
        guard seed.count == 32,
              let k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed, seed.count) else {
            throw CryptoError("bad_private_key", "an Ed25519 seed is 32 bytes", kind: .invalidInput)
        }
        self.init(pkey: k)
    }

    /// Parses a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`); rejects other key types.
    public convenience init(pem: String) throws {
        let bio = try memoryBIO(Array(pem.utf8))
        defer { BIO_free(bio) }
        guard let k = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw CryptoError("bad_private_key", "not a PEM private key: \(openSSLErrors())", kind: .invalidInput)
        }
        guard EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(k)
            throw CryptoError("bad_private_key", "the private key is not Ed25519", kind: .invalidInput)
        }
        self.init(pkey: k)
    }

    /// The key as PKCS#8 PEM, readable by `openssl pkey`.
    public func pemPKCS8() throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError("bio_failed", openSSLErrors()) }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, pkey, nil, nil, 0, nil, nil) == 1 else {
            throw CryptoError("pem_write_failed", openSSLErrors())
        }
        return String(decoding: readMemoryBIO(bio), as: UTF8.self)
    }

    /// The matching public key.
    public var publicKey: Ed25519PublicKey {
        var raw = [UInt8](repeating: 0, count: 32)
        var len = 32
        EVP_PKEY_get_raw_public_key(pkey, &raw, &len)
        return try! Ed25519PublicKey(raw: raw)  // 32 bytes from a valid key
    }

    /// The 64-byte signature of `message` (pure Ed25519, no pre-hash).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard let ctx = EVP_MD_CTX_new() else { throw CryptoError("sign_failed", openSSLErrors()) }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1 else { throw CryptoError("sign_failed", openSSLErrors()) }
        var sig = [UInt8](repeating: 0, count: 64)
        var len = 64
        let ok = message.withUnsafeBufferPointer { EVP_DigestSign(ctx, &sig, &len, $0.baseAddress, $0.count) }
        guard ok == 1, len == 64 else { throw CryptoError("sign_failed", openSSLErrors()) }
        return sig
    }
}

/// An Ed25519 public key.
public struct Ed25519PublicKey: Sendable, Hashable {
    /// The 32-byte RFC 8032 encoding.
    public let raw: [UInt8]

    /// Wraps a 32-byte public key.
    public init(raw: [UInt8]) throws {
        guard raw.count == 32 else { throw CryptoError("bad_public_key", "an Ed25519 public key is 32 bytes", kind: .invalidInput) }
        self.raw = raw
    }

    /// Parses an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`).
    public init(pem: String) throws {
        let bio = try memoryBIO(Array(pem.utf8))
        defer { BIO_free(bio) }
        guard let k = PEM_read_bio_PUBKEY(bio, nil, nil, nil) else {
            throw CryptoError("bad_public_key", "not a PEM public key: \(openSSLErrors())", kind: .invalidInput)
        }
        defer { EVP_PKEY_free(k) }
        guard EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519 else {
            throw CryptoError("bad_public_key", "the public key is not Ed25519", kind: .invalidInput)
        }
        var raw = [UInt8](repeating: 0, count: 32)
        var len = 32
        EVP_PKEY_get_raw_public_key(k, &raw, &len)
        try self.init(raw: raw)
    }

    /// The key as SPKI PEM, readable by `openssl pkey -pubin`.
    public func pemSPKI() throws -> String {
        guard let k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            throw CryptoError("bad_public_key", openSSLErrors())
        }
        defer { EVP_PKEY_free(k) }
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError("bio_failed", openSSLErrors()) }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PUBKEY(bio, k) == 1 else { throw CryptoError("pem_write_failed", openSSLErrors()) }
        return String(decoding: readMemoryBIO(bio), as: UTF8.self)
    }

    /// Whether `signature` is a valid Ed25519 signature of `message` under this key.
    public func verify(signature: [UInt8], message: [UInt8]) -> Bool {
        guard signature.count == 64,
              let k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else { return false }
        defer { EVP_PKEY_free(k) }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, k) == 1 else { ERR_clear_error(); return false }
        let ok = message.withUnsafeBufferPointer { m in
            signature.withUnsafeBufferPointer { s in EVP_DigestVerify(ctx, s.baseAddress, s.count, m.baseAddress, m.count) }
        }
        ERR_clear_error()
        return ok == 1
    }
}
