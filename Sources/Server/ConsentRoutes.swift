import CameoCore
import Consent
import Foundation
import Hummingbird
import Identity
import Ledger
import Store

/// The consent API for the app backend: subjects, relationships, grants, checks.
enum ConsentRoutes {
    static let service: Set<Role> = [.service]
    static let readers: Set<Role> = [.service, .admin, .auditor]
    static let maxBatch = 1000

    struct SubjectIn: Decodable {
        let id: SubjectID?
        let handle: String
        let externalID: String?
        enum CodingKeys: String, CodingKey { case id, handle, externalID = "external_id" }
    }
    struct Batch<T: Decodable>: Decodable { let items: [T] }
    struct CheckIn: Decodable {
        let request: ConsentRequest
        let atLeast: UInt64?
        enum CodingKeys: String, CodingKey { case atLeast = "at_least" }
        init(from decoder: Decoder) throws {
            request = try ConsentRequest(from: decoder)
            atLeast = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(UInt64.self, forKey: .atLeast)
        }
    }

    static func register(_ api: APIBuilder, _ s: Services) {
        let limit = s.policies.security.maxBodyBytes
        api.add(Endpoint(.post, "/v1/subjects", summary: "Register or rename an app user (idempotent on id)", roles: service,
                         request: ConsentSchemas.subjectIn, response: Endpoint.json(201, ConsentSchemas.subject), errors: [409])) { req, _, _ in
            let b = try await HTTP.decode(SubjectIn.self, from: req, limit: limit)
            return try HTTP.json(try await s.consent.upsertSubject(id: b.id ?? .random(), handle: b.handle, externalID: b.externalID), status: .created)
        }
        api.add(Endpoint(.post, "/v1/subjects:batch", summary: "Register up to 1000 subjects", roles: service,
                         request: ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "maxItems": 1000, "items": ConsentSchemas.subjectIn]]],
                         response: Endpoint.json(200, ["type": "object", "properties": ["items": ["type": "array", "items": ConsentSchemas.subject]]]), errors: [409])) { req, _, _ in
            let b = try await HTTP.decode(Batch<SubjectIn>.self, from: req, limit: limit)
            guard b.items.count <= maxBatch else { throw APIError(.contentTooLarge, "batch_too_large", "at most \(maxBatch) items per batch") }
            // Every item is checked before any is written; then they are written concurrently
            // (one group commit), items naming the same subject in their order.
            for i in b.items { _ = try ConsentStore.validateSubject(handle: i.handle, externalID: i.externalID) }
            let items = b.items.map { (id: $0.id ?? .random(), item: $0) }
            let groups = Dictionary(grouping: items.indices, by: { items[$0].id })
            let out = try await withThrowingTaskGroup(of: [(Int, SubjectRecord)].self) { group in
                for indices in groups.values {
                    group.addTask {
                        var done: [(Int, SubjectRecord)] = []
                        for i in indices { done.append((i, try await s.consent.upsertSubject(id: items[i].id, handle: items[i].item.handle, externalID: items[i].item.externalID))) }
                        return done
                    }
                }
                return try await group.reduce(into: [(Int, SubjectRecord)]()) { $0 += $1 }.sorted { $0.0 < $1.0 }.map(\.1)
            }
            return try HTTP.json(["items": JSONValue.from(out)])
        }
        api.add(Endpoint(.get, "/v1/subjects/{id}", summary: "A subject and its likeness status", roles: readers,
                         parameters: [.path("id", "subject id")], response: Endpoint.json(200, ConsentSchemas.subject), errors: [404, 422])) { _, ctx, _ in
            let id = try SubjectID(ctx.parameters.require("id"))
            guard let subject = try s.consent.subject(id) else { throw APIError(.notFound, "unknown_subject", "no subject \(id)") }
            return try HTTP.json(subject)
        }
        for (method, on) in [(HTTPRequest.Method.put, true), (.delete, false)] {
            api.add(Endpoint(method, "/v1/subjects/{id}/follows/{other}", summary: on ? "Subject id follows other" : "Subject id unfollows other",
                             roles: service, parameters: [.path("id", "follower"), .path("other", "followee")],
                             response: Endpoint.json(200, ConsentSchemas.token), errors: [404, 422])) { _, ctx, _ in
                let token = try await s.consent.setFollow(follower: SubjectID(ctx.parameters.require("id")),
                                                          followee: SubjectID(ctx.parameters.require("other")), on: on)
                return try HTTP.json(["consistency_token": .int(Int64(token))])
            }
            api.add(Endpoint(method, "/v1/communities/{c}/members/{id}", summary: on ? "Add a community member" : "Remove a community member",
                             roles: service, parameters: [.path("c", "community id"), .path("id", "subject id")],
                             response: Endpoint.json(200, ConsentSchemas.token), errors: [404, 422])) { _, ctx, _ in
                let token = try await s.consent.setMember(CommunityID(ctx.parameters.require("c")), SubjectID(ctx.parameters.require("id")), on: on)
                return try HTTP.json(["consistency_token": .int(Int64(token))])
            }
        }
        struct Edge: Decodable { let follower: SubjectID; let followee: SubjectID; let on: Bool? }
        api.add(Endpoint(.post, "/v1/follows:batch", summary: "Apply up to 1000 follow edges (on: false removes)", roles: service,
                         request: ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "maxItems": 1000, "items": [
                            "type": "object", "required": ["follower", "followee"], "properties": ["follower": ConsentSchemas.id, "followee": ConsentSchemas.id, "on": ["type": "boolean"]]]]]],
                         response: Endpoint.json(200, ConsentSchemas.token), errors: [404])) { req, _, _ in
            let b = try await HTTP.decode(Batch<Edge>.self, from: req, limit: limit)
            guard b.items.count <= maxBatch else { throw APIError(.contentTooLarge, "batch_too_large", "at most \(maxBatch) items per batch") }
            var token: UInt64 = s.consent.appliedSize
            for e in b.items { token = try await s.consent.setFollow(follower: e.follower, followee: e.followee, on: e.on ?? true) }
            return try HTTP.json(["consistency_token": .int(Int64(token))])
        }
        GrantRoutes.register(api, s)
        GrantRoutes.registerDirectRevocation(api, s)
        CheckRoutes.register(api, s)
    }
}
