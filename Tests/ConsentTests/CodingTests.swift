import CameoCore
import Foundation
import Testing
@testable import Consent

/// JSON forms of the value types (snake_case keys, `kind`/`type` discriminators).
@Suite("JSON coding")
struct CodingTests {
    static func canonical<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(json.utf8))
    }

    @Test("audience JSON forms", arguments: [
        (Audience.onlyMe, #"{"kind":"only_me"}"#),
        (.approved([sid("sub_a"), sid("sub_b")]), #"{"kind":"approved","subjects":["sub_a","sub_b"]}"#),
        (.mutuals, #"{"kind":"mutuals"}"#),
        (.everyone, #"{"kind":"everyone"}"#),
        (.community(club), #"{"community":"com_club","kind":"community"}"#),
    ])
    func audienceJSON(audience: Audience, json: String) throws {
        #expect(try Self.canonical(audience) == json)
        #expect(try Self.decode(Audience.self, json) == audience)
    }

    @Test("visibility JSON forms match the Codable and JSONValue encodings", arguments: [
        (Visibility.onlyMe, #"{"kind":"only_me"}"#),
        (.mutuals, #"{"kind":"mutuals"}"#),
        (.everyone, #"{"kind":"everyone"}"#),
        (.community(club), #"{"community":"com_club","kind":"community"}"#),
    ])
    func visibilityJSON(visibility: Visibility, json: String) throws {
        #expect(try Self.canonical(visibility) == json)
        #expect(String(decoding: try CanonicalJSON.encode(visibility.jsonValue), as: UTF8.self) == json)
        #expect(try Self.decode(Visibility.self, json) == visibility)
    }

    @Test("malformed audiences and visibilities do not decode", arguments: [
        #"{"kind":"friends"}"#, #"{"kind":"approved"}"#, #"{"kind":"community"}"#,
        #"{"kind":"approved","subjects":["bad id!"]}"#, #"{}"#,
    ])
    func malformedAudience(json: String) {
        #expect(throws: (any Error).self) { try Self.decode(Audience.self, json) }
        #expect(throws: (any Error).self) { try Self.decode(Visibility.self, json) }
    }

    @Test("visibility has no approved kind")
    func visibilityRejectsApproved() {
        #expect(throws: (any Error).self) { try Self.decode(Visibility.self, #"{"kind":"approved","subjects":["sub_a"]}"#) }
    }

    @Test("a grant encodes with snake_case keys and sorted sets, and decodes back")
    func grantJSON() throws {
        let grant = try Grant(id: gid("grt_1"), owner: Person.owner.id, audience: .approved([sid("sub_b"), sid("sub_a")]),
                              uses: [.remix, .generate], forbiddenTags: [.sexual, .political], preferences: "smile",
                              createdAt: t0, expiresAt: t0 + day)
        let json = try Self.canonical(grant)
        #expect(json == #"{"audience":{"kind":"approved","subjects":["sub_a","sub_b"]},"created_at":"2026-01-01T00:00:00Z","#
            + #""effect":"allow","expires_at":"2026-01-02T00:00:00Z","forbidden_tags":["political","sexual"],"id":"grt_1","#
            + #""owner":"sub_owner","preferences":"smile","uses":["generate","remix"]}"#)
        #expect(try Self.decode(Grant.self, json) == grant)
        let open = try Grant(id: gid("grt_2"), owner: Person.owner.id, audience: .everyone, uses: [.wildcard], effect: .block, createdAt: t0)
        let openJSON = try Self.canonical(open)
        #expect(openJSON.contains(#""expires_at":null"#))
        #expect(try Self.decode(Grant.self, openJSON) == open)
    }

    @Test("decoding re-checks grant invariants", arguments: [
        (#""uses":[]"#, ConsentError.Code.invalidGrant),
        (#""uses":["*"]"#, .invalidGrant),
        (#""uses":["Generate"]"#, .invalidUse),
    ])
    func grantDecodingValidates(usesField: String, code: ConsentError.Code) {
        let json = #"{"id":"grt_1","owner":"sub_owner","audience":{"kind":"everyone"},"effect":"allow","created_at":"2026-01-01T00:00:00Z","#
            + usesField + "}"
        expectError(code) { _ = try Self.decode(Grant.self, json) }
    }

    @Test("every consent event survives a JSON round trip")
    func eventRoundTrip() throws {
        let grant = try Grant(id: gid("grt_1"), owner: Person.owner.id, audience: .community(club), uses: [.generate], createdAt: t0)
        let events: [ConsentEvent] = [
            .subjectUpserted(Person.owner.id, SubjectStatus(likeness: .verified, suspended: true)),
            .follow(follower: Person.fan.id, followee: Person.owner.id),
            .unfollow(follower: Person.fan.id, followee: Person.owner.id),
            .joined(club, member: Person.member.id),
            .left(club, member: Person.member.id),
            .grantCreated(grant),
            .grantRevoked(grant.id, at: t0 + 5),
        ]
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoded = try events.map { try Self.decode(ConsentEvent.self, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        #expect(decoded == events)
        #expect(try Self.canonical(events[1]) == #"{"followee":"sub_owner","follower":"sub_fan","type":"follow"}"#)
        #expect(try Self.canonical(events[6]) == #"{"at":"2026-01-01T00:00:05Z","grant_id":"grt_1","type":"grant_revoked"}"#)
        #expect(throws: (any Error).self) { try Self.decode(ConsentEvent.self, #"{"type":"befriend"}"#) }
    }

    @Test("a check request decodes with optional tags and is validated")
    func requestJSON() throws {
        let json = #"{"requester":"sub_friend","cameos":["sub_owner"],"use":"remix","audience":{"kind":"mutuals"}}"#
        let request = try Self.decode(ConsentRequest.self, json)
        #expect(request == (try ConsentRequest(requester: Person.friend.id, cameos: [Person.owner.id], use: .remix, audience: .mutuals)))
        let tooMany = #"{"requester":"sub_friend","use":"remix","audience":{"kind":"mutuals"},"cameos":["#
            + (0..<17).map { "\"sub_\($0)\"" }.joined(separator: ",") + "]}"
        expectError(.tooManyCameos) { _ = try Self.decode(ConsentRequest.self, tooMany) }
    }
}
