import CameoCore
import Foundation

/// Where a generation is in its life.
public enum GenerationStatus: String, Sendable, Codable, CaseIterable {
    /// Accepted, pre-checks passed, waiting for a worker.
    case queued
    /// A pre-check failed; nothing was generated.
    case rejected
    /// The generator is rendering.
    case generating
    /// The post-check is examining the produced file.
    case checking
    /// Passed every check; video and manifest are served.
    case released
    /// The post-check found a face it may not release; kept for review, not served.
    case quarantined
    /// Removed by a cameo owner, the requester or a moderator; the file is deleted.
    case removed
    /// Failed for an operational reason (encoder error); nothing released.
    case failed
}

/// A generation request as submitted.
public struct GenerationRequest: Sendable, Codable, Equatable {
    public let requestID: String?
    public let requester: SubjectID
    public let prompt: String
    public let cameos: [SubjectID]
    public let use: String
    public let audience: JSONValue
    public let seed: UInt64?
    enum CodingKeys: String, CodingKey {
        case requestID = "request_id", requester, prompt, cameos, use, audience, seed
    }

    /// Creates a request.
    public init(requestID: String?, requester: SubjectID, prompt: String, cameos: [SubjectID], use: String, audience: JSONValue, seed: UInt64?) {
        self.requestID = requestID; self.requester = requester; self.prompt = prompt; self.cameos = cameos
        self.use = use; self.audience = audience; self.seed = seed
    }
}

/// A generation and everything decided about it.
public struct GenerationRecord: Sendable, Codable, Equatable {
    public let id: String
    public var request: GenerationRequest
    public var status: GenerationStatus
    public var seed: UInt64
    public var tags: [String]
    public var reasons: [String]
    /// Signed consent decisions (receipts), one per check.
    public var receipts: [JSONValue]
    /// Grant ids the decisions used, and the owners' free-text preferences passed to the generator.
    public var grantIDs: [String]
    public var preferences: [String: String]
    public var postCheck: PostCheckResult?
    public var contentSHA256: String?
    public var manifest: JSONValue?
    public var ledgerIndex: UInt64?
    /// Seconds spent per stage (`render_encode`, `post_check`), for operators and benchmarks.
    public var timings: [String: Double]?
    public let createdAt: Date
    public var updatedAt: Date
}
