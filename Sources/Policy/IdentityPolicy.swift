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

/// `identity.yaml: video`: the embedded verifier of one continuous recorded answer (head turns,
/// blinks and digits read aloud). Every threshold is named in the enrollment's evidence.
public struct VideoLivenessPolicy: Sendable, Codable, Equatable {
    public var blinksMin: Int
    public var blinksMax: Int
    public var digitsMin: Int
    public var digitsMax: Int
    /// Largest answer, bytes (checked before the file is written).
    public var maxBytes: Int
    /// Shortest and longest answer, seconds (from the container, before decoding).
    public var minSeconds: Double
    public var maxSeconds: Double
    /// Largest frame, pixels (from the stream header, before decoding).
    public var maxPixels: Int
    /// Accepted containers: ffprobe `format_name` tokens (mov/mp4 share one demuxer, as do matroska/webm).
    public var containers: [String]
    /// Frames analysed per second, and their longer side in pixels.
    public var analysisFps: Double
    public var analysisMaxDimension: Int
    /// Largest gap between consecutive decoded frames, seconds (a dropped or spliced segment).
    public var maxFrameGap: Double
    /// Mean absolute difference (0-255) of consecutive 32×32 grey thumbnails above which the picture cut.
    public var cutDifference: Double
    /// Largest move of the face box centre between analysed frames, in box widths.
    public var maxBoxJump: Double
    /// Largest share of analysed frames with no detected face (fast turns, blur).
    public var maxMissingFaceFraction: Double
    /// A descriptor is computed on every n-th frame with a face, for the same-person check.
    public var descriptorEvery: Int
    /// Least share of those descriptors within the matcher's threshold of their medoid.
    public var samePersonMinShare: Double
    /// Frames a pose must hold to count in the sequence.
    public var minPoseFrames: Int
    /// Least RMS landmark residual of the best homography between the frontal and the most
    /// turned view, in interocular distances: less moves like a flat picture.
    public var planarResidualMin: Double
    /// An eye counts as closed below this fraction of its open eye-aspect-ratio (the median).
    public var blinkClosedRatio: Double
    /// Blinks seen may exceed those asked by this many (people blink unprompted).
    public var blinkExtraAllowed: Int
    /// Longest eye closure that counts as a blink, seconds.
    public var blinkMaxSeconds: Double
    /// pocketsphinx model directory (Debian's pocketsphinx-en-us).
    public var speechModel: String
    /// Least variation (standard deviation) of the mouth opening while speech is heard, in face
    /// heights; it must also exceed the variation while silent.
    public var lipMotionMin: Double

    enum CodingKeys: String, CodingKey {
        case blinksMin = "blinks_min", blinksMax = "blinks_max", digitsMin = "digits_min", digitsMax = "digits_max"
        case maxBytes = "max_bytes", minSeconds = "min_seconds", maxSeconds = "max_seconds", maxPixels = "max_pixels", containers
        case analysisFps = "analysis_fps", analysisMaxDimension = "analysis_max_dimension", maxFrameGap = "max_frame_gap"
        case cutDifference = "cut_difference", maxBoxJump = "max_box_jump", maxMissingFaceFraction = "max_missing_face_fraction"
        case descriptorEvery = "descriptor_every", samePersonMinShare = "same_person_min_share", minPoseFrames = "min_pose_frames", planarResidualMin = "planar_residual_min"
        case blinkClosedRatio = "blink_closed_ratio", blinkExtraAllowed = "blink_extra_allowed", blinkMaxSeconds = "blink_max_seconds", speechModel = "speech_model"
        case lipMotionMin = "lip_motion_min"
    }

    func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw PolicyError("policy_invalid", "identity.yaml video: \(what)") } }
        try check(blinksMin >= 1 && blinksMax >= blinksMin && blinksMax <= 6, "1 ≤ blinks_min ≤ blinks_max ≤ 6")
        try check(digitsMin >= 3 && digitsMax >= digitsMin && digitsMax <= 10, "3 ≤ digits_min ≤ digits_max ≤ 10")
        try check((1 << 16...(256 << 20)).contains(maxBytes), "max_bytes 64 KiB-256 MiB")
        try check(minSeconds >= 1 && maxSeconds > minSeconds && maxSeconds <= 120, "1 ≤ min_seconds < max_seconds ≤ 120")
        try check((64 * 64...(3840 * 2160)).contains(maxPixels), "max_pixels 4096-3840×2160")
        try check(!containers.isEmpty, "containers must list at least one format")
        try check(analysisFps >= 5 && analysisFps <= 30, "analysis_fps 5-30")
        try check((160...1920).contains(analysisMaxDimension), "analysis_max_dimension 160-1920")
        try check(maxFrameGap > 0 && maxFrameGap <= 2, "max_frame_gap in (0, 2]")
        try check(cutDifference > 0 && cutDifference < 255, "cut_difference in (0, 255)")
        try check(maxBoxJump > 0 && maxBoxJump <= 2, "max_box_jump in (0, 2]")
        try check((0..<1).contains(maxMissingFaceFraction), "max_missing_face_fraction in [0, 1)")
        try check((1...30).contains(descriptorEvery), "descriptor_every 1-30")
        try check(samePersonMinShare > 0.5 && samePersonMinShare <= 1, "same_person_min_share in (0.5, 1]")
        try check(blinkMaxSeconds >= 0.1 && blinkMaxSeconds <= 2, "blink_max_seconds 0.1-2")

        try check((1...30).contains(minPoseFrames), "min_pose_frames 1-30")
        try check(planarResidualMin > 0 && planarResidualMin < 1, "planar_residual_min in (0, 1)")
        try check(blinkClosedRatio > 0 && blinkClosedRatio < 1, "blink_closed_ratio in (0, 1)")
        try check((0...5).contains(blinkExtraAllowed), "blink_extra_allowed 0-5")
        try check(!speechModel.isEmpty, "speech_model must name a directory")
        try check(lipMotionMin > 0 && lipMotionMin < 0.2, "lip_motion_min in (0, 0.2)")
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
    /// The embedded video verifier.
    public var video: VideoLivenessPolicy

    enum CodingKeys: String, CodingKey {
        case challengeTTL = "challenge_ttl", posesMin = "poses_min", posesMax = "poses_max"
        case turnDegrees = "turn_degrees", centreDegrees = "centre_degrees", framesMin = "frames_min", framesMax = "frames_max"
        case videoSampleFps = "video_sample_fps", staticFrameDifference = "static_frame_difference"
        case impersonationThreshold = "impersonation_threshold", maxBodyBytes = "max_body_bytes"
        case methods, attestationMaxAge = "attestation_max_age", attestationClockSkew = "attestation_clock_skew", issuers, video
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
        try video.validate()
        for i in issuers {
            try check(!i.iss.isEmpty && i.iss.count <= 256, "an issuer's iss must be 1-256 characters")
            try check((i.jwks == nil) != (i.jwksFile == nil), "issuer \(i.iss): give exactly one of jwks and jwks_file")
        }
    }
}
