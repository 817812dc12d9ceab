import CameoCore
import CameoCrypto
import Consent
import Foundation
import Ledger

/// A subject as the backend registered it.
public struct SubjectRecord: Sendable, Codable, Equatable {
    public let id: SubjectID
    public let handle: String
    public let externalID: String?
    public let status: SubjectStatus
    enum CodingKeys: String, CodingKey { case id, handle, status; case externalID = "external_id" }
}

extension ConsentStore {
    /// Creates or renames a subject (new subjects start `unverified`; likeness status is never
    /// changed here — only Identity code paths change it).
    public func upsertSubject(id: SubjectID, handle: String, externalID: String?, now: Date = Date()) async throws -> SubjectRecord {
        let handle = try Self.validateSubject(handle: handle, externalID: externalID)
        return try await ledger.write { db -> SubjectRecord in
            if let ext = externalID, let other = try db.one("SELECT id FROM consent_subjects WHERE external_id = ? AND id != ?", ext, id.rawValue) {
                throw StoreError("external_id_taken", "external_id already belongs to subject \(try other.string("id"))", kind: .conflict)
            }
            let existing = try db.one("SELECT likeness, suspended FROM consent_subjects WHERE id = ?", id.rawValue)
            let status = SubjectStatus(likeness: try existing.flatMap { LikenessStatus(rawValue: try $0.string("likeness")) } ?? .unverified,
                                       suspended: try existing.map { try $0.int("suspended") != 0 } ?? false)
            try db.execute("""
                INSERT INTO consent_subjects(id, handle, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET handle = excluded.handle, external_id = excluded.external_id, updated_at = excluded.updated_at
                """, id.rawValue, handle, externalID, now.timeIntervalSince1970, now.timeIntervalSince1970)
            let events: [ConsentEvent] = existing == nil ? [.subjectUpserted(id, status)] : []
            try Self.log(events, db)
            return SubjectRecord(id: id, handle: handle, externalID: externalID, status: status)
        }.value
    }

    /// Checks a subject's handle and external id; returns the handle trimmed.
    public static func validateSubject(handle: String, externalID: String?) throws -> String {
        let handle = handle.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(handle.count), !handle.contains(where: { $0.isNewline || $0.isWhitespace && $0 != " " || $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) else {
            throw StoreError("invalid_handle", "handle must be 1-64 characters on one line, without control characters", kind: .invalidInput)
        }
        if let e = externalID, !(1...128).contains(e.count) || e.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw StoreError("invalid_external_id", "external_id must be 1-128 characters, without control characters", kind: .invalidInput)
        }
        return handle
    }

    /// Sets a subject's likeness status and suspension (Identity and moderation code paths),
    /// recording the change in the ledger.
    public func setStatus(_ id: SubjectID, _ status: SubjectStatus, actor: String, reason: String, now: Date = Date()) async throws -> UInt64 {
        let entry = try LedgerEntry(type: "subject.status", time: now, actor: actor, subject: id.rawValue,
                                    payload: ["likeness": .string(status.likeness.rawValue), "suspended": .bool(status.suspended), "reason": .string(reason)])
        return try await ledger.append(entry) { db, _ in
            guard let row = try db.one("SELECT likeness FROM consent_subjects WHERE id = ?", id.rawValue) else {
                throw StoreError("unknown_subject", "no subject \(id)", kind: .notFound)
            }
            if try row.string("likeness") == LikenessStatus.erased.rawValue && status.likeness != .erased {
                throw StoreError("subject_erased", "subject \(id) was erased; its likeness cannot be restored", kind: .conflict)
            }
            try db.execute("UPDATE consent_subjects SET likeness = ?, suspended = ?, updated_at = ? WHERE id = ?",
                           status.likeness.rawValue, status.suspended, now.timeIntervalSince1970, id.rawValue)
            let events: [ConsentEvent] = [.subjectUpserted(id, status)]
            try Self.log(events, db)
        }.index
    }

