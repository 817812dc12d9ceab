import CameoCore
import Foundation

/// The in-memory state a consent check reads: subjects and their status, grants by owner,
/// revocations, follow edges and community members. A value type: copy it to take a
/// snapshot, `apply` events to move it forward. Every lookup the check makes is a hash
/// lookup keyed by a subject (grants are kept in one array per owner and scanned, since an
/// owner holds few grants; grant ids are only hashed on writes).
///
/// `apply` validates first and changes nothing when it throws, so a store can call
/// `validate` before committing and `apply` after, and a replay of committed events never
/// fails.
public struct ConsentIndex: Equatable, Sendable {
    /// A directed follow edge: `follower` follows `followee`.
    public struct FollowEdge: Hashable, Sendable {
        /// The subject who follows.
        public let follower: SubjectID
        /// The subject being followed.
        public let followee: SubjectID

        /// Creates an edge.
        public init(follower: SubjectID, followee: SubjectID) {
            self.follower = follower
            self.followee = followee
        }
    }

    private var subjects: [SubjectID: SubjectStatus] = [:]
    /// Each owner's grants in creation order; positions never change (grants are never removed).
    private(set) var grantsByOwner: [SubjectID: [IndexedGrant]] = [:]
    private var grantSlots: [GrantID: GrantSlot] = [:]
    private var followEdges: Set<FollowEdge> = []
    private var members: [CommunityID: Set<SubjectID>] = [:]

    /// An empty index.
    public init() {}

    /// An index built by applying `events` in order; throws the first invalid event's error.
    public init(replaying events: some Sequence<ConsentEvent>) throws(ConsentError) {
        for event in events { try apply(event) }
    }

    /// The number of known subjects.
    public var subjectCount: Int { subjects.count }
    /// The number of grants ever created (revoked and expired ones included).
    public var grantCount: Int { grantSlots.count }

    /// The status of `subject`, or nil if the subject is unknown.
    public func status(of subject: SubjectID) -> SubjectStatus? { subjects[subject] }

    /// Whether `follower` follows `followee`.
    public func follows(_ follower: SubjectID, _ followee: SubjectID) -> Bool {
        followEdges.contains(FollowEdge(follower: follower, followee: followee))
    }

    /// Whether `a` and `b` follow each other.
    public func isMutual(_ a: SubjectID, _ b: SubjectID) -> Bool {
        follows(a, b) && follows(b, a)
    }

    /// Whether `subject` is a member of `community`.
    public func isMember(_ subject: SubjectID, of community: CommunityID) -> Bool {
        members[community]?.contains(subject) ?? false
    }

    /// The grants `owner` ever created, oldest first, revoked and expired ones included.
    public func grants(owner: SubjectID) -> [Grant] {
        (grantsByOwner[owner] ?? []).map(\.grant)
    }

    /// The grant with `id`, revoked or not, or nil if unknown.
    public func grant(id: GrantID) -> Grant? { indexed(id)?.grant }

    /// When grant `id` was revoked, or nil if it was not (or is unknown).
    public func revocationTime(of id: GrantID) -> Date? { indexed(id)?.revokedAt }

    private func indexed(_ id: GrantID) -> IndexedGrant? {
        guard let slot = grantSlots[id] else { return nil }
        return grantsByOwner[slot.owner]?[slot.position]
    }

