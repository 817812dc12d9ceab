import Consent
import Foundation

/// `Policies/consent.yaml`: grant limits and the freshness wait of consistency tokens.
public struct ConsentPolicy: Sendable, Codable, Equatable {
    /// Longest allow-grant lifetime, seconds.
    public var maxLifetime: Double
    /// Lifetime of an allow grant created without expiry, seconds (nil: until revoked).
    public var defaultLifetime: Double?
    /// Largest approved list.
    public var maxApprovedList: Int
    /// How long a check waits for `at_least`, milliseconds.
    public var atLeastWaitMs: Int
    /// Whether consent writes must carry the owner's signature (false: migration only).
    public var requireOwnerSignature: Bool
    /// ± seconds around the server clock an owner statement's `issued_at` may be.
    public var signatureWindow: Double

    enum CodingKeys: String, CodingKey {
        case maxLifetime = "max_lifetime", defaultLifetime = "default_lifetime"
        case maxApprovedList = "max_approved_list", atLeastWaitMs = "at_least_wait_ms"
        case requireOwnerSignature = "require_owner_signature", signatureWindow = "signature_window"
    }

    /// The limits handed to `Grant.make`.
    public func limits() throws -> ConsentLimits {
        do {
            return try ConsentLimits(maxLifetime: maxLifetime, maxApprovedList: maxApprovedList, defaultLifetime: defaultLifetime)
        } catch {
            throw PolicyError("policy_invalid", "consent.yaml: \(error.message)")
        }
    }

    func validate() throws {
        _ = try limits()
        guard (10...3600).contains(signatureWindow) else { throw PolicyError("policy_invalid", "consent.yaml: signature_window must be 10-3600 s") }
        guard (0...30_000).contains(atLeastWaitMs) else { throw PolicyError("policy_invalid", "consent.yaml: at_least_wait_ms must be 0-30000") }
    }
}
