import CameoCore
import HTTPTypes
import Hummingbird
import Identity

/// One HTTP endpoint: how it is routed, who may call it, and how the OpenAPI document
/// describes it. Registering an endpoint does both, so the served document cannot drift
/// from the routes.
public struct Endpoint: Sendable {
    /// A path or query parameter.
    public struct Parameter: Sendable {
        let name: String
        let location: String  // "path" or "query"
        let required: Bool
        let schema: JSONValue
        let description: String

        /// A path parameter (always required).
        public static func path(_ name: String, _ description: String) -> Parameter {
            Parameter(name: name, location: "path", required: true, schema: ["type": "string"], description: description)
        }

        /// An integer query parameter.
        public static func queryInt(_ name: String, required: Bool, _ description: String) -> Parameter {
            Parameter(name: name, location: "query", required: required, schema: ["type": "integer", "minimum": 0], description: description)
        }
    }

    let method: HTTPRequest.Method
    let path: String
    let summary: String
    /// nil: public; otherwise the roles admitted.
    let roles: Set<Role>?
    let parameters: [Parameter]
    let requestSchema: JSONValue?
    let response: (status: Int, contentType: String, schema: JSONValue)
    let errors: [Int]
    /// Other success statuses with the same body (e.g. 200 for an idempotent replay of a 201).
    let alsoSuccess: [Int]

    /// Describes an endpoint; `path` uses OpenAPI `{name}` placeholders, which Hummingbird also routes.
    public init(_ method: HTTPRequest.Method, _ path: String, summary: String, roles: Set<Role>?,
                parameters: [Parameter] = [], request: JSONValue? = nil,
                response: (status: Int, contentType: String, schema: JSONValue), errors: [Int] = [], alsoSuccess: [Int] = []) {
        self.method = method
        self.path = path
        self.summary = summary
        self.roles = roles
        self.parameters = parameters
        self.requestSchema = request
        self.response = response
        self.errors = errors
        self.alsoSuccess = alsoSuccess
    }

    /// A JSON response described by `schema`.
    public static func json(_ status: Int = 200, _ schema: JSONValue) -> (status: Int, contentType: String, schema: JSONValue) {
        (status, "application/json", schema)
    }
}

/// Registers endpoints on a router and collects them for the OpenAPI document.
public final class APIBuilder: @unchecked Sendable {
    let router: Router<AppContext>
    private(set) var endpoints: [Endpoint] = []

    init(router: Router<AppContext>) { self.router = router }

    /// Routes `endpoint` to `handler`, enforcing its roles before the handler runs.
    public func add(_ endpoint: Endpoint,
                    _ handler: @escaping @Sendable (Request, AppContext, Principal?) async throws -> Response) {
        endpoints.append(endpoint)
        let roles = endpoint.roles
        router.on(RouterPath(stringLiteral: endpoint.path), method: endpoint.method) { request, context -> Response in
            let principal = try roles.map { try context.require($0) }
            return try await handler(request, context, principal)
        }
    }
}

