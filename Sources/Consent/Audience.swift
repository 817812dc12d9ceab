import CameoCore

/// Who a grant is for: the set of requesters the owner lets use (or, for a block grant,
/// forbids from using) their cameo.
///
/// JSON form: `{"kind":"only_me"}`, `{"kind":"approved","subjects":["sub_a",…]}`,
/// `{"kind":"mutuals"}`, `{"kind":"everyone"}`, `{"kind":"community","community":"com_x"}`.
public enum Audience: Hashable, Sendable, Codable {
    /// Nobody but the owner.
    case onlyMe
    /// An explicit list of subjects. Inside a `Grant` the list is sorted and free of
    /// duplicates, which lets membership be a binary search.
    case approved([SubjectID])
    /// Subjects who follow the owner and whom the owner follows back.
    case mutuals
    /// Every subject.
    case everyone
    /// Members of one community.
    case community(CommunityID)

    /// The stable `kind` string of the JSON form.
    public var kind: String {
        switch self {
        case .onlyMe: "only_me"
        case .approved: "approved"
        case .mutuals: "mutuals"
        case .everyone: "everyone"
        case .community: "community"
        }
    }

    /// How narrowly the audience names its members; higher is more specific. When several
    /// allow grants fit a check, the most specific one is the one recorded:
    /// approved (3) > community (2) > mutuals (1) > everyone (0). `only_me` (4) never covers
    /// anyone but the owner, whose own checks need no grant.
    public var specificity: Int {
        switch self {
        case .onlyMe: 4
        case .approved: 3
        case .community: 2
        case .mutuals: 1
        case .everyone: 0
        }
    }

    /// The approved subjects, or an empty array for the other kinds.
    public var approvedSubjects: [SubjectID] {
        if case .approved(let list) = self { return list }
        return []
    }

    /// The same audience with an approved list sorted and de-duplicated.
    var normalized: Audience {
        if case .approved(let list) = self { return .approved(Array(Set(list)).sorted()) }
        return self
    }

    private enum CodingKeys: String, CodingKey {
        case kind, subjects, community
    }

    /// Decodes the `{"kind":…}` form; unknown kinds are a decoding error.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "only_me": self = .onlyMe
        case "approved": self = .approved(try c.decode([SubjectID].self, forKey: .subjects))
        case "mutuals": self = .mutuals
        case "everyone": self = .everyone
        case "community": self = .community(try c.decode(CommunityID.self, forKey: .community))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "audience kind must be only_me, approved, mutuals, everyone or community, got \(kind.prefix(40).debugDescription)")
        }
    }

    /// Encodes the `{"kind":…}` form.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        switch self {
        case .approved(let list): try c.encode(list, forKey: .subjects)
        case .community(let id): try c.encode(id, forKey: .community)
        case .onlyMe, .mutuals, .everyone: break
        }
    }
}
