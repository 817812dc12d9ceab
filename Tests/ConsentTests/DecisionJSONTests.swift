import CameoCore
import Foundation
import Testing
@testable import Consent

/// The signed shape of a decision and its timestamps.
@Suite("Decision JSON")
struct DecisionJSONTests {
    @Test("a decision serializes to the exact canonical shape receipts sign")
    func canonicalDecision() throws {
        var world = try World.standard()
        try world.grant(.everyone, uses: [.generate])
        let decision = try world.check(.stranger, cameos: [.owner, .second], visibility: .community(club),
                                       tags: [.violence, .political], now: t0 + 0.123)
        let text = String(decoding: try decision.canonicalBytes(), as: UTF8.self)
        #expect(text == #"{"audience":{"community":"com_club","kind":"community"},"decision":"deny","#
            + #""evaluated_at":"2026-01-01T00:00:00.123Z","requester":"sub_stranger","#
            + #""results":[{"grant_ids":["grt_1"],"owner":"sub_owner","reason":"granted","result":"allow"},"#
            + #"{"grant_ids":[],"owner":"sub_second","reason":"no_grant","result":"deny"}],"#
            + #""tags":["political","violence"],"use":"generate"}"#)
        #expect(CanonicalJSON.isCanonical(try decision.canonicalBytes()))
    }

    @Test("an allowed decision says allow, and equal inputs give equal bytes")
    func allowAndDeterminism() throws {
        var world = try World.standard()
        try world.grant(.mutuals)
        let a = try world.check(.mutual, now: t0)
        let b = try world.check(.mutual, now: t0)
        #expect(a.jsonValue["decision"] == .string("allow"))
        #expect(a.jsonValue["results"]?.arrayValue?.first?["grant_ids"] == .array([.string("grt_1")]))
        #expect(try a.canonicalBytes() == b.canonicalBytes())
        #expect(try a.canonicalBytes() != world.check(.mutual, now: t0 + 0.001).canonicalBytes())
    }

    @Test("deny results carry their reason code and sorted grant ids")
    func denyResultShape() throws {
        var world = try World.standard()
        let b2 = try world.grant(.everyone, uses: [.wildcard], effect: .block)
        let b1 = try world.grant(.mutuals, uses: [.generate], effect: .block)
        let result = try world.check(.mutual).jsonValue["results"]?.arrayValue?.first
        #expect(result == .object([
            "owner": .string("sub_owner"), "result": .string("deny"), "reason": .string("blocked"),
            "grant_ids": .array([b2, b1].sorted().map { .string($0.rawValue) }),
        ]))
    }

    @Test("evaluated_at is RFC 3339 UTC with milliseconds", arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (1_709_251_199.9996, "2024-03-01T00:00:00.000Z"),
        (1_709_251_199.5, "2024-02-29T23:59:59.500Z"),
        (-1, "1969-12-31T23:59:59.000Z"),
        (-0.25, "1969-12-31T23:59:59.750Z"),
        (1_767_225_600.007, "2026-01-01T00:00:00.007Z"),
        (4_107_542_400, "2100-03-01T00:00:00.000Z"),
        (253_402_300_799, "9999-12-31T23:59:59.000Z"),
    ] as [(TimeInterval, String)])
    func rfc3339(seconds: TimeInterval, text: String) {
        #expect(RFC3339.format(Date(timeIntervalSince1970: seconds)) == text)
    }
}
