import ArgumentParser
import CameoCore
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Options of verbs that talk to a running server.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Server base URL (env CAMEO_SERVER).", valueName: "url"))
    var server: String = ProcessInfo.processInfo.environment["CAMEO_SERVER"] ?? "http://127.0.0.1:8080"

    @Option(name: .long, help: ArgumentHelp("API key token (env CAMEO_API_KEY).", valueName: "token"))
    var apiKey: String?

    var token: String? { apiKey ?? ProcessInfo.processInfo.environment["CAMEO_API_KEY"] }
}

/// A coded error reported by the server (or by the connection).
struct RemoteError: CodedError {
    let code: String
    let message: String
    let kind: ErrorKind
}

/// Minimal JSON-over-HTTP client for the CLI verbs.
struct APIClient {
    let options: ServerOptions

    /// Sends a GET for a binary body (e.g. a video).
    func raw(_ method: String, _ path: String) async throws -> Data {
        guard let url = URL(string: options.server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
            throw RemoteError(code: "invalid_server", message: "bad server URL \(options.server)", kind: .invalidInput)
        }
        var req = URLRequest(url: url)
        req.httpMethod = method
        if let t = options.token { req.setValue("Bearer \(t)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: req)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw RemoteError(code: "download_failed", message: "\(path): HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)", kind: .unavailable)
        }
        return data
    }

    /// Sends a request; returns the parsed JSON body of a 2xx answer, throws `RemoteError` otherwise.
    func call(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        guard let url = URL(string: options.server.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path) else {
            throw RemoteError(code: "invalid_server", message: "bad server URL \(options.server)", kind: .invalidInput)
        }
        var req = URLRequest(url: url)
        req.httpMethod = method
        if let t = options.token { req.setValue("Bearer \(t)", forHTTPHeaderField: "Authorization") }
        if let body {
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
            req.httpBody = Data(try CanonicalJSON.encode(body))
        }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: req)
        } catch {
            throw RemoteError(code: "server_unreachable", message: "\(url.absoluteString): \(error.localizedDescription)", kind: .unavailable)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONValue.parse([UInt8](data))) ?? .string(String(decoding: data, as: UTF8.self))
        guard (200..<300).contains(status) else {
            let kind: ErrorKind = switch status {
            case 401: .unauthenticated
            case 403: .forbidden
            case 404: .notFound
            case 409: .conflict
            case 400..<500: .invalidInput
            default: .unavailable
            }
            throw RemoteError(code: json["error"]?["code"]?.stringValue ?? "http_\(status)",
                              message: json["error"]?["message"]?.stringValue ?? "HTTP \(status)", kind: kind)
        }
        return json
    }
}
