import CameoCore
import Foundation
import Testing
@testable import Consent

private let ghost = sid("sub_ghost")

private func grant(_ id: String, owner: SubjectID = Person.owner.id, audience: Audience = .everyone) -> Grant {
    try! Grant(id: gid(id), owner: owner, audience: audience, uses: [.generate], createdAt: t0)
}

/// `ConsentIndex.apply`: what it accepts, what it rejects, and that rejection changes nothing.
@Suite("Consent index")
struct ConsentIndexTests {
    struct RejectRow: Sendable, CustomTestStringConvertible {
        let name: String, event: ConsentEvent, code: ConsentError.Code
        var testDescription: String { name }
    }

    @Test("invalid events are rejected with a code and leave the index unchanged", arguments: [
        RejectRow(name: "follow from unknown", event: .follow(follower: ghost, followee: Person.owner.id), code: .unknownSubject),
        RejectRow(name: "follow to unknown", event: .follow(follower: Person.owner.id, followee: ghost), code: .unknownSubject),
        RejectRow(name: "unfollow unknown", event: .unfollow(follower: ghost, followee: Person.owner.id), code: .unknownSubject),
        RejectRow(name: "self follow", event: .follow(follower: Person.fan.id, followee: Person.fan.id), code: .invalidRelationship),
        RejectRow(name: "unknown joins", event: .joined(club, member: ghost), code: .unknownSubject),
        RejectRow(name: "unknown leaves", event: .left(club, member: ghost), code: .unknownSubject),
        RejectRow(name: "grant by unknown owner", event: .grantCreated(grant("grt_new", owner: ghost)), code: .unknownSubject),
        RejectRow(name: "grant approving unknown", event: .grantCreated(grant("grt_new", audience: .approved([Person.friend.id, ghost]))), code: .unknownSubject),
        RejectRow(name: "duplicate grant id", event: .grantCreated(grant("grt_1", owner: Person.second.id)), code: .duplicateGrant),
        RejectRow(name: "revoke unknown grant", event: .grantRevoked(gid("grt_nope"), at: t0), code: .unknownGrant),
        RejectRow(name: "revoke twice", event: .grantRevoked(gid("grt_2"), at: t0), code: .grantAlreadyRevoked),
        RejectRow(name: "un-erase", event: .subjectUpserted(sid("sub_gone"), SubjectStatus(likeness: .unverified)), code: .subjectErased),
    ])
    func invalidEventIsRejected(row: RejectRow) throws {
        var world = try World.standard()
        try world.add(.grantCreated(grant("grt_1")))
        try world.add(.grantCreated(grant("grt_2")))
        try world.revoke(gid("grt_2"))
        try world.add(.subjectUpserted(sid("sub_gone"), SubjectStatus(likeness: .erased)))
        let before = world.index
        var index = world.index
        expectError(row.code) { try index.validate(row.event) }
        expectError(row.code) { try index.apply(row.event) }
        #expect(index == before)
    }

    @Test("queries reflect applied events")
    func queries() throws {
        var world = try World.standard()
        #expect(world.index.subjectCount == Person.allCases.count)
        #expect(world.index.status(of: Person.owner.id) == SubjectStatus(likeness: .verified))
        #expect(world.index.status(of: ghost) == nil)
        #expect(world.index.isMember(Person.member.id, of: club))
        #expect(!world.index.isMember(Person.outsider.id, of: club))
        let a = try world.grant(.everyone)
        let b = try world.grant(.mutuals, owner: .second)
        let c = try world.grant(.approved([Person.friend.id]))
        #expect(world.index.grants(owner: Person.owner.id).map(\.id) == [a, c])
        #expect(world.index.grants(owner: Person.second.id).map(\.id) == [b])
        #expect(world.index.grants(owner: Person.stranger.id).isEmpty)
        #expect(world.index.grant(id: c)?.audience == .approved([Person.friend.id]))
        #expect(world.index.grant(id: gid("grt_nope")) == nil)
        try world.revoke(a)
        #expect(world.index.grants(owner: Person.owner.id).count == 2)
        #expect(world.index.revocationTime(of: a) != nil && world.index.revocationTime(of: c) == nil)
        #expect(world.index.grantCount == 3)
    }

    @Test("repeated follows and joins are idempotent; leaving the last member empties the community")
    func idempotentRelations() throws {
        var world = try World.standard()
        let before = world.index
        try world.add(.follow(follower: Person.fan.id, followee: Person.owner.id))
        try world.add(.joined(club, member: Person.member.id))
        #expect(world.index == before)
        try world.add(.joined(club, member: Person.stranger.id))
        try world.add(.left(club, member: Person.stranger.id))
        try world.add(.joined(cid("com_new"), member: Person.stranger.id))
        try world.add(.left(cid("com_new"), member: Person.stranger.id))
        try world.add(.unfollow(follower: Person.stranger.id, followee: Person.owner.id))
        #expect(world.index == before)
        try world.add(.left(club, member: Person.member.id))
        try world.add(.joined(club, member: Person.member.id))
        #expect(world.index == before)
    }

    @Test("status updates replace the previous status; erased may be re-sent")
    func statusUpdates() throws {
        var world = try World.standard()
        try world.setStatus(.owner, SubjectStatus(likeness: .verified, suspended: true))
        #expect(world.index.status(of: Person.owner.id)?.suspended == true)
        try world.setStatus(.owner, SubjectStatus(likeness: .erased))
        try world.setStatus(.owner, SubjectStatus(likeness: .erased, suspended: true))
        #expect(world.index.status(of: Person.owner.id) == SubjectStatus(likeness: .erased, suspended: true))
    }
}
