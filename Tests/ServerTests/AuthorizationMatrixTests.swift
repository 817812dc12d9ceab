import CameoCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import Testing

/// Every documented endpoint × every role (and no key): a role outside the endpoint's set gets
/// 403, no key gets 401, and an admitted role is never refused for its role.
@Suite struct AuthorizationMatrixTests {
    @Test func everyRoleOnEveryEndpoint() async throws {
        let node = try await TestNode()
        var tokens: [Role: String] = [:]
        for role in Role.allCases { tokens[role] = try await node.services.apiKeys.create(name: "matrix \(role)", role: role, actor: "test").token }
        let table = CameoServer.routeTable(node.services)
        let frozen = tokens
        let cells = try await node.test { c -> Int in
            var cells = 0
            for route in table {
                let path = route.path.replacingOccurrences(of: "{id}", with: "sub_x").replacingOccurrences(of: "{other}", with: "sub_y")
                    .replacingOccurrences(of: "{c}", with: "com_x")
                let method = HTTPRequest.Method(route.method)!
                let body: String? = (method == .post || method == .put) ? "{}" : nil
                let anonymous = try await c.call(method, path, json: body)
                if route.roles == nil {
                    // A public owner-signed route refuses a missing signature, never a missing key.
                    let ownerRefusal = anonymous.body["error"]?["code"]?.stringValue?.hasPrefix("owner_") == true
                    #expect(ownerRefusal || (anonymous.status != .unauthorized && anonymous.status != .forbidden), "\(route.method) \(path) is public")
                } else {
                    #expect(anonymous.status == .unauthorized, "\(route.method) \(path) without a key → \(anonymous.status)")
                }
                cells += 1
                for role in Role.allCases {
                    let r = try await c.call(method, path, token: frozen[role], json: body)
                    if let roles = route.roles, !roles.contains(role) {
                        #expect(r.status == .forbidden, "\(role) on \(route.method) \(path) → \(r.status)")
                    } else {
                        // An owner-signed write still needs the owner's signature: that refusal is not about the role.
                        let ownerRefusal = r.body["error"]?["code"]?.stringValue?.hasPrefix("owner_") == true
                        #expect(ownerRefusal || (r.status != .forbidden && r.status != .unauthorized), "\(role) on \(route.method) \(path) → \(r.status) \(r.text.prefix(120))")
                    }
                    cells += 1
                }
            }
            return cells
        }
        print("authorization matrix: \(table.count) endpoints × \(Role.allCases.count + 1) principals = \(cells) cells")
        #expect(cells == table.count * (Role.allCases.count + 1))
    }
}
