import CameoCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics

/// The HTTP server: every route, the auth and error middleware, metrics and the OpenAPI
/// document, over the node's `Services`.
public enum CameoServer {
    /// The service version reported in `/openapi.json` and `/healthz`.
    public static let version = "0.1.0"

    /// Every documented endpoint with the roles it admits (nil: public), for authorization tests and docs.
    public static func routeTable(_ s: Services) -> [(method: String, path: String, roles: Set<Role>?)] {
        build(s).endpoints.map { ($0.method.rawValue, $0.path, $0.roles) }
    }

    /// Builds the router (also used directly by in-process tests).
    public static func router(_ s: Services) -> Router<AppContext> { build(s).router }

    static func build(_ s: Services) -> (router: Router<AppContext>, endpoints: [Endpoint]) {
        _ = ServerMetrics.registry
        let router = Router(context: AppContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AuthMiddleware(keys: s.apiKeys))
        let api = APIBuilder(router: router)

        api.add(Endpoint(.get, "/healthz", summary: "Liveness: the process answers", roles: nil,
                         response: Endpoint.json(200, ["type": "object", "properties": ["status": ["type": "string"]]]))) { _, _, _ in
            try HTTP.json(["status": "ok", "version": .string(version)])
        }
        api.add(Endpoint(.get, "/readyz", summary: "Readiness: the database answers and the ledger is open", roles: nil,
                         response: Endpoint.json(200, ["type": "object", "properties": ["status": ["type": "string"], "ledger_size": ["type": "integer"]]]),
                         errors: [503])) { _, _, _ in
            _ = try s.database.meta("ledger_origin")
            return try HTTP.json(["status": "ready", "ledger_size": .int(Int64(s.ledger.size))])
        }
        api.add(Endpoint(.get, "/metrics", summary: "Prometheus metrics", roles: nil,
                         response: (200, "text/plain", ["type": "string"]))) { _, _, _ in
            s.takedowns.recordQueueDepth()
            // Per node: how far its tree and its consent index have got (compare across nodes for lag).
            Gauge(label: "cameo_ledger_size").record(Int64(s.ledger.size))
            Gauge(label: "cameo_consent_applied_size").record(Int64(s.consent.appliedSize))
            return HTTP.text(ServerMetrics.registry.emitToString())
        }
        LedgerRoutes.register(api, s)
        AdminRoutes.register(api, s)
        ConsentRoutes.register(api, s)
        IdentityRoutes.register(api, s)
        OwnerKeyRoutes.register(api, s)
        GenerationRoutes.register(api, s)
        TakedownRoutes.register(api, s)
        DisputeRoutes.register(api, s)

        let document = OpenAPIDocument.build(api.endpoints + [openAPIEndpoint], version: version)
        let documentBytes = (try? CanonicalJSON.encode(document)) ?? []
        router.get("/openapi.json") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: documentBytes)))
        }
        return (router, api.endpoints)
    }

    static let openAPIEndpoint = Endpoint(.get, "/openapi.json", summary: "This OpenAPI 3.1 document", roles: nil,
                                          response: Endpoint.json(200, ["type": "object"]))

    /// Runs the server until SIGINT/SIGTERM; in-flight requests finish before it returns.
    public static func run(_ s: Services, host: String, port: Int, logger: Logger,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(router: router(s), configuration: .init(address: .hostname(host, port: port), serverName: "cameoguard"),
                              onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                              logger: logger)
        try await app.runService()
    }
}
