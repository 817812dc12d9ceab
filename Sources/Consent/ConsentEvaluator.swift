import CameoCore
import Foundation

/// # The consent check
///
/// `ConsentEvaluator.evaluate` answers a `ConsentRequest` from a `ConsentIndex` at a given
/// `now`. It reads nothing else: no clock, no store. Every cameo gets its own outcome; the
/// decision allows only if every cameo allows. For one cameo owner O and requester R:
///
/// 1. Unknown R or O → the whole evaluation throws `unknown_subject` (bad input, not a deny).
/// 2. O's likeness erased → deny `owner_erased` (even when R == O).
/// 3. R == O → allow, reason `granted`, no grant ids (one's own cameo needs no grant, even
///    while suspended or unverified).
/// 4. O suspended → deny `owner_suspended`; O's likeness not verified → deny
///    `likeness_not_verified` (suspension is reported first).
/// 5. A grant is *live* at `now` if it is not revoked (a revocation counts from the moment it
///    is applied to the index, whatever its timestamp) and not expired (`now < expires_at`).
///    A grant *covers* R when R is in its audience: `only_me` never (R ≠ O); `approved` if R
///    is listed; `mutuals` if R follows O and O follows R; `everyone` always; `community(c)`
///    if R is a member of c (O need not be).
/// 6. Any live block grant that covers R and lists the use or `*` → deny `blocked`, with the
///    ids of all such blocks. Blocks win over every allow.
/// 7. A live allow grant *fits* when it covers R, lists the use, forbids none of the
///    request's tags, and its audience admits the output visibility (`Audience.admits`: the
///    output may be no wider than the grant on the scale only_me < approved/mutuals/community
///    < everyone; community output needs the same community or an everyone grant). If any
///    fit → allow with the single most specific one: approved > community > mutuals >
///    everyone; ties go to the newest `created_at`, then to the smallest grant id.
/// 8. Otherwise the most informative deny, first match wins:
///    - live allow grants cover R, none lists the use → `use_not_allowed` (ids: the covering
///      grants);
///    - every covering grant with the use forbids a request tag → `restricted_content` (ids:
///      those grants);
///    - else the visibility is too wide → `audience_not_allowed` (ids: the grants that missed
///      only on visibility);
///    - a revoked allow grant covers R → `revoked` (ids: those grants; a grant both revoked
///      and expired counts as revoked);
///    - an expired allow grant covers R → `expired` (ids: those grants);
///    - O has some live allow grant (for other audiences) → `audience_not_allowed`, no ids;
///    - else → `no_grant`.
///
/// Grant ids in deny outcomes are sorted; block grants never produce `revoked`/`expired`.
/// The evaluator is pure and stateless.
public enum ConsentEvaluator {
    /// Decides `request` against `index` as of `now`, following the rules at the top of this
    /// file. Throws `unknown_subject` if the requester or any cameo owner is not in the index.
    public static func evaluate(_ request: ConsentRequest, index: ConsentIndex, now: Date) throws(ConsentError) -> ConsentDecision {
        guard index.status(of: request.requester) != nil else {
            throw ConsentError(.unknownSubject, "unknown requester \(request.requester)")
        }
        var results: [CameoResult] = []
        results.reserveCapacity(request.cameos.count)
        for owner in request.cameos {
            guard let status = index.status(of: owner) else {
                throw ConsentError(.unknownSubject, "unknown cameo owner \(owner)")
            }
            let outcome = outcome(owner: owner, status: status, request: request, index: index, now: now)
            results.append(CameoResult(owner: owner, outcome: outcome))
        }
        return ConsentDecision(request: request, results: results, evaluatedAt: now)
    }

    /// The outcome for one cameo owner whose status is `status` (rules 2–8).
    static func outcome(owner: SubjectID, status: SubjectStatus, request: ConsentRequest, index: ConsentIndex, now: Date) -> CameoOutcome {
        if status.likeness == .erased { return .deny(reason: .ownerErased, grantIDs: []) }
        if status.likeness == .disputed { return .deny(reason: .likenessDisputed, grantIDs: []) }
        if owner == request.requester { return .allow(grantIDs: []) }
        if status.suspended { return .deny(reason: .ownerSuspended, grantIDs: []) }
        if status.likeness != .verified { return .deny(reason: .likenessNotVerified, grantIDs: []) }

        let grants = index.grantsByOwner[owner] ?? []
        var coverage = Coverage(requester: request.requester, owner: owner, index: index)
        var best: Int?
        var blocked = false
        // The allow path allocates nothing and copies no grant (copying one retains all its
        // strings and sets, which costs more than the check); deny paths rescan the grants.
        grants.withUnsafeBufferPointer { entries in
            for i in entries.indices where entries[i].state(at: now) == .live && coverage.covers(entries[i].grant.audience) {
                switch entries[i].grant.effect {
                case .block:
                    if entries[i].lists(request.use) { blocked = true }
                case .allow:
                    if fits(entries[i], request), best.map({ isMoreSpecific(entries[i].grant, than: entries[$0].grant) }) ?? true { best = i }
                }
            }
        }
        if let best, !blocked { return .allow(grantIDs: [grants[best].grant.id]) }
        if blocked {
            let ids = grants.filter { $0.grant.effect == .block && $0.state(at: now) == .live && $0.lists(request.use)
                && coverage.covers($0.grant.audience) }.map(\.grant.id)
            return .deny(reason: .blocked, grantIDs: ids.sorted())
        }
        // Fast path for the commonest deny (a stranger): no allow grant covers the requester,
        // so the reason needs no allocation.
        var anyLive = false
        var anyCovering = false
        for g in grants where g.grant.effect == .allow {
            if !anyLive && g.state(at: now) == .live { anyLive = true }
            if coverage.covers(g.grant.audience) { anyCovering = true; break }
        }
        if !anyCovering { return .deny(reason: anyLive ? .audienceNotAllowed : .noGrant, grantIDs: []) }
        return denial(allows: grants.filter { $0.grant.effect == .allow }, request: request, coverage: &coverage, now: now)
    }

