import CameoCore
import Foundation
import HTTPTypes
import Hummingbird
import Ledger
import NIOCore

/// Small request/response helpers shared by the route files.
enum HTTP {
    /// A JSON response with canonical bytes.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try CanonicalJSON.encode(value))))
    }

    /// A JSON response from an `Encodable`.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        try json(JSONValue.from(value), status: status)
    }

    /// A plain-text response.
    static func text(_ s: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    /// Reads at most `limit` bytes of body (413 beyond) and decodes it as `T` (400 for bad JSON,
    /// 422 for a valid document of the wrong shape).
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        try decode(type, from: try await body(request, limit: limit))
    }

    /// The request body, at most `limit` bytes (413 beyond).
    static func body(_ request: Request, limit: Int) async throws -> Data {
        do {
            return Data(try await request.body.collect(upTo: limit).readableBytesView)
        } catch {
            throw APIError(.contentTooLarge, "body_too_large", "request body exceeds \(limit) bytes")
        }
    }

    /// A body that may carry an owner signature: its bytes and, when not empty, its JSON value
    /// (400 for bad JSON). The same bytes are then decoded as the typed request, so the
    /// signature covers exactly what is acted on.
    static func signedBody(_ request: Request, limit: Int) async throws -> (data: Data, json: JSONValue?) {
        let data = try await body(request, limit: limit)
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return (data, nil) }
        do { return (data, try JSONValue.parse(data)) } catch {
            throw APIError(.badRequest, "invalid_json", "request body is not valid JSON")
        }
    }

    /// Decodes `data` as `T` (400 for bad JSON, 422 for a valid document of the wrong shape).
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .custom { d in
                let text = try d.singleValueContainer().decode(String.self)
                guard let date = Timestamp.parse(text) else {
                    throw CoreError("invalid_timestamp", "\(text.prefix(40).debugDescription) is not an RFC 3339 timestamp")
                }
                return date
            }
            return try decoder.decode(T.self, from: data)
        } catch let e as any CodedError {
            throw APIError(.unprocessableContent, e.code, e.message)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw APIError(.badRequest, "invalid_json", "request body is not valid JSON")
        } catch {
            throw APIError(.unprocessableContent, "invalid_request", JSONValue.describe(error))
        }
    }

    /// An unsigned integer query parameter; `invalid_query` if present but malformed.
    static func queryUInt(_ request: Request, _ name: String) throws -> UInt64? {
        guard let raw = request.uri.queryParameters[Substring(name)] else { return nil }
        guard let v = UInt64(raw) else {
            throw APIError(.badRequest, "invalid_query", "query parameter \(name) must be a non-negative integer")
        }
        return v
    }

    /// A required unsigned integer query parameter.
    static func requireUInt(_ request: Request, _ name: String) throws -> UInt64 {
        guard let v = try queryUInt(request, name) else {
            throw APIError(.badRequest, "missing_query", "query parameter \(name) is required")
        }
        return v
    }
}
