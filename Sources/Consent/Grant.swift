import CameoCore
import Foundation

/// Whether a grant lets its audience use the cameo or forbids it. A live block grant that
/// covers a requester wins over every allow grant.
public enum GrantEffect: String, Hashable, Sendable, Codable, CaseIterable {
    /// The audience may use the cameo for the listed uses.
    case allow
    /// The audience may not use the cameo for the listed uses (`*` = any use).
    case block
}

/// One owner's statement about who may use their cameo, for what, and on which conditions.
///
/// Invariants checked by every initializer (including decoding): `uses` is non-empty; the
/// wildcard `*` appears only in a block grant and then alone; an approved list is non-empty
/// and does not name the owner; block grants carry no forbidden tags (a block is not
/// conditional on content); preferences are at most `maxPreferencesLength` characters;
/// `expiresAt`, if set, is after `createdAt`. Time- and policy-dependent rules (expiry in the
/// future, maximum lifetime, list size) live in `Grant.make`.
///
/// JSON keys: `id`, `owner`, `audience`, `uses`, `forbidden_tags`, `preferences`, `effect`,
/// `created_at`, `expires_at` (null when the grant does not expire). Sets encode sorted.
public struct Grant: Hashable, Sendable, Codable {
    /// The longest free-text `preferences`, in characters.
    public static let maxPreferencesLength = 2000

    /// The grant's identifier.
    public let id: GrantID
    /// The subject whose cameo this grant is about.
    public let owner: SubjectID
    /// Who the grant applies to; an approved list is kept sorted and duplicate-free.
    public let audience: Audience
    /// The uses allowed (or, for a block, forbidden); `[*]` in a block means every use.
    public let uses: Set<Use>
    /// Content tags the owner forbids in outputs made under this grant.
    public let forbiddenTags: Set<ContentTag>
    /// Free-text wishes of the owner, passed to the generator; never evaluated here.
    public let preferences: String
    /// Allow or block.
    public let effect: GrantEffect
    /// When the grant was created.
    public let createdAt: Date
    /// When the grant stops applying (exclusive), or nil if it does not expire.
    public let expiresAt: Date?

    /// Creates a grant after checking the structural invariants listed on the type; throws
    /// `invalid_grant` or `preferences_too_long`. Use `Grant.make` for new grants, which also
    /// applies the time and policy limits; this initializer is for restoring stored grants.
    public init(
        id: GrantID, owner: SubjectID, audience: Audience, uses: Set<Use>,
        forbiddenTags: Set<ContentTag> = [], preferences: String = "", effect: GrantEffect = .allow,
        createdAt: Date, expiresAt: Date? = nil
    ) throws(ConsentError) {
        if uses.isEmpty {
            throw ConsentError(.invalidGrant, "a grant needs at least one use")
        }
        if uses.contains(.wildcard) {
            guard effect == .block else {
                throw ConsentError(.invalidGrant, "the wildcard use \"*\" is only allowed in block grants")
            }
            guard uses.count == 1 else {
                throw ConsentError(.invalidGrant, "the wildcard use \"*\" must be the only use")
            }
        }
        if case .approved(let list) = audience {
            if list.isEmpty { throw ConsentError(.invalidGrant, "an approved audience needs at least one subject") }
            if list.contains(owner) { throw ConsentError(.invalidGrant, "the owner cannot be in their own approved list") }
        }
        if effect == .block && !forbiddenTags.isEmpty {
            throw ConsentError(.invalidGrant, "block grants cannot carry forbidden tags")
        }
        if preferences.count > Self.maxPreferencesLength {
            throw ConsentError(.preferencesTooLong, "preferences are \(preferences.count) characters; at most \(Self.maxPreferencesLength) allowed")
        }
        if let expiresAt, expiresAt <= createdAt {
            throw ConsentError(.invalidGrant, "expires_at must be after created_at")
        }
        self.id = id
        self.owner = owner
        self.audience = audience.normalized
        self.uses = uses
        self.forbiddenTags = forbiddenTags
        self.preferences = preferences
        self.effect = effect
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// Whether the grant has expired at `now` (expiry is exclusive: at `expiresAt` it is over).
    public func isExpired(at now: Date) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }

    private enum CodingKeys: String, CodingKey {
        case id, owner, audience, uses, preferences, effect
        case forbiddenTags = "forbidden_tags"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
    }

    /// Decodes and re-checks the structural invariants; `forbidden_tags`, `preferences` and
    /// `expires_at` may be absent (empty, empty, never).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            id: c.decode(GrantID.self, forKey: .id),
            owner: c.decode(SubjectID.self, forKey: .owner),
            audience: c.decode(Audience.self, forKey: .audience),
            uses: Set(c.decode([Use].self, forKey: .uses)),
            forbiddenTags: Set(c.decodeIfPresent([ContentTag].self, forKey: .forbiddenTags) ?? []),
            preferences: c.decodeIfPresent(String.self, forKey: .preferences) ?? "",
            effect: c.decode(GrantEffect.self, forKey: .effect),
            createdAt: c.decode(Date.self, forKey: .createdAt),
            expiresAt: c.decodeIfPresent(Date.self, forKey: .expiresAt))
    }

    /// Encodes every key (sets sorted, a missing expiry as null) so the shape is stable.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(owner, forKey: .owner)
        try c.encode(audience, forKey: .audience)
        try c.encode(uses.sorted(), forKey: .uses)
        try c.encode(forbiddenTags.sorted(), forKey: .forbiddenTags)
        try c.encode(preferences, forKey: .preferences)
        try c.encode(effect, forKey: .effect)
        try c.encode(createdAt, forKey: .createdAt)
        if let expiresAt { try c.encode(expiresAt, forKey: .expiresAt) } else { try c.encodeNil(forKey: .expiresAt) }
    }
}