    /// Rule 8: the most informative reason when no allow grant fits.
    private static func denial(allows: [IndexedGrant], request: ConsentRequest, coverage: inout Coverage, now: Date) -> CameoOutcome {
        let covering = allows.filter { coverage.covers($0.grant.audience) }
        let live = covering.filter { $0.state(at: now) == .live }
        if !live.isEmpty {
            let withUse = live.filter { $0.lists(request.use) }
            if withUse.isEmpty { return .deny(reason: .useNotAllowed, grantIDs: live.map(\.grant.id).sorted()) }
            let clean = withUse.filter { !$0.forbidsAny(of: request.tags) }
            if clean.isEmpty { return .deny(reason: .restrictedContent, grantIDs: withUse.map(\.grant.id).sorted()) }
            return .deny(reason: .audienceNotAllowed, grantIDs: clean.map(\.grant.id).sorted())
        }
        let revoked = covering.filter { $0.state(at: now) == .revoked }.map(\.grant.id)
        if !revoked.isEmpty { return .deny(reason: .revoked, grantIDs: revoked.sorted()) }
        let expired = covering.filter { $0.state(at: now) == .expired }.map(\.grant.id)
        if !expired.isEmpty { return .deny(reason: .expired, grantIDs: expired.sorted()) }
        if allows.contains(where: { $0.state(at: now) == .live }) { return .deny(reason: .audienceNotAllowed, grantIDs: []) }
        return .deny(reason: .noGrant, grantIDs: [])
    }

    /// Rule 5 for one requester and owner; the mutual-follow test is done at most once.
    struct Coverage {
        let requester: SubjectID
        let owner: SubjectID
        let index: ConsentIndex
        private var mutual: Bool?

        init(requester: SubjectID, owner: SubjectID, index: ConsentIndex) {
            self.requester = requester
            self.owner = owner
            self.index = index
        }

        /// Whether a grant with `audience` covers the requester.
        mutating func covers(_ audience: Audience) -> Bool {
            if case .mutuals = audience {
                if let mutual { return mutual }
                let m = index.isMutual(requester, owner)
                mutual = m
                return m
            }
            return ConsentEvaluator.covers(audience, requester: requester, owner: owner, index: index)
        }
    }

    /// Whether a grant with `audience` covers `requester` (rule 5); `requester ≠ owner`.
    static func covers(_ audience: Audience, requester: SubjectID, owner: SubjectID, index: ConsentIndex) -> Bool {
        switch audience {
        case .onlyMe: return requester == owner
        case .approved(let list): return sortedContains(list, requester)
        case .mutuals: return index.isMutual(requester, owner)
        case .everyone: return true
        case .community(let community): return index.isMember(requester, of: community)
        }
    }

    /// Whether a live, covering allow grant fits the request (rule 7).
    private static func fits(_ entry: IndexedGrant, _ request: ConsentRequest) -> Bool {
        entry.lists(request.use) && !entry.forbidsAny(of: request.tags) && entry.grant.audience.admits(request.audience)
    }

    /// Rule 7's order: specificity, then newest `created_at`, then smallest id.
    static func isMoreSpecific(_ a: Grant, than b: Grant) -> Bool {
        if a.audience.specificity != b.audience.specificity { return a.audience.specificity > b.audience.specificity }
        if a.createdAt != b.createdAt { return a.createdAt > b.createdAt }
        return a.id < b.id
    }

    /// Binary search; `Grant` keeps approved lists sorted and distinct.
    private static func sortedContains(_ list: [SubjectID], _ subject: SubjectID) -> Bool {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid] == subject { return true }
            if list[mid] < subject { lo = mid + 1 } else { hi = mid }
        }
        return false
    }
}
