import CameoCore
import Foundation

/// Where a subject's likeness stands; set by the Identity module only.
public enum LikenessStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// No verified likeness: the subject's cameo cannot be used by others.
    case unverified
    /// A verified likeness: others may use the cameo under a grant.
    case verified
    /// The likeness was erased; final, and wins over everything else.
    case erased
    /// The face is enrolled for two subjects and a senior moderator has not yet decided whose
    /// it is: nobody may use it, the subject included, and no grant may be given for it.
    case disputed
}

/// What the consent check needs to know about a subject. JSON: `{"likeness":…,"suspended":…}`.
public struct SubjectStatus: Hashable, Sendable, Codable {
    /// Verification state of the subject's likeness.
    public var likeness: LikenessStatus
    /// Whether the account is suspended (its cameo cannot be used by others meanwhile).
    public var suspended: Bool

    /// Creates a status; a new subject is unverified and not suspended.
    public init(likeness: LikenessStatus = .unverified, suspended: Bool = false) {
        self.likeness = likeness
        self.suspended = suspended
    }
}

/// One change to the consent world, as the store records it and replays it into a
/// `ConsentIndex`. Applying the same events in the same order always gives the same index.
///
/// JSON form: an object with a `type` (`subject_upserted`, `follow`, `unfollow`, `joined`,
/// `left`, `grant_created`, `grant_revoked`) and that case's fields.
public enum ConsentEvent: Hashable, Sendable, Codable {
    /// A subject was created or its status changed.
    case subjectUpserted(SubjectID, SubjectStatus)
    /// `follower` now follows `followee` (a directed edge).
    case follow(follower: SubjectID, followee: SubjectID)
    /// `follower` no longer follows `followee`.
    case unfollow(follower: SubjectID, followee: SubjectID)
    /// A subject joined a community.
    case joined(CommunityID, member: SubjectID)
    /// A subject left a community.
    case left(CommunityID, member: SubjectID)
    /// A grant was created (already validated by `Grant.make`).
    case grantCreated(Grant)
    /// A grant was revoked at the given time; from then on it never allows anything.
    case grantRevoked(GrantID, at: Date)

    /// The stable `type` string of the JSON form.
    public var type: String {
        switch self {
        case .subjectUpserted: "subject_upserted"
        case .follow: "follow"
        case .unfollow: "unfollow"
        case .joined: "joined"
        case .left: "left"
        case .grantCreated: "grant_created"
        case .grantRevoked: "grant_revoked"
        }
    }

    private enum CodingKeys: String, CodingKey {
        case type, subject, status, follower, followee, community, grant, at
        case grantID = "grant_id"
    }

    /// Decodes the `{"type":…}` form; unknown types are a decoding error.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "subject_upserted":
            self = .subjectUpserted(try c.decode(SubjectID.self, forKey: .subject), try c.decode(SubjectStatus.self, forKey: .status))
        case "follow":
            self = .follow(follower: try c.decode(SubjectID.self, forKey: .follower), followee: try c.decode(SubjectID.self, forKey: .followee))
        case "unfollow":
            self = .unfollow(follower: try c.decode(SubjectID.self, forKey: .follower), followee: try c.decode(SubjectID.self, forKey: .followee))
        case "joined":
            self = .joined(try c.decode(CommunityID.self, forKey: .community), member: try c.decode(SubjectID.self, forKey: .subject))
        case "left":
            self = .left(try c.decode(CommunityID.self, forKey: .community), member: try c.decode(SubjectID.self, forKey: .subject))
        case "grant_created":
            self = .grantCreated(try c.decode(Grant.self, forKey: .grant))
        case "grant_revoked":
            self = .grantRevoked(try c.decode(GrantID.self, forKey: .grantID), at: try c.decode(Date.self, forKey: .at))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown consent event type \(type.prefix(40).debugDescription)")
        }
    }

    /// Encodes the `{"type":…}` form.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        switch self {
        case .subjectUpserted(let subject, let status):
            try c.encode(subject, forKey: .subject)
            try c.encode(status, forKey: .status)
        case .follow(let follower, let followee), .unfollow(let follower, let followee):
            try c.encode(follower, forKey: .follower)
            try c.encode(followee, forKey: .followee)
        case .joined(let community, let member), .left(let community, let member):
            try c.encode(community, forKey: .community)
            try c.encode(member, forKey: .subject)
        case .grantCreated(let grant):
            try c.encode(grant, forKey: .grant)
        case .grantRevoked(let id, let at):
            try c.encode(id, forKey: .grantID)
            try c.encode(at, forKey: .at)
        }
    }
}