    /// Adds (`on`) or removes a follow edge; returns the ledger size it committed at.
    public func setFollow(follower: SubjectID, followee: SubjectID, on: Bool) async throws -> UInt64 {
        guard follower != followee else { throw StoreError("invalid_relationship", "a subject cannot follow itself", kind: .invalidInput) }
        return try await ledger.write { db in
            try Self.requireSubjects([follower, followee], db)
            let exists = try db.exists("SELECT 1 FROM consent_follows WHERE follower = ? AND followee = ?", follower.rawValue, followee.rawValue)
            guard exists != on else { return }  // idempotent
            if on {
                try db.execute("INSERT INTO consent_follows(follower, followee) VALUES (?, ?)", follower.rawValue, followee.rawValue)
            } else {
                try db.execute("DELETE FROM consent_follows WHERE follower = ? AND followee = ?", follower.rawValue, followee.rawValue)
            }
            let events: [ConsentEvent] = [on ? .follow(follower: follower, followee: followee) : .unfollow(follower: follower, followee: followee)]
            try Self.log(events, db)
        }.size
    }

    /// Adds (`on`) or removes a community member; returns the ledger size it committed at.
    public func setMember(_ community: CommunityID, _ subject: SubjectID, on: Bool) async throws -> UInt64 {
        try await ledger.write { db in
            try Self.requireSubjects([subject], db)
            let exists = try db.exists("SELECT 1 FROM consent_members WHERE community = ? AND subject = ?", community.rawValue, subject.rawValue)
            guard exists != on else { return }
            if on {
                try db.execute("INSERT INTO consent_members(community, subject) VALUES (?, ?)", community.rawValue, subject.rawValue)
            } else {
                try db.execute("DELETE FROM consent_members WHERE community = ? AND subject = ?", community.rawValue, subject.rawValue)
            }
            let events: [ConsentEvent] = [on ? .joined(community, member: subject) : .left(community, member: subject)]
            try Self.log(events, db)
        }.size
    }

    /// Creates a grant from `draft` under `limits`; one ledger entry, which commits to the
    /// grant's content (the approved list and preferences only as SHA-256 commitments).
    /// `authorization` says who consented: the owner's verified signature, or the platform (migration only).
    public func createGrant(_ draft: GrantDraft, limits: ConsentLimits, authorization: ConsentAuthorization, actor: String, now: Date = Date()) async throws -> (grant: Grant, ledgerIndex: UInt64) {
        let grant = try Grant.make(draft, id: GrantID.random(), now: now, limits: limits)
        try prevalidate(.grantCreated(grant))
        if let twin = liveTwin(of: grant, now: now) {
            throw StoreError("duplicate_grant", "owner \(grant.owner) already has the identical live grant \(twin)", kind: .conflict)
        }
        let entry = try LedgerEntry(type: "grant.created", time: now, actor: actor, subject: grant.id.rawValue,
                                    payload: Self.grantPayload(grant).merging(authorization.payload) { a, _ in a })
        let body = String(decoding: try JSONEncoder().encode(grant), as: UTF8.self)
        let result = try await ledger.append(entry) { db, index in
            try authorization.commit(db, index: index, now: now)
            var subjects = [grant.owner]
            if case .approved(let list) = grant.audience { subjects += list }
            try Self.requireSubjects(subjects, db)
            if try db.one("SELECT 1 FROM consent_subjects WHERE id = ? AND likeness = 'disputed'", grant.owner.rawValue) != nil {
                throw StoreError("likeness_disputed", "the likeness of \(grant.owner) is under a dispute; no grant can be given until a senior moderator decides", kind: .conflict)
            }
            try db.execute("INSERT INTO consent_grants(id, owner, body, created_at, ledger_index) VALUES (?, ?, ?, ?, ?)",
                           grant.id.rawValue, grant.owner.rawValue, body, now.timeIntervalSince1970, Int64(index))
            let events: [ConsentEvent] = [.grantCreated(grant)]
            try Self.log(events, db)
        }
        return (grant, result.index)
    }

