import CameoCore
import Foundation

/// Allow or deny, for one cameo or for a whole decision. Raw values are the stable strings
/// of the decision JSON.
public enum Verdict: String, Hashable, Sendable, Codable {
    /// The use may go ahead.
    case allow
    /// The use may not go ahead.
    case deny
}

/// Why a cameo was denied. Raw values are stable codes: never reword one.
public enum DenyReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// The owner has no live grant at all.
    case noGrant = "no_grant"
    /// The only grants that covered the requester were revoked.
    case revoked
    /// The only grants that covered the requester have expired.
    case expired
    /// The owner has live grants, but none lets this requester, or this output visibility.
    case audienceNotAllowed = "audience_not_allowed"
    /// Grants cover the requester, but none lists the requested use.
    case useNotAllowed = "use_not_allowed"
    /// Grants cover the requester for the use, but each forbids one of the request's tags.
    case restrictedContent = "restricted_content"
    /// The owner's likeness is not verified.
    case likenessNotVerified = "likeness_not_verified"
    /// The owner's account is suspended.
    case ownerSuspended = "owner_suspended"
    /// The owner's likeness was erased.
    case ownerErased = "owner_erased"
    /// The owner's face is under a likeness dispute.
    case likenessDisputed = "likeness_disputed"
    /// A live block grant of the owner covers the requester and the use.
    case blocked
}

/// The outcome for one cameo, carrying the grants it rests on.
public enum CameoOutcome: Hashable, Sendable {
    /// Allowed under `grantIDs`: the one most specific grant, or none when the requester is
    /// the owner.
    case allow(grantIDs: [GrantID])
    /// Denied for `reason`. `grantIDs` (sorted) are the grants behind the reason: the
    /// blocking grants, the covering grants that missed the use, tags or visibility, or the
    /// revoked/expired grants; empty for status reasons, `no_grant` and a plain
    /// `audience_not_allowed` (other audiences' grants are not disclosed).
    case deny(reason: DenyReason, grantIDs: [GrantID])

    /// The reason code an allow carries.
    public static let grantedCode = "granted"

    /// Allow or deny.
    public var verdict: Verdict {
        if case .allow = self { return .allow }
        return .deny
    }

    /// The stable reason code: `granted` for an allow, else the deny reason's code.
    public var code: String {
        switch self {
        case .allow: Self.grantedCode
        case .deny(let reason, _): reason.rawValue
        }
    }

    /// The grant ids the outcome rests on.
    public var grantIDs: [GrantID] {
        switch self {
        case .allow(let ids), .deny(_, let ids): ids
        }
    }
}

/// The result for one cameo of a request.
public struct CameoResult: Hashable, Sendable {
    /// The cameo's owner.
    public let owner: SubjectID
    /// Allow or deny, with reason and grant ids.
    public let outcome: CameoOutcome

    /// Creates a result.
    public init(owner: SubjectID, outcome: CameoOutcome) {
        self.owner = owner
        self.outcome = outcome
    }
}

/// The answer to a `ConsentRequest`: one result per cameo, in request order, and the time it
/// was evaluated at. The whole decision allows only if every cameo allows.
public struct ConsentDecision: Hashable, Sendable {
    /// The request this decision answers.
    public let request: ConsentRequest
    /// One result per cameo, in the order of `request.cameos`.
    public let results: [CameoResult]
    /// The `now` the evaluation used.
    public let evaluatedAt: Date

    init(request: ConsentRequest, results: [CameoResult], evaluatedAt: Date) {
        self.request = request
        self.results = results
        self.evaluatedAt = evaluatedAt
    }

    /// `allow` only if every cameo's outcome is an allow.
    public var verdict: Verdict {
        results.allSatisfy { $0.outcome.verdict == .allow } ? .allow : .deny
    }

    /// Every grant id the decision rests on, over all allowed cameos, sorted and distinct.
    public var grantsUsed: [GrantID] {
        Array(Set(results.filter { $0.outcome.verdict == .allow }.flatMap(\.outcome.grantIDs))).sorted()
    }
}
