import CameoCore
import Hummingbird
import Identity

/// The per-request context: Hummingbird's core storage plus the authenticated principal.
public struct AppContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` when the request carried a valid key.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// The principal if its role is one of `roles`; 401 without a key, 403 with the wrong role.
    public func require(_ roles: Set<Role>) throws -> Principal {
        guard let p = principal else {
            throw APIError(.unauthorized, "unauthenticated", "this endpoint needs an API key: Authorization: Bearer <token>")
        }
        guard roles.contains(p.role) else {
            throw APIError(.forbidden, "forbidden", "role \(p.role.rawValue) may not call this endpoint (allowed: \(roles.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        return p
    }
}

/// Authenticates `Authorization: Bearer` tokens. A request without the header passes through
/// unauthenticated (public endpoints); a bad token is rejected at once.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppContext
    let keys: APIKeyService

    func handle(_ request: Request, context: AppContext, next: (Request, AppContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        guard header.hasPrefix("Bearer ") else {
            throw APIError(.unauthorized, "unauthenticated", "Authorization must be `Bearer <token>`")
        }
        var context = context
        context.principal = try await keys.authenticate(token: String(header.dropFirst(7)))
        return try await next(request, context)
    }
}
