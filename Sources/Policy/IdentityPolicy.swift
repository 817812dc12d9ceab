/// How a likeness may be enrolled. Every `likeness.verified` entry names the method it used.
public enum EnrollmentMethod: String, Sendable, Codable, CaseIterable {
    /// A signed verdict of a trusted identity-verification vendor, with the selfie it covers.
    case attestation
    /// The embedded verifier over frames sampled from one video.
    case video
    /// Still frames in the asked pose order (development only: a photo passes it).
    case stills
}

/// An identity-verification vendor whose attestations the operator trusts.
public struct TrustedIssuer: Sendable, Codable, Equatable {
    /// The `iss` claim the vendor writes.
    public var iss: String
    /// Its JSON Web Key Set (a JSON document), inline or loaded from `jwksFile`.
    public var jwks: String?
    /// A JWKS file, relative to the policy directory (read at load, covered by the policy hash).
    public var jwksFile: String?

    enum CodingKeys: String, CodingKey { case iss, jwks, jwksFile = "jwks_file" }

    /// Creates an issuer entry.
    public init(iss: String, jwks: String?, jwksFile: String? = nil) {
        self.iss = iss; self.jwks = jwks; self.jwksFile = jwksFile
    }
}

/// `Policies/identity.yaml`: liveness challenges and enrollment.
public struct IdentityPolicy: Sendable, Codable, Equatable {
    public var challengeTTL: Double
    public var posesMin: Int
    public var posesMax: Int
    public var turnDegrees: Double
    public var centreDegrees: Double
    public var framesMin: Int
    public var framesMax: Int
    public var videoSampleFps: Double
    public var staticFrameDifference: Double
    public var impersonationThreshold: Float
    public var maxBodyBytes: Int
    /// Enrollment methods this node accepts (default: attestation only).
    public var methods: [EnrollmentMethod]
    /// Longest an attestation may live and be used after it was issued, seconds.
    public var attestationMaxAge: Double
    /// Clock skew allowed on an attestation's `iat`, seconds.
    public var attestationClockSkew: Double
    /// Trusted identity-verification vendors.
    public var issuers: [TrustedIssuer]

    enum CodingKeys: String, CodingKey {
        case challengeTTL = "challenge_ttl", posesMin = "poses_min", posesMax = "poses_max"
        case turnDegrees = "turn_degrees", centreDegrees = "centre_degrees", framesMin = "frames_min", framesMax = "frames_max"
        case videoSampleFps = "video_sample_fps", staticFrameDifference = "static_frame_difference"
        case impersonationThreshold = "impersonation_threshold", maxBodyBytes = "max_body_bytes"
        case methods, attestationMaxAge = "attestation_max_age", attestationClockSkew = "attestation_clock_skew", issuers
    }

    /// Whether `method` may enroll a likeness on this node.
    public func allows(_ method: EnrollmentMethod) -> Bool { methods.contains(method) }

    func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw PolicyError("policy_invalid", "identity.yaml: \(what)") } }
        try check((10...3600).contains(challengeTTL), "challenge_ttl must be 10-3600 s")
        try check(posesMin >= 3 && posesMax >= posesMin && posesMax <= 8, "poses_min ≥ 3 and poses_min ≤ poses_max ≤ 8")
        try check(centreDegrees > 0 && turnDegrees > centreDegrees && turnDegrees < 60, "0 < centre_degrees < turn_degrees < 60")
        try check(framesMin >= posesMin && framesMax >= framesMin && framesMax <= 120, "poses_min ≤ frames_min ≤ frames_max ≤ 120")
        try check(videoSampleFps > 0 && videoSampleFps <= 30, "video_sample_fps in (0, 30]")
        try check(staticFrameDifference >= 0 && staticFrameDifference < 50, "static_frame_difference in [0, 50)")
        try check(impersonationThreshold > 0 && impersonationThreshold < 1, "impersonation_threshold in (0, 1)")
        try check((1 << 20...(512 << 20)).contains(maxBodyBytes), "max_body_bytes 1-512 MiB")
        try check(!methods.isEmpty && Set(methods).count == methods.count, "methods must list each enrollment method at most once, at least one")
        try check((30...86_400).contains(attestationMaxAge), "attestation_max_age must be 30-86400 s")
        try check((0...300).contains(attestationClockSkew), "attestation_clock_skew must be 0-300 s")
        try check(Set(issuers.map(\.iss)).count == issuers.count, "issuers must not repeat an iss")
        for i in issuers {
            try check(!i.iss.isEmpty && i.iss.count <= 256, "an issuer's iss must be 1-256 characters")
            try check((i.jwks == nil) != (i.jwksFile == nil), "issuer \(i.iss): give exactly one of jwks and jwks_file")
        }
    }
}
