import Foundation

/// Standard base64 (RFC 4648 §4, with padding), as used by C2SP notes and our JSON.
public enum Base64 {
    /// Encodes bytes.
    public static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    /// Decodes strict, canonical base64; nil if malformed or if unused bits are set (so that
    /// one byte sequence has exactly one accepted text, which signed formats rely on).
    public static func decode(_ s: String) -> [UInt8]? {
        guard let d = Data(base64Encoded: s), d.base64EncodedString() == s else { return nil }
        return [UInt8](d)
    }
}

extension Base64 {
    /// base64url without padding (RFC 4648 §5, as JOSE uses it: RFC 7515 §2).
    public static func encodeURL(_ bytes: [UInt8]) -> String {
        encode(bytes).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Decodes unpadded base64url; nil if malformed.
    public static func decodeURL(_ s: String) -> [UInt8]? {
        guard s.utf8.allSatisfy({ (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 95 }) else { return nil }
        let std = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return decode(std + String(repeating: "=", count: (4 - std.count % 4) % 4))
    }
}
