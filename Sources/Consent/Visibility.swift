import CameoCore

/// Who will see the output of a request (the `audience` field of a check). It is a property
/// of the *output*, unlike `Audience`, which is a property of a *grant*.
///
/// JSON form: `{"kind":"only_me"}`, `{"kind":"mutuals"}`, `{"kind":"everyone"}`,
/// `{"kind":"community","community":"com_x"}`.
public enum Visibility: Hashable, Sendable, Codable {
    /// Only the requester sees the output (a private draft).
    case onlyMe
    /// The requester's mutuals see it.
    case mutuals
    /// Members of one community see it.
    case community(CommunityID)
    /// Everyone can see it.
    case everyone

    /// The stable `kind` string of the JSON form.
    public var kind: String {
        switch self {
        case .onlyMe: "only_me"
        case .mutuals: "mutuals"
        case .community: "community"
        case .everyone: "everyone"
        }
    }

    /// Breadth on the scale only_me (0) < mutuals/community (1) < everyone (2).
    public var breadth: Int {
        switch self {
        case .onlyMe: 0
        case .mutuals, .community: 1
        case .everyone: 2
        }
    }

    private enum CodingKeys: String, CodingKey {
        case kind, community
    }

    /// Decodes the `{"kind":…}` form; `approved` and unknown kinds are a decoding error.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        switch kind {
        case "only_me": self = .onlyMe
        case "mutuals": self = .mutuals
        case "everyone": self = .everyone
        case "community": self = .community(try c.decode(CommunityID.self, forKey: .community))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "visibility kind must be only_me, mutuals, everyone or community, got \(kind.prefix(40).debugDescription)")
        }
    }

    /// Encodes the `{"kind":…}` form.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        if case .community(let id) = self { try c.encode(id, forKey: .community) }
    }
}

extension Audience {
    /// Breadth on the scale only_me (0) < approved/mutuals/community (1) < everyone (2).
    public var breadth: Int {
        switch self {
        case .onlyMe: 0
        case .approved, .mutuals, .community: 1
        case .everyone: 2
        }
    }

    /// Whether a grant with this audience lets its output be shown with `visibility`.
    ///
    /// The rule: the output may be no wider than the grant on the scale
    /// only_me < approved/mutuals/community < everyone. So `only_me` output is always
    /// admitted, `everyone` output needs an `everyone` grant, and `mutuals` output needs any
    /// grant of breadth ≥ 1. `community(c)` output is the exception to pure breadth: it needs a
    /// `community(c)` grant for the *same* community or an `everyone` grant, because a
    /// community is not inside an approved list or a mutuals circle.
    public func admits(_ visibility: Visibility) -> Bool {
        switch visibility {
        case .onlyMe:
            return true
        case .everyone:
            return self == .everyone
        case .community(let shownTo):
            return self == .everyone || self == .community(shownTo)
        case .mutuals:
            return breadth >= visibility.breadth
        }
    }
}