    /// Revokes a grant. When this returns, every later check on this node denies under it.
    /// `authorization` must be the owner's (checked by the caller against `owner(of:)`), or the platform in migration.
    public func revokeGrant(_ id: GrantID, authorization: ConsentAuthorization, actor: String, now: Date = Date()) async throws -> (owner: SubjectID, ledgerIndex: UInt64) {
        guard let grant = lookup({ $0.grant(id: id) }) else {
            throw StoreError("unknown_grant", "no grant \(id)", kind: .notFound)
        }
        var payload = authorization.payload
        payload["owner"] = .string(grant.owner.rawValue)
        let entry = try LedgerEntry(type: "grant.revoked", time: now, actor: actor, subject: id.rawValue, payload: payload)
        let result = try await ledger.append(entry) { db, index in
            // A replayed signature is refused as such, whatever the grant's state.
            try authorization.commit(db, index: index, now: now)
            guard let row = try db.one("SELECT revoked_at FROM consent_grants WHERE id = ?", id.rawValue) else {
                throw StoreError("unknown_grant", "no grant \(id)", kind: .notFound)
            }
            guard try row.optionalDouble("revoked_at") == nil else {
                throw StoreError("grant_already_revoked", "grant \(id) is already revoked", kind: .conflict)
            }
            try db.execute("UPDATE consent_grants SET revoked_at = ?, revoke_ledger_index = ? WHERE id = ?",
                           now.timeIntervalSince1970, Int64(index), id.rawValue)
            let events: [ConsentEvent] = [.grantRevoked(id, at: now)]
            try Self.log(events, db)
        }
        return (grant.owner, result.index)
    }

    /// The owner of grant `id` on this node's index, or nil.
    public func owner(of id: GrantID) -> SubjectID? { lookup { $0.grant(id: id) }?.owner }

    /// How far apart two expiries may be for the grants to count as the same terms: a grant
    /// without an explicit expiry gets `now + default lifetime`, so a retry arriving seconds
    /// later has an expiry seconds later.
    static let twinExpiryTolerance: TimeInterval = 60

    /// A live grant of the same owner with the same terms (a client retry, or a double click).
    func liveTwin(of g: Grant, now: Date) -> GrantID? {
        withIndex { index, _ in
            index.grants(owner: g.owner).first { o in
                o.audience == g.audience && o.uses == g.uses && o.forbiddenTags == g.forbiddenTags && o.effect == g.effect
                    && o.preferences == g.preferences && index.revocationTime(of: o.id) == nil && !o.isExpired(at: now)
                    && (o.expiresAt == nil) == (g.expiresAt == nil)
                    && abs((o.expiresAt ?? now).timeIntervalSince(g.expiresAt ?? now)) < Self.twinExpiryTolerance
            }?.id
        }
    }

    static func requireSubjects(_ ids: [SubjectID], _ db: any SQLTransaction) throws {
        for id in Set(ids) where try !db.exists("SELECT 1 FROM consent_subjects WHERE id = ?", id.rawValue) {
            throw StoreError("unknown_subject", "no subject \(id); register it with POST /v1/subjects first", kind: .notFound)
        }
    }

    static func grantPayload(_ g: Grant) -> [String: JSONValue] {
        var audience: [String: JSONValue] = ["kind": .string(g.audience.kind)]
        switch g.audience {
        case .approved(let list):
            audience["count"] = .int(Int64(list.count))
            audience["sha256"] = .string(SHA256.hex(Array(list.map(\.rawValue).sorted().joined(separator: "\n").utf8)))
        case .community(let c): audience["community"] = .string(c.rawValue)
        default: break
        }
        return ["owner": .string(g.owner.rawValue), "audience": .object(audience), "effect": .string(g.effect.rawValue),
                "uses": .array(g.uses.map(\.rawValue).sorted().map { .string($0) }),
                "forbidden_tags": .array(g.forbiddenTags.map(\.rawValue).sorted().map { .string($0) }),
                "preferences_sha256": .string(SHA256.hex(Array(g.preferences.utf8))),
                "expires_at": g.expiresAt.map { .string(Timestamp.format($0)) } ?? .null]
    }
}
