import COpenSSL

/// AES-256-GCM authenticated encryption. The sealed form is `nonce(12) ‖ ciphertext ‖ tag(16)`.
public enum AESGCM {
    /// Encrypts `plaintext` under a 32-byte `key` with a random 96-bit nonce; `aad` is authenticated, not encrypted.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        guard key.count == 32 else { throw CryptoError("bad_key", "AES-256 keys are 32 bytes", kind: .invalidInput) }
        let nonce = secureRandomBytes(12)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError("aead_failed", openSSLErrors()) }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: plaintext.count + 16)
        var len: Int32 = 0, total: Int32 = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw CryptoError("aead_failed", openSSLErrors()) }
        if !aad.isEmpty { EVP_EncryptUpdate(ctx, nil, &len, aad, Int32(aad.count)) }
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(ctx, &out, &len, plaintext, Int32(plaintext.count)) == 1 else { throw CryptoError("aead_failed", openSSLErrors()) }
            total = len
        }
        let finalOK = out.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(ctx, $0.baseAddress! + Int(total), &len) }
        guard finalOK == 1 else { throw CryptoError("aead_failed", openSSLErrors()) }
        total += len
        var tag = [UInt8](repeating: 0, count: 16)
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1 else { throw CryptoError("aead_failed", openSSLErrors()) }
        return nonce + out.prefix(Int(total)) + tag
    }

    /// Decrypts and authenticates; throws `decrypt_failed` (kind `.integrity`) on any tampering or wrong key.
    public static func open(_ sealed: [UInt8], key: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        guard key.count == 32 else { throw CryptoError("bad_key", "AES-256 keys are 32 bytes", kind: .invalidInput) }
        guard sealed.count >= 28 else { throw CryptoError("decrypt_failed", "sealed data is too short", kind: .integrity) }
        let nonce = Array(sealed.prefix(12)), tag = Array(sealed.suffix(16))
        let ct = Array(sealed[12..<(sealed.count - 16)])
        guard let ctx = EVP_CIPHER_CTX_new() else { throw CryptoError("aead_failed", openSSLErrors()) }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: ct.count + 16)
        var len: Int32 = 0, total: Int32 = 0
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, key, nonce) == 1 else { throw CryptoError("aead_failed", openSSLErrors()) }
        if !aad.isEmpty { EVP_DecryptUpdate(ctx, nil, &len, aad, Int32(aad.count)) }
        if !ct.isEmpty {
            guard EVP_DecryptUpdate(ctx, &out, &len, ct, Int32(ct.count)) == 1 else { throw CryptoError("decrypt_failed", "ciphertext rejected", kind: .integrity) }
            total = len
        }
        var tagCopy = tag
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, &tagCopy)
        let ok = out.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(ctx, $0.baseAddress! + Int(total), &len) }
        ERR_clear_error()
        guard ok == 1 else { throw CryptoError("decrypt_failed", "authentication failed: wrong key or tampered data", kind: .integrity) }
        return Array(out.prefix(Int(total + len)))
    }
}
