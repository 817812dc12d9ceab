import CameoCrypto

/// `Policies/security.yaml`: secret hashing and request limits.
public struct SecurityPolicy: Sendable, Codable, Equatable {
    /// argon2id parameters for API key secrets.
    public struct Argon2Params: Sendable, Codable, Equatable {
        public var iterations: UInt32
        public var memoryKib: UInt32
        public var parallelism: UInt32
        enum CodingKeys: String, CodingKey { case iterations, memoryKib = "memory_kib", parallelism }
    }
    public var argon2id: Argon2Params
    /// Largest accepted HTTP body in bytes.
    public var maxBodyBytes: Int
    /// Seconds a verified key stays cached.
    public var authCacheSeconds: Int

    enum CodingKeys: String, CodingKey { case argon2id, maxBodyBytes = "max_body_bytes", authCacheSeconds = "auth_cache_seconds" }

    /// The hasher these parameters describe.
    public var hasher: Argon2id { Argon2id(iterations: argon2id.iterations, memoryKiB: argon2id.memoryKib, parallelism: argon2id.parallelism) }

    func validate() throws {
        guard (1...10).contains(argon2id.iterations) else { throw PolicyError("policy_invalid", "security.yaml: argon2id.iterations must be 1-10") }
        guard (8192...1_048_576).contains(argon2id.memoryKib) else { throw PolicyError("policy_invalid", "security.yaml: argon2id.memory_kib must be 8192-1048576") }
        guard (1...16).contains(argon2id.parallelism) else { throw PolicyError("policy_invalid", "security.yaml: argon2id.parallelism must be 1-16") }
        guard (1024...(512 << 20)).contains(maxBodyBytes) else { throw PolicyError("policy_invalid", "security.yaml: max_body_bytes must be 1 KiB-512 MiB") }
        guard (0...86_400).contains(authCacheSeconds) else { throw PolicyError("policy_invalid", "security.yaml: auth_cache_seconds must be 0-86400") }
    }
}
