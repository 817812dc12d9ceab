/// `Policies/takedown.yaml`: SLAs, priorities, windows, strikes and the hash bank.
public struct TakedownPolicy: Sendable, Codable, Equatable {
    public var slaHours: [String: Double]
    public var priority: [String: Int]
    public var misuseCategories: [String: Int]
    public var grounds: [String]
    public var claimLeaseMinutes: Double
    public var counterNoticeBusinessDays: Int
    public var strikeLimit: Int
    public var strikeWindowDays: Double
    public var pdqMatchDistance: Int
    public var fingerprintFps: Double
    public var autoRemoveLikenessWithoutGrant: Bool
    public var autoRemoveHashBankHit: Bool

    enum CodingKeys: String, CodingKey {
        case slaHours = "sla_hours", priority, misuseCategories = "misuse_categories", grounds
        case claimLeaseMinutes = "claim_lease_minutes", counterNoticeBusinessDays = "counter_notice_business_days"
        case strikeLimit = "strike_limit", strikeWindowDays = "strike_window_days", pdqMatchDistance = "pdq_match_distance"
        case fingerprintFps = "fingerprint_fps", autoRemoveLikenessWithoutGrant = "auto_remove_likeness_without_grant"
        case autoRemoveHashBankHit = "auto_remove_hash_bank_hit"
    }

    func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw PolicyError("policy_invalid", "takedown.yaml: \(what)") } }
        for t in ["copyright", "likeness", "misuse"] {
            try check((slaHours[t] ?? 0) > 0, "sla_hours.\(t) must be > 0")
            try check(priority[t] != nil, "priority.\(t) is required")
        }
        try check(!misuseCategories.isEmpty && !grounds.isEmpty, "misuse_categories and grounds must not be empty")
        try check(claimLeaseMinutes > 0 && claimLeaseMinutes <= 24 * 60, "claim_lease_minutes in (0, 1440]")
        try check((10...14).contains(counterNoticeBusinessDays), "counter_notice_business_days must be 10-14 (17 U.S.C. §512(g)(2)(C))")
        try check(strikeLimit >= 1 && strikeWindowDays > 0, "strike_limit ≥ 1, strike_window_days > 0")
        try check((0...128).contains(pdqMatchDistance), "pdq_match_distance 0-128")
        try check(fingerprintFps > 0 && fingerprintFps <= 10, "fingerprint_fps in (0, 10]")
    }
}
