// The two label types of the consent vocabulary and the syntax they share.

/// What a cameo may be used for: `generate`, `remix`, `public_post`, or any other
/// `[a-z_]{1,32}` the app defines. The wildcard `*` ("every use") exists only in block grants;
/// a check request can never ask for it.
public struct Use: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The use's text: `[a-z_]{1,32}` or `*`.
    public let rawValue: String

    /// Validates `rawValue`; throws `invalid_use` unless it is `[a-z_]{1,32}` or `*`.
    public init(_ rawValue: String) throws(ConsentError) {
        guard rawValue == Self.wildcardText || LabelSyntax.isValid(rawValue) else {
            throw ConsentError(.invalidUse, "use must be 1-32 characters of [a-z_] or \"*\", got \(rawValue.prefix(40).debugDescription)")
        }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// Put the cameo into a newly generated video.
    public static let generate = Use(known: "generate")
    /// Reuse a video that already contains the cameo.
    public static let remix = Use(known: "remix")
    /// Publish the output publicly (beyond a private draft).
    public static let publicPost = Use(known: "public_post")
    /// Every use; valid only in the `uses` of a block grant.
    public static let wildcard = Use(known: wildcardText)

    /// Whether this is the wildcard `*`.
    public var isWildcard: Bool { rawValue == Self.wildcardText }

    private static let wildcardText = "*"

    /// The raw text.
    public var description: String { rawValue }
    /// Orders by raw text, so sorted output is stable.
    public static func < (a: Use, b: Use) -> Bool { a.rawValue < b.rawValue }

    /// Decodes a JSON string and validates it like `init(_:)`.
    public init(from decoder: Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the raw text as a JSON string.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A content classification of a requested output (from prompt policy or the app), which a
/// grant owner can forbid: `political`, `sexual`, `advertising`, `violence`, `minors`,
/// `public_figure`, or any other lowercase `[a-z_]{1,32}` label.
public struct ContentTag: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The tag's text: 1…32 characters of `[a-z_]`.
    public let rawValue: String

    /// Validates `rawValue`; throws `invalid_tag` unless it is `[a-z_]{1,32}`. Tags are not
    /// lowercased for the caller: `Political` is rejected, not silently accepted.
    public init(_ rawValue: String) throws(ConsentError) {
        guard LabelSyntax.isValid(rawValue) else {
            throw ConsentError(.invalidTag, "content tag must be 1-32 characters of [a-z_], got \(rawValue.prefix(40).debugDescription)")
        }
        self.rawValue = rawValue
    }

    private init(known: String) { rawValue = known }

    /// Political messaging or campaigning.
    public static let political = ContentTag(known: "political")
    /// Sexual or suggestive content.
    public static let sexual = ContentTag(known: "sexual")
    /// Advertising or endorsement of a product.
    public static let advertising = ContentTag(known: "advertising")
    /// Depiction of violence.
    public static let violence = ContentTag(known: "violence")
    /// Content involving minors.
    public static let minors = ContentTag(known: "minors")
    /// Content involving a public figure.
    public static let publicFigure = ContentTag(known: "public_figure")

    /// The raw text.
    public var description: String { rawValue }
    /// Orders by raw text, so sorted output is stable.
    public static func < (a: ContentTag, b: ContentTag) -> Bool { a.rawValue < b.rawValue }

    /// Decodes a JSON string and validates it like `init(_:)`.
    public init(from decoder: Decoder) throws {
        try self.init(decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the raw text as a JSON string.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// The syntax shared by uses and content tags: 1…32 characters of `[a-z_]`.
enum LabelSyntax {
    /// The longest label, in characters (all ASCII, so also bytes).
    static let maxLength = 32

    /// Whether `s` is 1…32 characters of `[a-z_]`.
    static func isValid(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= maxLength else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }
}
