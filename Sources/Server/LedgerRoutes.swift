import CameoCore
import Hummingbird
import Ledger

/// Auditor endpoints: checkpoints, entries and proofs (RFC 9162 / C2SP formats).
enum LedgerRoutes {
    static let readers: Set<Role> = [.auditor, .admin]
    static let b64Array: JSONValue = ["type": "array", "items": ["type": "string", "contentEncoding": "base64"]]
    static let maxPage: UInt64 = 1000

    static func register(_ api: APIBuilder, _ s: Services) {
        api.add(Endpoint(.get, "/v1/ledger/checkpoint", summary: "Latest signed checkpoint (C2SP signed note)", roles: readers,
                         response: (200, "text/plain", ["type": "string"]))) { _, _, _ in
            HTTP.text(try s.ledger.checkpoint(key: s.signingKey).serialized)
        }

        api.add(Endpoint(.get, "/v1/ledger/entries", summary: "Entries [start, end) as their exact canonical JSON text (max 1000)", roles: readers,
                         parameters: [.queryInt("start", required: true, "first index"), .queryInt("end", required: false, "one past the last index")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["start": ["type": "integer"], "entries": ["type": "array", "items": ["type": "string"]]]]),
                         errors: [400])) { request, _, _ in
            let start = try HTTP.requireUInt(request, "start")
            let end = try HTTP.queryUInt(request, "end") ?? start + maxPage
            guard end >= start else { throw APIError(.badRequest, "invalid_range", "end must be ≥ start") }
            let entries = try s.ledger.entries(start: start, end: min(end, start + maxPage))
            return try HTTP.json(["start": .int(Int64(start)), "size": .int(Int64(s.ledger.size)),
                                  "entries": .array(entries.map { .string(String(decoding: $0, as: UTF8.self)) })])
        }

        api.add(Endpoint(.get, "/v1/ledger/proof/inclusion", summary: "RFC 9162 inclusion proof", roles: readers,
                         parameters: [.queryInt("index", required: true, "leaf index"), .queryInt("size", required: false, "tree size (default: current)")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["index": ["type": "integer"], "size": ["type": "integer"], "leaf_hash": ["type": "string"], "hashes": b64Array, "root": ["type": "string"]]]),
                         errors: [400, 422])) { request, _, _ in
            let index = try HTTP.requireUInt(request, "index")
            let size = try HTTP.queryUInt(request, "size") ?? s.ledger.size
            return try HTTP.json(try s.ledger.inclusionJSON(index: index, size: size))
        }

        api.add(Endpoint(.get, "/v1/ledger/proof/consistency", summary: "RFC 9162 consistency proof", roles: readers,
                         parameters: [.queryInt("from", required: true, "older size"), .queryInt("to", required: false, "newer size (default: current)")],
                         response: Endpoint.json(200, ["type": "object", "properties": ["from": ["type": "integer"], "to": ["type": "integer"], "hashes": b64Array]]),
                         errors: [400, 422])) { request, _, _ in
            let from = try HTTP.requireUInt(request, "from")
            let to = try HTTP.queryUInt(request, "to") ?? s.ledger.size
            return try HTTP.json(try s.ledger.consistencyJSON(from: from, to: to))
        }
    }
}
