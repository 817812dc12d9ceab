import CameoCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Generation
import Identity
import Policy
import Server
import Store
import TestSupport

/// A node over a temp data directory with an admin, an auditor and a service key.
final class TestNode: Sendable {
    let tmp: TempDataDirectory
    let services: Services
    let admin: String, auditor: String, service: String

    init(policies: PolicySet? = nil, generator: (any VideoGenerator)? = nil) async throws {
        tmp = try TempDataDirectory()
        services = try Services(dataDirectory: tmp.directory, policies: policies ?? RepositoryPaths.loadPolicies(),
                                modelsDirectory: RepositoryPaths.root.appendingPathComponent("models"), generator: generator)
        admin = try await services.apiKeys.create(name: "admin", role: .admin, actor: "test").token
        auditor = try await services.apiKeys.create(name: "auditor", role: .auditor, actor: "test").token
        service = try await services.apiKeys.create(name: "service", role: .service, actor: "test").token
    }

    deinit { services.stop() }

    /// Runs `body` against the in-process router.
    func test<T: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = Application(router: CameoServer.router(services))
        return try await app.test(.router) { client in try await body(client) }
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
