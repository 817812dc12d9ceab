import COpenSSL

/// SHA-256 over OpenSSL's EVP interface.
public enum SHA256 {
    /// The 32-byte digest of the concatenation of `parts` (no copy of the parts is made).
    public static func hash(_ parts: [UInt8]...) -> [UInt8] {
        hash(parts: parts)
    }

    /// The 32-byte digest of the concatenation of `parts`.
    public static func hash(parts: [[UInt8]]) -> [UInt8] {
        let ctx = EVP_MD_CTX_new()!
        defer { EVP_MD_CTX_free(ctx) }
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        for p in parts { p.withUnsafeBytes { _ = EVP_DigestUpdate(ctx, $0.baseAddress, $0.count) } }
        var out = [UInt8](repeating: 0, count: 32)
        var len: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &out, &len)
        return out
    }

    /// Lowercase hex of the digest of `data`.
    public static func hex(_ data: [UInt8]) -> String { Hex.encode(hash(data)) }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    /// Encodes bytes as lowercase hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil on odd length or a non-hex character.
    public static func decode(_ s: String) -> [UInt8]? {
        let u = Array(s.utf8)
        guard u.count % 2 == 0 else { return nil }
        func nib(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out = [UInt8](); out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let h = nib(u[i]), let l = nib(u[i + 1]) else { return nil }
            out.append(h << 4 | l); i += 2
        }
        return out
    }
}
