/// `Policies/matching.yaml`: face-matching threshold and video sampling.
public struct MatchingPolicy: Sendable, Codable, Equatable {
    /// Same person when descriptor distance ≤ threshold.
    public var threshold: Float
    /// Frames sampled per second of video (plus first and last).
    public var sampleFps: Double
    /// Longer side of analysed frames, pixels.
    public var detectMaxDimension: Int
    /// HOG pyramid upsampling for still images.
    public var detectUpsample: Int
    /// HOG pyramid upsampling for the video post-check.
    public var postcheckUpsample: Int
    /// Smallest face box width considered, pixels.
    public var minFaceSize: Int

    enum CodingKeys: String, CodingKey {
        case threshold, sampleFps = "sample_fps", detectMaxDimension = "detect_max_dimension"
        case detectUpsample = "detect_upsample", postcheckUpsample = "postcheck_upsample", minFaceSize = "min_face_size"
    }

    func validate() throws {
        guard threshold > 0.1 && threshold < 1.5 else { throw PolicyError("policy_invalid", "matching.yaml: threshold must be in (0.1, 1.5)") }
        guard sampleFps > 0 && sampleFps <= 30 else { throw PolicyError("policy_invalid", "matching.yaml: sample_fps must be in (0, 30]") }
        guard (64...4096).contains(detectMaxDimension) else { throw PolicyError("policy_invalid", "matching.yaml: detect_max_dimension must be 64-4096") }
        guard (0...2).contains(detectUpsample), (0...2).contains(postcheckUpsample) else { throw PolicyError("policy_invalid", "matching.yaml: detect_upsample and postcheck_upsample must be 0-2") }
        guard (8...1000).contains(minFaceSize) else { throw PolicyError("policy_invalid", "matching.yaml: min_face_size must be 8-1000") }
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

    enum CodingKeys: String, CodingKey {
        case challengeTTL = "challenge_ttl", posesMin = "poses_min", posesMax = "poses_max"
        case turnDegrees = "turn_degrees", centreDegrees = "centre_degrees", framesMin = "frames_min", framesMax = "frames_max"
        case videoSampleFps = "video_sample_fps", staticFrameDifference = "static_frame_difference"
        case impersonationThreshold = "impersonation_threshold", maxBodyBytes = "max_body_bytes"
    }

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
    }
}
