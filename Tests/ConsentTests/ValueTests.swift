import CameoCore
import Foundation
import Testing
@testable import Consent

/// Validation of the small value types and the request.
@Suite("Values")
struct ValueTests {
    @Test("valid uses", arguments: ["generate", "remix", "public_post", "a", "_", String(repeating: "z", count: 32), "*"])
    func validUse(text: String) throws {
        #expect(try Use(text).rawValue == text)
    }

    @Test("invalid uses", arguments: ["", "Generate", "public-post", "remix1", " remix", "rémix", String(repeating: "z", count: 33), "**"])
    func invalidUse(text: String) {
        expectError(.invalidUse) { _ = try Use(text) }
    }

    @Test("valid content tags", arguments: ["political", "sexual", "advertising", "violence", "minors", "public_figure"])
    func validTag(text: String) throws {
        #expect(try ContentTag(text).rawValue == text)
    }

    @Test("invalid content tags", arguments: ["", "Political", "POLITICAL", "hate speech", "sexual-content", "18plus", "*", String(repeating: "x", count: 33)])
    func invalidTag(text: String) {
        expectError(.invalidTag) { _ = try ContentTag(text) }
    }

    @Test("a bad tag in a grant draft is rejected while decoding")
    func badTagInDraftJSON() {
        let json = #"{"owner":"sub_owner","audience":{"kind":"everyone"},"uses":["generate"],"forbidden_tags":["Political"]}"#
        expectError(.invalidTag) { _ = try JSONDecoder().decode(GrantDraft.self, from: Data(json.utf8)) }
    }

    @Test("request cameo count and uniqueness", arguments: [
        (0, false, ConsentError.Code.invalidRequest), (1, false, nil), (16, false, nil),
        (17, false, .tooManyCameos), (3, true, .invalidRequest),
    ] as [(Int, Bool, ConsentError.Code?)])
    func requestCameos(count: Int, duplicate: Bool, error: ConsentError.Code?) {
        var cameos = (0..<count).map { sid("sub_c\($0)") }
        if duplicate { cameos.append(cameos[0]) }
        let make = { () throws -> ConsentRequest in
            try ConsentRequest(requester: Person.friend.id, cameos: cameos, use: .generate, audience: .onlyMe)
        }
        if let error {
            expectError(error) { _ = try make() }
        } else {
            #expect(throws: Never.self) { try make() }
        }
    }

    @Test("a request cannot ask for the wildcard use")
    func requestRejectsWildcard() {
        expectError(.invalidRequest) {
            _ = try ConsentRequest(requester: Person.friend.id, cameos: [Person.owner.id], use: .wildcard, audience: .onlyMe)
        }
    }

    @Test("request tags are de-duplicated and sorted")
    func requestTagsNormalized() throws {
        let r = try ConsentRequest(requester: Person.friend.id, cameos: [Person.owner.id], use: .generate, audience: .onlyMe,
                                   tags: [.violence, .advertising, .violence, .political])
        #expect(r.tags == [.advertising, .political, .violence])
    }

    // Written out in full: rows are grant audiences, columns visibilities
    // only_me, mutuals, community(club), community(other), everyone.
    static let admitTable: [(Audience, [Bool])] = [
        (.onlyMe, [true, false, false, false, false]),
        (.approved([Person.friend.id]), [true, true, false, false, false]),
        (.mutuals, [true, true, false, false, false]),
        (.community(club), [true, true, true, false, false]),
        (.everyone, [true, true, true, true, true]),
    ]
    static let visibilities: [Visibility] = [.onlyMe, .mutuals, .community(club), .community(otherClub), .everyone]

    @Test("which output visibility each grant audience admits", arguments: 0..<5, 0..<5)
    func admits(row: Int, column: Int) {
        let (audience, expected) = Self.admitTable[row]
        #expect(audience.admits(Self.visibilities[column]) == expected[column], "\(audience.kind) vs \(Self.visibilities[column])")
    }

    @Test("error codes are stable and map to kinds")
    func errorCodes() {
        #expect(ConsentError(.invalidGrant, "x").code == "invalid_grant")
        #expect(ConsentError(.grantLifetimeExceeded, "x").code == "grant_lifetime_exceeded")
        #expect(ConsentError(.approvedListTooLong, "x").code == "approved_list_too_long")
        #expect(ConsentError(.unknownSubject, "x").kind == .notFound)
        #expect(ConsentError(.duplicateGrant, "x").kind == .conflict)
        #expect(ConsentError(.invalidTag, "x").kind == .invalidInput)
        #expect(ConsentError(.tooManyCameos, "x").description == "too_many_cameos: x")
        #expect(Set(ConsentError.Code.allCases.map(\.rawValue)).count == ConsentError.Code.allCases.count)
    }
}
