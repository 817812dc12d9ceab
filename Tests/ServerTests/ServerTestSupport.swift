import CameoCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Generation
import Identity
import Consent
import Policy
import Server
import Store
import TestSupport

/// A node over a temp data directory with an admin, an auditor and a service key. Its
/// policies trust a local test identity issuer, so subjects enroll by attestation (the path
/// the default policy accepts), each with an owner device key.
final class TestNode: Sendable {
    let tmp: TempDataDirectory
    let services: Services
    let admin: String, auditor: String, service: String
    let issuer: LocalTestIssuer

    init(policies: PolicySet? = nil, generator: (any VideoGenerator)? = nil, issuer: LocalTestIssuer? = nil) async throws {
        tmp = try TempDataDirectory()
        let issuer = try issuer ?? LocalTestIssuer()
        self.issuer = issuer
        services = try Services(dataDirectory: tmp.directory, policies: (policies ?? RepositoryPaths.loadPolicies()).trusting(issuer.trusted),
                                modelsDirectory: RepositoryPaths.root.appendingPathComponent("models"), generator: generator)
        admin = try await services.apiKeys.create(name: "admin", role: .admin, actor: "test").token
        auditor = try await services.apiKeys.create(name: "auditor", role: .auditor, actor: "test").token
        service = try await services.apiKeys.create(name: "service", role: .service, actor: "test").token
    }

    deinit { services.stop() }

    /// Registers `id` (if new) and enrolls the face in fixture `photo` by a test-issuer
    /// attestation, registering a fresh owner device; returns the device.
    @discardableResult
    func enroll(_ id: String, _ photo: String) async throws -> OwnerDevice {
        try await Self.enroll(services, issuer: issuer, id, photo)
    }

    /// The same on any services whose policy trusts `issuer`.
    @discardableResult
    static func enroll(_ s: Services, issuer: LocalTestIssuer, _ id: String, _ photo: String) async throws -> OwnerDevice {
        let subject = try SubjectID(id)
        if try s.consent.subject(subject) == nil { _ = try await s.consent.upsertSubject(id: subject, handle: id, externalID: nil) }
        let device = try OwnerDevice()
        let selfie = try [UInt8](Data(contentsOf: RepositoryPaths.fixtures.appendingPathComponent(photo)))
        _ = try await issuer.enroll(subject, selfie: selfie, ownerKey: device.publicKey, in: s.likenesses, actor: "test")
        return device
    }

    /// Runs `body` against the in-process router.
    func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = Application(router: CameoServer.router(services))
        return try await app.test(.router) { client in try await body(client) }
    }
}

extension OwnerDevice {
    /// `json` (an object) signed for `subject`'s `action`, as RFC 8785 text.
    func sign(_ json: String, _ subject: String, _ action: String, now: Date = Date()) throws -> String {
        try signedText(JSONValue.parse(Array(json.utf8)), subject: SubjectID(subject), action: action, now: now)
    }
}

extension Services {
    /// Creates a grant from `json` signed by `device` (the owner), through the same checks as the route.
    @discardableResult
    func signedGrant(_ device: OwnerDevice, _ json: String) async throws -> Grant {
        let body = try JSONValue.parse(Array(json.utf8))
        let draft = try JSONDecoder().decode(GrantDraft.self, from: Data(json.utf8))
        let statement = try device.sign(body, subject: draft.owner, action: "grant.create")
        let auth = try ownerSignatures.authorize(statement, .init(subject: draft.owner, action: "grant.create"))
        return try await consent.createGrant(draft, limits: policies.consent.limits(), authorization: auth, actor: "test").grant
    }
}

extension Services {
    /// Revokes grant `id` with a statement signed by `device` (its owner's).
    @discardableResult
    func signedRevoke(_ device: OwnerDevice, _ id: GrantID, owner: SubjectID) async throws -> UInt64 {
        let statement = try device.sign(["grant_id": .string(id.rawValue)], subject: owner, action: "grant.revoke")
        let auth = try ownerSignatures.authorize(statement, .init(subject: owner, action: "grant.revoke", targets: ["grant_id": id.rawValue]))
        return try await consent.revokeGrant(id, authorization: auth, actor: "test").ledgerIndex
    }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON body; returns status and parsed body.
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil) async throws -> (status: HTTPResponse.Status, body: JSONValue, text: String) {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { r in
            let text = String(buffer: r.body)
            return (r.status, (try? JSONValue.parse(Array(text.utf8))) ?? .null, text)
        }
    }
}
