import CameoCore
import Foundation

/// A grant as the app backend asks for it, before it has an id, a creation time, or has been
/// checked against policy. `Grant.make` turns it into a `Grant` or says why it cannot.
///
/// JSON keys: `owner`, `audience`, `uses`, `forbidden_tags` (optional), `preferences`
/// (optional), `effect` (optional, default `allow`), `expires_at` (optional).
public struct GrantDraft: Hashable, Sendable, Codable {
    /// The subject whose cameo the grant is about.
    public var owner: SubjectID
    /// Who the grant applies to.
    public var audience: Audience
    /// The uses allowed or blocked; must end up non-empty.
    public var uses: Set<Use>
    /// Content tags the owner forbids (allow grants only).
    public var forbiddenTags: Set<ContentTag>
    /// Free-text wishes passed to the generator.
    public var preferences: String
    /// Allow or block.
    public var effect: GrantEffect
    /// Requested expiry, or nil for the policy default (see `ConsentLimits.defaultLifetime`).
    public var expiresAt: Date?

    /// Creates a draft; nothing is validated until `Grant.make`.
    public init(
        owner: SubjectID, audience: Audience, uses: Set<Use>, forbiddenTags: Set<ContentTag> = [],
        preferences: String = "", effect: GrantEffect = .allow, expiresAt: Date? = nil
    ) {
        self.owner = owner
        self.audience = audience
        self.uses = uses
        self.forbiddenTags = forbiddenTags
        self.preferences = preferences
        self.effect = effect
        self.expiresAt = expiresAt
    }

    private enum CodingKeys: String, CodingKey {
        case owner, audience, uses, preferences, effect
        case forbiddenTags = "forbidden_tags"
        case expiresAt = "expires_at"
    }

    /// Decodes a draft; optional keys take the defaults of `init`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            owner: try c.decode(SubjectID.self, forKey: .owner),
            audience: try c.decode(Audience.self, forKey: .audience),
            uses: Set(try c.decode([Use].self, forKey: .uses)),
            forbiddenTags: Set(try c.decodeIfPresent([ContentTag].self, forKey: .forbiddenTags) ?? []),
            preferences: try c.decodeIfPresent(String.self, forKey: .preferences) ?? "",
            effect: try c.decodeIfPresent(GrantEffect.self, forKey: .effect) ?? .allow,
            expiresAt: try c.decodeIfPresent(Date.self, forKey: .expiresAt))
    }

    /// Encodes every key with sets sorted.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(owner, forKey: .owner)
        try c.encode(audience, forKey: .audience)
        try c.encode(uses.sorted(), forKey: .uses)
        try c.encode(forbiddenTags.sorted(), forKey: .forbiddenTags)
        try c.encode(preferences, forKey: .preferences)
        try c.encode(effect, forKey: .effect)
        try c.encodeIfPresent(expiresAt, forKey: .expiresAt)
    }
}

/// The policy limits on new grants (from `Policies/consent.yaml`).
///
/// JSON/YAML keys: `max_lifetime` and `default_lifetime` in seconds, `max_approved_list`.
public struct ConsentLimits: Hashable, Sendable, Codable {
    /// The longest an allow grant may live, in seconds from its creation.
    public let maxLifetime: TimeInterval
    /// The most subjects an approved list may name (after removing duplicates).
    public let maxApprovedList: Int
    /// Lifetime given to an allow grant created without an expiry; nil leaves such grants
    /// open-ended (they last until revoked).
    public let defaultLifetime: TimeInterval?

    /// Validates the limits: `maxLifetime` > 0 and finite, `maxApprovedList` ≥ 1, and
    /// `defaultLifetime`, if set, in `(0, maxLifetime]`; throws `invalid_limits`.
    public init(maxLifetime: TimeInterval, maxApprovedList: Int, defaultLifetime: TimeInterval? = nil) throws(ConsentError) {
        guard maxLifetime.isFinite, maxLifetime > 0 else {
            throw ConsentError(.invalidLimits, "max_lifetime must be a positive number of seconds")
        }
        guard maxApprovedList >= 1 else {
            throw ConsentError(.invalidLimits, "max_approved_list must be at least 1")
        }
        if let defaultLifetime, !(defaultLifetime > 0 && defaultLifetime <= maxLifetime) {
            throw ConsentError(.invalidLimits, "default_lifetime must be positive and at most max_lifetime")
        }
        self.maxLifetime = maxLifetime
        self.maxApprovedList = maxApprovedList
        self.defaultLifetime = defaultLifetime
    }

    private enum CodingKeys: String, CodingKey {
        case maxLifetime = "max_lifetime"
        case maxApprovedList = "max_approved_list"
        case defaultLifetime = "default_lifetime"
    }

    /// Decodes and validates like `init`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            maxLifetime: c.decode(TimeInterval.self, forKey: .maxLifetime),
            maxApprovedList: c.decode(Int.self, forKey: .maxApprovedList),
            defaultLifetime: c.decodeIfPresent(TimeInterval.self, forKey: .defaultLifetime))
    }
}

extension Grant {
    /// Turns a draft into a grant created at `now`, or throws why it cannot be one.
    ///
    /// Beyond the structural invariants of `Grant.init` (`invalid_grant`,
    /// `preferences_too_long`): the approved list may name at most `limits.maxApprovedList`
    /// distinct subjects (`approved_list_too_long`); an allow grant without an expiry gets
    /// `limits.defaultLifetime`; an expiry must be after `now` (`expiry_in_past`); an allow
    /// grant may live at most `limits.maxLifetime` (`grant_lifetime_exceeded`). Block grants
    /// are restrictions, so they get no default expiry and no lifetime cap.
    public static func make(_ draft: GrantDraft, id: GrantID, now: Date, limits: ConsentLimits) throws(ConsentError) -> Grant {
        let listed = Set(draft.audience.approvedSubjects).count
        if listed > limits.maxApprovedList {
            throw ConsentError(.approvedListTooLong, "approved list names \(listed) subjects; at most \(limits.maxApprovedList) allowed")
        }
        var expiresAt = draft.expiresAt
        if expiresAt == nil, draft.effect == .allow, let lifetime = limits.defaultLifetime {
            expiresAt = now.addingTimeInterval(lifetime)
        }
        if let expiresAt {
            if expiresAt <= now {
                throw ConsentError(.expiryInPast, "expires_at must be in the future")
            }
            if draft.effect == .allow, expiresAt.timeIntervalSince(now) > limits.maxLifetime {
                throw ConsentError(.grantLifetimeExceeded, "a grant may live at most \(Int(limits.maxLifetime)) seconds")
            }
        }
        return try Grant(
            id: id, owner: draft.owner, audience: draft.audience, uses: draft.uses,
            forbiddenTags: draft.forbiddenTags, preferences: draft.preferences,
            effect: draft.effect, createdAt: now, expiresAt: expiresAt)
    }
}
