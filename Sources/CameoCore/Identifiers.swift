import Foundation

/// A typed identifier: a validated string tagged with the kind of thing it names, so a
/// `GrantID` can never be passed where a `SubjectID` is expected.
public struct Identifier<Kind: IdentifierKind>: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The identifier's text: 1…128 characters of `[A-Za-z0-9_.:-]`.
    public let rawValue: String

    /// Validates `rawValue`; throws `invalid_id` for empty, overlong or odd characters.
    public init(_ rawValue: String) throws {
        guard Self.isValid(rawValue) else {
            throw CoreError("invalid_id", "\(Kind.name) id must be 1-128 characters of [A-Za-z0-9_.:-], got \(rawValue.prefix(40).debugDescription)")
        }
        self.rawValue = rawValue
    }

    /// A fresh random identifier with the kind's prefix (`sub_…`, `grt_…`).
    public static func random() -> Self {
        var bytes = [UInt8](repeating: 0, count: 12)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        return try! Self("\(Kind.prefix)_\(hex)")  // always valid: prefix and hex digits
    }

    /// Whether `s` is acceptable as an identifier.
    public static func isValid(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 128 else { return false }
        return s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == 0x5F || c == 0x2E || c == 0x3A || c == 0x2D
        }
    }

    public var description: String { rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        try self.init(s)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// Names a family of identifiers (used in messages and random prefixes).
public protocol IdentifierKind: Sendable {
    static var name: String { get }
    static var prefix: String { get }
}

public enum SubjectKind: IdentifierKind { public static let name = "subject"; public static let prefix = "sub" }
public enum GrantKind: IdentifierKind { public static let name = "grant"; public static let prefix = "grt" }
public enum APIKeyKind: IdentifierKind { public static let name = "api key"; public static let prefix = "key" }
public enum CommunityKind: IdentifierKind { public static let name = "community"; public static let prefix = "com" }
public enum ChallengeKind: IdentifierKind { public static let name = "challenge"; public static let prefix = "chl" }

/// A person known to the app backend (the owner of a likeness, or a requester).
public typealias SubjectID = Identifier<SubjectKind>
/// One consent grant.
public typealias GrantID = Identifier<GrantKind>
/// One API key (the public half of a credential).
public typealias APIKeyID = Identifier<APIKeyKind>
/// A community (a group a grant can name as its audience).
public typealias CommunityID = Identifier<CommunityKind>
/// A liveness challenge.
public typealias ChallengeID = Identifier<ChallengeKind>
