import Foundation

/// JSON Canonicalization Scheme (RFC 8785): object members sorted by their UTF-16 code units,
/// no insignificant whitespace, ECMAScript number formatting, minimal string escaping.
public enum CanonicalJSON {
    /// The canonical UTF-8 bytes of `value`. Throws `non_finite_number` for NaN/Infinity,
    /// which JSON cannot carry (RFC 8785 §3.2.2.3).
    public static func encode(_ value: JSONValue) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try write(value, into: &out)
        return out
    }

    /// The canonical bytes of any `Encodable`.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try encode(JSONValue.from(value))
    }

    /// Whether `bytes` are already in canonical form (parse, re-encode, compare).
    public static func isCanonical(_ bytes: [UInt8]) -> Bool {
        guard let v = try? JSONValue.parse(bytes), let again = try? encode(v) else { return false }
        return again == bytes
    }

    private static func write(_ value: JSONValue, into out: inout [UInt8]) throws {
        switch value {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): out += Array(String(i).utf8)
        case .double(let d): out += Array(try formatNumber(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                try write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            // RFC 8785 §3.2.3: sort by UTF-16 code units, not by Unicode scalars. ASCII keys (the
            // norm) sort the same by bytes, which needs no conversion.
            let keys: [String]
            if o.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } }) {
                keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            } else {
                keys = o.keys.map { ($0, Array($0.utf16)) }.sorted { $0.1.lexicographicallyPrecedes($1.1) }.map(\.0)
            }
            for (i, k) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(k, into: &out)
                out.append(UInt8(ascii: ":"))
                try write(o[k]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// RFC 8785 §3.2.2.2: escape only `"`, `\` and C0 controls; short forms where JSON has them.
    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        let hex = Array("0123456789abcdef".utf8)
        for b in s.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0..<0x20: out += [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// ECMAScript Number.prototype.toString (ECMA-262 §7.1.12.1) from Swift's shortest
    /// round-trip digits, as RFC 8785 §3.2.2.3 requires.
    static func formatNumber(_ d: Double) throws -> String {
        guard d.isFinite else { throw CoreError("non_finite_number", "NaN and Infinity cannot be encoded as JSON") }
        if d == 0 { return "0" }
        if d < 0 { return "-" + (try formatNumber(-d)) }
        // Decompose Swift's shortest representation into digits and a decimal exponent.
        let (digits, exp10) = shortestDigits(d)  // value = 0.d1d2… × 10^exp10
        let k = digits.count, n = exp10
        if k <= n && n <= 21 { return digits + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 {
            let i = digits.index(digits.startIndex, offsetBy: n)
            return digits[..<i] + "." + digits[i...]
        }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + digits }
        let e = n - 1
        let sign = e < 0 ? "-" : "+"
        let mantissa = k == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
        return mantissa + "e" + sign + String(abs(e))
    }

    private static func shortestDigits(_ d: Double) -> (String, Int) {
        let text = "\(d)"  // e.g. "1.5", "1e-07", "1.2345e+22", "123.0"
        var mant = text, exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mant = String(text[..<e])
            exp = Int(text[text.index(after: e)...]) ?? 0
        }
        var intPart = mant, frac = ""
        if let dot = mant.firstIndex(of: ".") {
            intPart = String(mant[..<dot]); frac = String(mant[mant.index(after: dot)...])
        }
        var digits = intPart + frac
        var pointPos = intPart.count + exp
        while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); pointPos -= 1 }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, pointPos)
    }
}
