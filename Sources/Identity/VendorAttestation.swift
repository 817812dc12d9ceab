import CameoCore
import CameoCrypto
import Foundation
import Ledger
import JWTKit
import Policy

/// The claims of an identity-verification vendor's attestation (a compact JWS).
///
/// `sub` is the CameoGuard subject, `nonce` the nonce of the liveness challenge the vendor
/// was shown, `liveness` the vendor's verdict (`pass`), `selfie_sha256` the hex SHA-256 of the
/// selfie bytes sent alongside, `iat`/`exp` its lifetime.
public struct AttestationClaims: JWTPayload, Equatable {
    public var iss: String
    public var sub: String
    public var nonce: String
    public var liveness: String
    public var selfieSHA256: String
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim

    enum CodingKeys: String, CodingKey { case iss, sub, nonce, liveness, selfieSHA256 = "selfie_sha256", iat, exp }

    /// Creates claims (test issuers and `cameo issuer attest`).
    public init(iss: String, sub: String, nonce: String, liveness: String = "pass", selfieSHA256: String, iat: Date, exp: Date) {
        self.iss = iss; self.sub = sub; self.nonce = nonce; self.liveness = liveness
        self.selfieSHA256 = selfieSHA256; self.iat = IssuedAtClaim(value: iat); self.exp = ExpirationClaim(value: exp)
    }

    /// Claims are checked by `VendorAttestationVerifier` against the server clock, not here.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// A verified attestation: who vouched, for which selfie, and the digest of the token itself.
public struct VerifiedAttestation: Sendable, Equatable {
    public let issuer: String
    public let algorithm: String
    public let selfieSHA256: String
    /// Hex SHA-256 of the compact JWS (recorded; the token is not).
    public let tokenSHA256: String
}

/// Verifies vendor attestations against the issuers trusted in `Policies/identity.yaml`
/// (their JWKS), with jwt-kit. Only EdDSA and ES256 are accepted; `alg: none`, HMAC and RSA
/// are refused before any key is looked up.
public struct VendorAttestationVerifier: Sendable {
    static let algorithms: Set<String> = ["EdDSA", "ES256"]
    let issuers: [String: JWTKeyCollection]
    let maxAge: TimeInterval
    let skew: TimeInterval

    /// Loads each trusted issuer's JWKS; `policy_invalid` when one does not parse.
    public init(policy: IdentityPolicy) async throws {
        var issuers: [String: JWTKeyCollection] = [:]
        for issuer in policy.issuers {
            do {
                issuers[issuer.iss] = try await JWTKeyCollection().add(jwksJSON: issuer.jwks ?? "")
            } catch {
                throw IdentityError("policy_invalid", "identity.yaml: issuer \(issuer.iss): JWKS does not load: \(error)", kind: .internalFailure)
            }
        }
        self.issuers = issuers
        self.maxAge = policy.attestationMaxAge
        self.skew = policy.attestationClockSkew
    }

    /// Checks signature (by the issuer's JWKS), issuer, lifetime, subject, nonce, verdict and
    /// selfie hash, in that order, each failure with its own code.
    public func verify(_ token: String, subject: SubjectID, nonce: String, selfie: [UInt8], now: Date) async throws -> VerifiedAttestation {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 16_384, parts.count == 3, let header = Base64.decodeURL(String(parts[0])),
              case .object(let h)? = try? JSONValue.parse(header), let alg = h["alg"]?.stringValue else {
            throw IdentityError("attestation_malformed", "attestation must be a compact JWS (header.payload.signature) of at most 16 KiB")
        }
        guard Self.algorithms.contains(alg) else {
            throw IdentityError("attestation_alg_refused", "attestation alg \(alg.prefix(20)) is refused; use EdDSA or ES256", kind: .unauthenticated)
        }
        let unverified: AttestationClaims
        do { unverified = try DefaultJWTParser().parse(Array(token.utf8), as: AttestationClaims.self).payload } catch {
            throw IdentityError("attestation_malformed", "attestation claims must include iss, sub, nonce, liveness, selfie_sha256, iat, exp")
        }
        guard let keys = issuers[unverified.iss] else {
            throw IdentityError("attestation_untrusted_issuer", "issuer \(unverified.iss.prefix(80)) is not trusted by this node's identity policy", kind: .unauthenticated)
        }
        let claims: AttestationClaims
        do { claims = try await keys.verify(token, as: AttestationClaims.self) } catch {
            throw IdentityError("attestation_bad_signature", "the attestation's signature does not verify with issuer \(unverified.iss)'s keys", kind: .unauthenticated)
        }
        let iat = claims.iat.value, exp = claims.exp.value
        guard now < exp else { throw IdentityError("attestation_expired", "the attestation expired at \(Timestamp.format(exp))", kind: .unauthenticated) }
        guard iat <= now.addingTimeInterval(skew) else {
            throw IdentityError("attestation_not_yet_valid", "the attestation is issued in the future (\(Timestamp.format(iat)))", kind: .unauthenticated)
        }
        guard exp.timeIntervalSince(iat) <= maxAge, now.timeIntervalSince(iat) <= maxAge else {
            throw IdentityError("attestation_expired", "an attestation is accepted for \(Int(maxAge)) s after it is issued", kind: .unauthenticated)
        }
        guard claims.sub == subject.rawValue else {
            throw IdentityError("attestation_subject_mismatch", "the attestation is for another subject", kind: .forbidden)
        }
        guard constantTimeEquals(Array(SHA256.hex(Array(claims.nonce.utf8)).utf8), Array(SHA256.hex(Array(nonce.utf8)).utf8)) else {
            throw IdentityError("attestation_nonce_mismatch", "the attestation does not carry this challenge's nonce", kind: .forbidden)
        }
        guard claims.liveness == "pass" else {
            throw IdentityError("attestation_liveness_failed", "the vendor's liveness verdict is \(claims.liveness.prefix(20)), not pass", kind: .forbidden)
        }
        let selfieHash = SHA256.hex(selfie)
        guard constantTimeEquals(Array(claims.selfieSHA256.lowercased().utf8), Array(selfieHash.utf8)) else {
            throw IdentityError("selfie_hash_mismatch", "the selfie's SHA-256 is not the one the attestation covers")
        }
        return VerifiedAttestation(issuer: claims.iss, algorithm: alg, selfieSHA256: selfieHash, tokenSHA256: SHA256.hex(Array(token.utf8)))
    }
}
