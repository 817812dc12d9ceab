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
    /// A face this close to a protected likeness (wider than `threshold`: lookalikes of public
    /// figures, the deceased and minors) needs that subject's consent too.
    public var protectedThreshold: Float

    enum CodingKeys: String, CodingKey {
        case threshold, sampleFps = "sample_fps", detectMaxDimension = "detect_max_dimension"
        case detectUpsample = "detect_upsample", postcheckUpsample = "postcheck_upsample", minFaceSize = "min_face_size"
        case protectedThreshold = "protected_threshold"
    }

    func validate() throws {
        guard threshold > 0.1 && threshold < 1.5 else { throw PolicyError("policy_invalid", "matching.yaml: threshold must be in (0.1, 1.5)") }
        guard sampleFps > 0 && sampleFps <= 30 else { throw PolicyError("policy_invalid", "matching.yaml: sample_fps must be in (0, 30]") }
        guard (64...4096).contains(detectMaxDimension) else { throw PolicyError("policy_invalid", "matching.yaml: detect_max_dimension must be 64-4096") }
        guard (0...2).contains(detectUpsample), (0...2).contains(postcheckUpsample) else { throw PolicyError("policy_invalid", "matching.yaml: detect_upsample and postcheck_upsample must be 0-2") }
        guard protectedThreshold >= threshold && protectedThreshold < 1.5 else { throw PolicyError("policy_invalid", "matching.yaml: protected_threshold must be in [threshold, 1.5)") }
        guard (8...1000).contains(minFaceSize) else { throw PolicyError("policy_invalid", "matching.yaml: min_face_size must be 8-1000") }
    }
}
