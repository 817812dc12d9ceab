import CameoCore
import CameoCrypto
import Foundation
import Ledger
import Store
import Synchronization

/// Who a request is: the key that authenticated it and that key's role.
public struct Principal: Sendable, Equatable {
    /// The authenticating key.
    public let keyID: APIKeyID
    /// Its role.
    public let role: Role
    /// The actor string recorded in ledger entries.
    public var actor: String { "key:\(keyID.rawValue)" }
}

/// A freshly created key; `token` is shown once and never stored.
public struct CreatedAPIKey: Sendable, Codable {
    public let id: APIKeyID
    public let name: String
    public let role: Role
    /// `<id>.<secret>`: what clients send as `Authorization: Bearer <token>`.
    public let token: String
    public let ledgerIndex: UInt64
    enum CodingKeys: String, CodingKey { case id, name, role, token, ledgerIndex = "ledger_index" }
}

/// Creates, revokes and authenticates API keys. Secrets are argon2id-hashed at rest; a
/// successful verification is cached by key id (as a SHA-256 of the secret, compared in
/// constant time) so the hot path does not pay argon2's ~20 ms per request.
public final class APIKeyService: Sendable {
    private let repository: APIKeyRepository
    private let hasher: Argon2id
    private let cacheTTL: TimeInterval
    private let cache = Mutex<[APIKeyID: (digest: [UInt8], role: Role, until: Date)]>([:])

    /// Service over `repository`, hashing with `hasher`, caching verified keys for `cacheTTL`.
    public init(repository: APIKeyRepository, hasher: Argon2id, cacheTTL: TimeInterval) {
        self.repository = repository
        self.hasher = hasher
        self.cacheTTL = cacheTTL
    }

    /// Creates a key for `role`; the ledger records id, name and role (never the secret).
    public func create(name: String, role: Role, actor: String, now: Date = Date()) async throws -> CreatedAPIKey {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(name.count), !name.contains(where: { $0.isNewline }) else {
            throw IdentityError("invalid_name", "key name must be 1-100 characters on one line", kind: .invalidInput)
        }
        let id = APIKeyID.random()
        let secret = Base64.encode(secureRandomBytes(32))
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let record = APIKeyRecord(id: id, name: name, role: role, secretHash: try hasher.hash(Array(secret.utf8)), createdAt: now)
        let entry = try LedgerEntry(type: "api_key.created", time: now, actor: actor, subject: id.rawValue,
                                    payload: ["name": .string(name), "role": .string(role.rawValue)])
        let index = try await repository.insert(record, entry: entry)
        return CreatedAPIKey(id: id, name: name, role: role, token: "\(id.rawValue).\(secret)", ledgerIndex: index)
    }

    /// Forgets every cached verification (another node revoked a key).
    public func clearCache() { cache.withLock { $0.removeAll() } }

    /// Revokes a key; takes effect on this node at once (the cache entry is dropped).
    public func revoke(_ id: APIKeyID, actor: String, now: Date = Date()) async throws -> UInt64 {
        let entry = try LedgerEntry(type: "api_key.revoked", time: now, actor: actor, subject: id.rawValue)
        let index = try await repository.revoke(id, at: now, entry: entry)
        _ = cache.withLock { $0.removeValue(forKey: id) }
        return index
    }

    /// All keys (without secrets, which are not stored).
    public func list() throws -> [APIKeyRecord] { try repository.list() }

    /// ``authenticate(token:now:)`` for request handlers: a cache hit answers at once; a miss
    /// (argon2id, ~20 ms, and a database read) runs on the background queue, off the
    /// cooperative pool that serves the other requests.
    public func authenticate(token: String, now: Date = Date()) async throws -> Principal {
        if let hit = try cached(token: token, now: now) { return hit }
        return try await BackgroundWork.run { [self] in try authenticate(token: token, now: now) as Principal }
    }

    /// The principal for `token` from the verification cache, or nil on a miss.
    func cached(token: String, now: Date) throws -> Principal? {
        guard token.utf8.count <= 300, let dot = token.lastIndex(of: "."), let id = try? APIKeyID(String(token[..<dot])),
              let hit = cache.withLock({ $0[id] }), hit.until > now else { return nil }
        guard constantTimeEquals(hit.digest, SHA256.hash(Array(token[token.index(after: dot)...].utf8))) else {
            throw IdentityError("unauthenticated", "missing, malformed, unknown or revoked API key", kind: .unauthenticated)
        }
        return Principal(keyID: id, role: hit.role)
    }

    /// Authenticates a bearer token; `unauthenticated` for anything but a live key's exact secret.
    public func authenticate(token: String, now: Date = Date()) throws -> Principal {
        let fail = IdentityError("unauthenticated", "missing, malformed, unknown or revoked API key", kind: .unauthenticated)
        guard token.utf8.count <= 300, let dot = token.lastIndex(of: "."),
              let id = try? APIKeyID(String(token[..<dot])) else { throw fail }
        let secret = Array(token[token.index(after: dot)...].utf8)
        let digest = SHA256.hash(secret)
        if let hit = cache.withLock({ $0[id] }), hit.until > now {
            guard constantTimeEquals(hit.digest, digest) else { throw fail }
            return Principal(keyID: id, role: hit.role)
        }
        guard let record = try repository.find(id), record.revokedAt == nil,
              Argon2id.verify(secret, encoded: record.secretHash) else { throw fail }
        cache.withLock { $0[id] = (digest, record.role, now.addingTimeInterval(cacheTTL)) }
        return Principal(keyID: id, role: record.role)
    }
}
