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