    /// Checks that `event` can be applied to this index, without applying it.
    ///
    /// Throws `unknown_subject` for any subject the event names that is not known (grant
    /// owners and approved lists included), `invalid_relationship` for a self-follow,
    /// `subject_erased` when an erased subject would become un-erased other than by a fresh
    /// verified enrollment (the erasure stays on record; the person may enrol again), `duplicate_grant` for a
    /// reused grant id, `unknown_grant` / `grant_already_revoked` for a bad revocation.
    public func validate(_ event: ConsentEvent) throws(ConsentError) {
        switch event {
        case .subjectUpserted(let id, let status):
            if subjects[id]?.likeness == .erased, status.likeness != .erased, status.likeness != .verified {
                throw ConsentError(.subjectErased, "subject \(id) was erased; only a fresh verified enrollment brings it back")
            }
        case .follow(let follower, let followee), .unfollow(let follower, let followee):
            try requireKnown(follower)
            try requireKnown(followee)
            if follower == followee {
                throw ConsentError(.invalidRelationship, "subject \(follower) cannot follow itself")
            }
        case .joined(_, let member), .left(_, let member):
            try requireKnown(member)
        case .grantCreated(let grant):
            try requireKnown(grant.owner)
            for subject in grant.audience.approvedSubjects { try requireKnown(subject) }
            if grantSlots[grant.id] != nil {
                throw ConsentError(.duplicateGrant, "grant \(grant.id) already exists")
            }
        case .grantRevoked(let id, _):
            guard let existing = indexed(id) else { throw ConsentError(.unknownGrant, "no grant \(id)") }
            if existing.revokedAt != nil { throw ConsentError(.grantAlreadyRevoked, "grant \(id) is already revoked") }
        }
    }

    /// Validates `event` (see `validate`) and applies it; on error the index is unchanged.
    public mutating func apply(_ event: ConsentEvent) throws(ConsentError) {
        try validate(event)
        switch event {
        case .subjectUpserted(let id, let status):
            subjects[id] = status
        case .follow(let follower, let followee):
            followEdges.insert(FollowEdge(follower: follower, followee: followee))
        case .unfollow(let follower, let followee):
            followEdges.remove(FollowEdge(follower: follower, followee: followee))
        case .joined(let community, let member):
            members[community, default: []].insert(member)
        case .left(let community, let member):
            members[community]?.remove(member)
            // Drop empty sets so that equal worlds compare equal however they were reached.
            if members[community]?.isEmpty == true { members[community] = nil }
        case .grantCreated(let grant):
            grantSlots[grant.id] = GrantSlot(owner: grant.owner, position: grantsByOwner[grant.owner]?.count ?? 0)
            grantsByOwner[grant.owner, default: []].append(IndexedGrant(grant))
        case .grantRevoked(let id, let at):
            if let slot = grantSlots[id] { grantsByOwner[slot.owner]?[slot.position].revokedAt = at }
        }
    }

    private func requireKnown(_ subject: SubjectID) throws(ConsentError) {
        guard subjects[subject] != nil else {
            throw ConsentError(.unknownSubject, "unknown subject \(subject)")
        }
    }
}

/// Where a grant sits: its owner's array and its position in it.
struct GrantSlot: Equatable, Sendable {
    let owner: SubjectID
    let position: Int
}

/// A grant as the check reads it: the grant, its revocation time, and its uses and forbidden
/// tags as short arrays (comparing two or three short strings is cheaper than hashing one).
struct IndexedGrant: Equatable, Sendable {
    let grant: Grant
    var revokedAt: Date?
    let uses: [Use]
    let forbiddenTags: [ContentTag]

    init(_ grant: Grant) {
        self.grant = grant
        self.uses = grant.uses.sorted()
        self.forbiddenTags = grant.forbiddenTags.sorted()
    }

    /// Live, revoked (from the moment the revocation is applied) or expired, at `now`.
    func state(at now: Date) -> GrantState {
        if revokedAt != nil { return .revoked }
        if grant.isExpired(at: now) { return .expired }
        return .live
    }

    /// Whether the grant lists `use` or the wildcard.
    func lists(_ use: Use) -> Bool {
        uses.contains { $0 == use || $0.isWildcard }
    }

    /// Whether any of `tags` is forbidden.
    func forbidsAny(of tags: [ContentTag]) -> Bool {
        !forbiddenTags.isEmpty && tags.contains { forbiddenTags.contains($0) }
    }
}

/// Whether a grant can still apply at a given time.
enum GrantState { case live, revoked, expired }
