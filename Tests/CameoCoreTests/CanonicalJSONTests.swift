import CameoCore
import Foundation
import Testing

@Suite struct CanonicalJSONTests {
    /// RFC 8785 Appendix B number serialization samples (IEEE 754 → ECMAScript string).
    @Test(arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (4.50, "4.5"), (0.002, "0.002"),
        (1e30, "1e+30"), (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"), (1e-6, "0.000001"),
        (333333333.3333333, "333333333.3333333"), (9007199254740992.0, "9007199254740992"),
        (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (295147905179352830000.0, "295147905179352830000"),
    ])
    func numbersFollowECMAScript(value: Double, expected: String) throws {
        #expect(String(decoding: try CanonicalJSON.encode(.double(value)), as: UTF8.self) == expected)
    }

    @Test func objectKeysSortByUTF16CodeUnits() throws {
        // RFC 8785 §3.2.3 example: keys with characters outside the BMP sort by UTF-16, not by scalar.
        let v: JSONValue = .object(["\u{20ac}": .string("Euro Sign"), "\r": .string("Carriage Return"),
                                    "\u{fb33}": .string("Hebrew Letter Dalet With Dagesh"), "1": .string("One"),
                                    "\u{1f600}": .string("Emoji: Grinning Face"), "\u{0080}": .string("Control"),
                                    "\u{00f6}": .string("Latin Small Letter O With Diaeresis")])
        let s = String(decoding: try CanonicalJSON.encode(v), as: UTF8.self)
        #expect(s == "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{0080}\":\"Control\",\"\u{00f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}")
    }

    @Test func stringsEscapeOnlyWhatJSONRequires() throws {
        let s = String(decoding: try CanonicalJSON.encode(.string("a\"b\\c\n\u{1}/é")), as: UTF8.self)
        #expect(s == "\"a\\\"b\\\\c\\n\\u0001/é\"")
    }

    @Test func nonFiniteNumbersAreRejected() {
        #expect(throws: CoreError.self) { try CanonicalJSON.encode(.double(.nan)) }
        #expect(throws: CoreError.self) { try CanonicalJSON.encode(.double(.infinity)) }
    }

    @Test func reencodingDetectsNonCanonicalInput() throws {
        #expect(CanonicalJSON.isCanonical(Array("{\"a\":1,\"b\":[true,null]}".utf8)))
        #expect(!CanonicalJSON.isCanonical(Array("{\"b\":1,\"a\":2}".utf8)))
        #expect(!CanonicalJSON.isCanonical(Array("{\"a\": 1}".utf8)))
        #expect(!CanonicalJSON.isCanonical(Array("{\"a\":1.50}".utf8)))
    }

    @Test func identifiersValidateTheirText() throws {
        #expect(throws: CoreError.self) { try SubjectID("") }
        #expect(throws: CoreError.self) { try SubjectID("has space") }
        #expect(throws: CoreError.self) { try SubjectID(String(repeating: "a", count: 129)) }
        #expect(try SubjectID("sub_1.a:b-C").rawValue == "sub_1.a:b-C")
        #expect(GrantID.random().rawValue.hasPrefix("grt_"))
    }
}
