import CameoCore
import Foundation

extension ConsentDecision {
    /// The decision as JSON in the stable shape that receipts sign (the caller adds the policy
    /// hash, consistency token and signature):
    ///
    ///     {"decision":"allow|deny","requester":"sub_…","use":"generate",
    ///      "audience":{"kind":"community","community":"com_…"},"tags":["political"],
    ///      "results":[{"owner":"sub_…","result":"allow|deny","reason":"granted",
    ///                  "grant_ids":["grt_…"]}],
    ///      "evaluated_at":"2026-01-31T12:00:00.000Z"}
    ///
    /// `tags` are sorted, `results` keep request order, `grant_ids` are sorted, and
    /// `evaluated_at` is RFC 3339 in UTC with milliseconds. Serialize with `CanonicalJSON`.
    public var jsonValue: JSONValue {
        .object([
            "decision": .string(verdict.rawValue),
            "requester": .string(request.requester.rawValue),
            "use": .string(request.use.rawValue),
            "audience": request.audience.jsonValue,
            "tags": .array(request.tags.map { .string($0.rawValue) }),
            "results": .array(results.map(\.jsonValue)),
            "evaluated_at": .string(RFC3339.format(evaluatedAt)),
        ])
    }

    /// The RFC 8785 canonical bytes of `jsonValue`.
    public func canonicalBytes() throws -> [UInt8] {
        try CanonicalJSON.encode(jsonValue)
    }
}

extension CameoResult {
    /// `{"owner":…,"result":"allow|deny","reason":code,"grant_ids":[…]}`.
    public var jsonValue: JSONValue {
        .object([
            "owner": .string(owner.rawValue),
            "result": .string(outcome.verdict.rawValue),
            "reason": .string(outcome.code),
            "grant_ids": .array(outcome.grantIDs.map { .string($0.rawValue) }),
        ])
    }
}

extension Visibility {
    /// The `{"kind":…}` form as a `JSONValue` (same shape as the `Codable` form).
    public var jsonValue: JSONValue {
        if case .community(let id) = self {
            return .object(["kind": .string(kind), "community": .string(id.rawValue)])
        }
        return .object(["kind": .string(kind)])
    }
}

/// RFC 3339 timestamps (`2026-01-31T12:00:00.000Z`) computed arithmetically, so the text
/// does not depend on locale, calendar settings or formatter thread-safety.
enum RFC3339 {
    /// `date` in UTC, rounded to the nearest millisecond.
    static func format(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.toNearestOrAwayFromZero))
        let (secs, ms) = floorDivMod(millis, 1000)
        let (days, secOfDay) = floorDivMod(secs, 86_400)
        let (y, m, d) = civil(fromDays: days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secOfDay / 3600, 2)):\(pad(secOfDay / 60 % 60, 2)):\(pad(secOfDay % 60, 2)).\(pad(ms, 3))Z"
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a >= 0 ? a / b : (a - b + 1) / b
        return (q, a - q * b)
    }

    /// Proleptic Gregorian date of `days` since 1970-01-01 (H. Hinnant, "chrono-compatible
    /// low-level date algorithms", `civil_from_days`).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func pad(_ n: Int64, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
