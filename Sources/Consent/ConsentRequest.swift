import CameoCore

/// One consent question: may `requester` put the cameos of `cameos` into an output made for
/// `use`, shown to `audience`, classified with `tags`?
///
/// JSON keys: `requester`, `cameos`, `use`, `audience` (a `Visibility` object), `tags`
/// (optional, default empty).
public struct ConsentRequest: Hashable, Sendable, Codable {
    /// The most cameos one request may name.
    public static let maxCameos = 16

    /// Who asks.
    public let requester: SubjectID
    /// The owners of the cameos to be used: 1…`maxCameos` distinct subjects, in the caller's
    /// order (results come back in the same order). May include the requester.
    public let cameos: [SubjectID]
    /// What the output is for; never the wildcard.
    public let use: Use
    /// Who will see the output.
    public let audience: Visibility
    /// Content tags of the output, sorted and distinct.
    public let tags: [ContentTag]

    /// Validates and creates a request. Throws `invalid_request` for no cameos, a repeated
    /// cameo or the wildcard use, and `too_many_cameos` above `maxCameos`. Tags are
    /// de-duplicated and sorted, since their order carries no meaning.
    public init(requester: SubjectID, cameos: [SubjectID], use: Use, audience: Visibility, tags: [ContentTag] = []) throws(ConsentError) {
        if cameos.isEmpty {
            throw ConsentError(.invalidRequest, "a check needs at least one cameo")
        }
        if cameos.count > Self.maxCameos {
            throw ConsentError(.tooManyCameos, "a check may name at most \(Self.maxCameos) cameos, got \(cameos.count)")
        }
        var seen = Set<SubjectID>()
        for cameo in cameos where !seen.insert(cameo).inserted {
            throw ConsentError(.invalidRequest, "cameo \(cameo) is named more than once")
        }
        if use.isWildcard {
            throw ConsentError(.invalidRequest, "a check must name one concrete use, not \"*\"")
        }
        self.requester = requester
        self.cameos = cameos
        self.use = use
        self.audience = audience
        self.tags = Array(Set(tags)).sorted()
    }

    private enum CodingKeys: String, CodingKey {
        case requester, cameos, use, audience, tags
    }

    /// Decodes and validates like `init`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            requester: c.decode(SubjectID.self, forKey: .requester),
            cameos: c.decode([SubjectID].self, forKey: .cameos),
            use: c.decode(Use.self, forKey: .use),
            audience: c.decode(Visibility.self, forKey: .audience),
            tags: c.decodeIfPresent([ContentTag].self, forKey: .tags) ?? [])
    }
}
