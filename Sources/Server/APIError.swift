import CameoCore
import Foundation
import HTTPTypes
import Hummingbird

/// An error as the HTTP API reports it: a status and the body
/// `{"error":{"code":"…","message":"…"}}`. Every failure leaves the server in this shape.
public struct APIError: HTTPResponseError, CodedError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public var kind: ErrorKind { .invalidInput }

    /// Creates an error response.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    /// The HTTP form of any module's coded error.
    public init(_ error: any CodedError) {
        let status: HTTPResponse.Status = switch error.kind {
        case .invalidInput: error.code.hasPrefix("invalid_json") || error.code == "bad_request" ? .badRequest : .unprocessableContent
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict, .stale: .conflict
        case .tooLarge: .contentTooLarge
        case .unavailable: .serviceUnavailable
        case .integrity: .unprocessableContent
        case .internalFailure: .internalServerError
        }
        self.init(status, error.code, error.kind == .internalFailure ? "internal error (\(error.code))" : error.message)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: JSONValue = .object(["error": .object(["code": .string(code), "message": .string(message)])])
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try CanonicalJSON.encode(body))))
    }
}

/// Turns every thrown error into an `APIError`, so clients never see another shape, and logs
/// internal failures with their detail (which the client does not get).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIError {
            throw e
        } catch let e as any CodedError {
            if e.kind == .internalFailure { context.logger.error("internal failure", metadata: ["code": "\(e.code)", "detail": "\(e.message)"]) }
            throw APIError(e)
        } catch let e as HTTPError {
            let code = switch e.status {
            case .notFound: "route_not_found"
            case .methodNotAllowed: "method_not_allowed"
            case .contentTooLarge: "body_too_large"
            default: "http_\(e.status.code)"
            }
            throw APIError(e.status, code, e.body ?? e.status.reasonPhrase)
        } catch let e as any HTTPResponseError {
            throw APIError(e.status, "http_\(e.status.code)", e.status.reasonPhrase)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            throw APIError(.internalServerError, "internal_error", "internal error")
        }
    }
}
