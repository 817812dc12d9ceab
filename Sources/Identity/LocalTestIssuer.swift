import CameoCore
import CameoCrypto
import Foundation
import Policy

/// A local identity-verification issuer for tests, benchmarks and development: an Ed25519 key
/// that signs attestations (compact JWS, EdDSA) the way a vendor does after its own liveness
/// check. It vouches for nothing: a node trusts it only when its JWKS is added to the identity
/// policy (`cameo issuer init` writes a policy directory that does). This is how the test
/// suite enrolls without a live camera; never trust it in production.
public struct LocalTestIssuer: Sendable {
    /// The `iss` it writes.
    public let iss: String
    /// Its signing key.
    public let key: Ed25519PrivateKey
    /// The JWK key id.
    public var kid: String { "test-" + String(SHA256.hex(key.publicKey.raw).prefix(16)) }

    /// An issuer named `iss` over `key` (fresh by default).
    public init(iss: String = "https://idv.test.cameoguard.invalid", key: Ed25519PrivateKey? = nil) throws {
        self.iss = iss
        self.key = try key ?? Ed25519PrivateKey.generate()
    }

    /// Its JSON Web Key Set (RFC 7517; OKP/Ed25519, RFC 8037).
    public var jwks: String {
        let jwk: JSONValue = ["kty": "OKP", "crv": "Ed25519", "x": .string(Base64.encodeURL(key.publicKey.raw)),
                              "kid": .string(kid), "alg": "EdDSA", "use": "sig"]
        return String(decoding: (try? CanonicalJSON.encode(["keys": [jwk]] as JSONValue)) ?? [], as: UTF8.self)
    }

    /// The policy entry that trusts it.
    public var trusted: TrustedIssuer { TrustedIssuer(iss: iss, jwks: jwks) }

    /// A signed attestation that `subject` passed liveness for challenge `nonce` with `selfie`.
    /// `header` and `claims` overrides build the bad tokens the tests need.
    public func attest(subject: SubjectID, nonce: String, selfie: [UInt8], liveness: String = "pass", now: Date = Date(),
                       lifetime: TimeInterval = 300, header: [String: JSONValue] = [:], claims: [String: JSONValue] = [:]) throws -> String {
        var h: [String: JSONValue] = ["alg": "EdDSA", "typ": "JWT", "kid": .string(kid)]
        h.merge(header) { _, b in b }
        var c: [String: JSONValue] = ["iss": .string(iss), "sub": .string(subject.rawValue), "nonce": .string(nonce), "liveness": .string(liveness),
                                      "selfie_sha256": .string(SHA256.hex(selfie)), "iat": .int(Int64(now.timeIntervalSince1970)),
                                      "exp": .int(Int64(now.addingTimeInterval(lifetime).timeIntervalSince1970))]
        c.merge(claims) { _, b in b }
        let signingInput = Base64.encodeURL(try CanonicalJSON.encode(JSONValue.object(h))) + "." + Base64.encodeURL(try CanonicalJSON.encode(JSONValue.object(c)))
        return signingInput + "." + Base64.encodeURL(try key.sign(Array(signingInput.utf8)))
    }

    /// Enrolls `subject` with the face in `selfie` through the public verification path:
    /// a challenge, this issuer's attestation, the selfie, and `ownerKey` registered with it.
    public func enroll(_ subject: SubjectID, selfie: [UInt8], ownerKey: [UInt8]?, in likenesses: LikenessService,
                       actor: String, now: Date = Date()) async throws -> VerificationResult {
        let (challenge, nonce) = try likenesses.challenge(subject: subject, now: now)
        let token = try attest(subject: subject, nonce: nonce, selfie: selfie, now: now)
        return try await likenesses.verify(subject: subject, challenge: challenge.id, nonce: nonce, attestation: token,
                                           selfie: selfie, ownerKey: ownerKey, actor: actor, now: now)
    }
}

extension PolicySet {
    /// This policy set with `issuer` trusted as well; the hash covers the added JWKS.
    public func trusting(_ issuer: TrustedIssuer) -> PolicySet {
        var identity = self.identity
        identity.issuers.removeAll { $0.iss == issuer.iss }
        identity.issuers.append(issuer)
        return replacing(identity: identity, extraHashInput: Array((issuer.iss + "\0" + (issuer.jwks ?? "")).utf8))
    }
}
