import COpenSSL

/// Drains OpenSSL's thread-local error queue into one line (for error messages).
func openSSLErrors() -> String {
    var parts: [String] = []
    while true {
        let e = ERR_get_error()
        if e == 0 { break }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(e, &buf, buf.count)
        let bytes = buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        parts.append(String(decoding: bytes, as: UTF8.self))
    }
    return parts.isEmpty ? "unknown OpenSSL error" : parts.joined(separator: "; ")
}

/// Reads everything written into a memory BIO.
func readMemoryBIO(_ bio: OpaquePointer) -> [UInt8] {
    var ptr: UnsafeMutablePointer<CChar>? = nil
    // BIO_get_mem_data is a macro; BIO_CTRL_INFO is what it expands to.
    let len = withUnsafeMutablePointer(to: &ptr) { BIO_ctrl(bio, BIO_CTRL_INFO, 0, UnsafeMutableRawPointer($0)) }
    guard len > 0, let p = ptr else { return [] }
    return p.withMemoryRebound(to: UInt8.self, capacity: len) { Array(UnsafeBufferPointer(start: $0, count: len)) }
}

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    if count > 0 {
        // RAND_bytes only fails if the DRBG cannot be seeded, which is an unusable machine.
        precondition(RAND_bytes(&out, Int32(count)) == 1, "OpenSSL RAND_bytes failed: \(openSSLErrors())")
    }
    return out
}

/// Compares two byte strings in time independent of where they differ (length is not secret).
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for (x, y) in zip(a, b) { diff |= x ^ y }
    return diff == 0
}

/// A memory BIO holding its own copy of `bytes`. (`BIO_new_mem_buf` would keep a pointer to
/// the caller's buffer, which a Swift array only lends for the duration of one call.)
func memoryBIO(_ bytes: [UInt8]) throws -> OpaquePointer {
    guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError("bio_failed", openSSLErrors()) }
    guard bytes.isEmpty || BIO_write(bio, bytes, Int32(bytes.count)) == Int32(bytes.count) else {
        BIO_free(bio)
        throw CryptoError("bio_failed", openSSLErrors())
    }
    return bio
}
