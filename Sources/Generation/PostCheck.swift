import CameoCore
import Foundation

/// One face seen in a sampled frame, with its nearest enrolled likeness.
public struct SeenFace: Sendable, Equatable, Codable {
    /// Frame time in seconds.
    public let time: Double
    /// Box in the analysed frame: left, top, right, bottom.
    public let box: [Int]
    /// Nearest enrolled subject and its distance, if the gallery is not empty.
    public let nearest: String?
    public let distance: Float?

    /// Creates a record.
    public init(time: Double, box: [Int], nearest: String?, distance: Float?) {
        self.time = time; self.box = box; self.nearest = nearest; self.distance = distance
    }
}

/// One piece of evidence for a quarantine or a match.
public struct PostCheckEvidence: Sendable, Equatable, Codable {
    public let time: Double
    public let box: [Int]
    public let subject: String
    public let distance: Float
    public let threshold: Float
    /// `consented`, `not_consented`, `blocked_likeness` or `resembles_protected`.
    public let finding: String
}

/// The post-check verdict: release, or quarantine with per-frame evidence.
public struct PostCheckResult: Sendable, Equatable, Codable {
    public let release: Bool
    public let framesChecked: Int
    public let facesSeen: Int
    /// Owners whose enrolled face was matched (consented or not).
    public let matchedSubjects: [String]
    public let evidence: [PostCheckEvidence]
    public let reasons: [String]
    enum CodingKeys: String, CodingKey {
        case release, evidence, reasons
        case framesChecked = "frames_checked", facesSeen = "faces_seen", matchedSubjects = "matched_subjects"
    }
}

/// Decides whether sampled frames may be released. It sees only what was decoded from the
/// produced file, never the generator's own account of what it drew.
public enum PostCheck {
    /// Every matched enrolled face must belong to `allowed` (owners whose consent decision for
    /// this request was allow) and none may be on the `blocked` likeness list.
    /// A face whose nearest likeness is `protected` counts as that subject within the wider
    /// `protectedThreshold` (a lookalike of a public figure, a deceased person or a minor).
    public static func evaluate(frames: Int, faces: [SeenFace], allowed: Set<String>, blocked: Set<String>, threshold: Float,
                                protected: Set<String> = [], protectedThreshold: Float? = nil) -> PostCheckResult {
        var evidence: [PostCheckEvidence] = []
        var reasons: [String] = []
        var matched = Set<String>()
        for f in faces {
            guard let who = f.nearest, let d = f.distance else { continue }
            let isProtected = protected.contains(who)
            let limit = isProtected ? max(threshold, protectedThreshold ?? threshold) : threshold
            guard d <= limit else { continue }
            matched.insert(who)
            let finding: String
            if blocked.contains(who) {
                finding = "blocked_likeness"
            } else if allowed.contains(who) {
                finding = "consented"
            } else {
                finding = d > threshold ? "resembles_protected" : "not_consented"
            }
            evidence.append(PostCheckEvidence(time: f.time, box: f.box, subject: who, distance: d, threshold: limit, finding: finding))
        }
        let violations = evidence.filter { $0.finding != "consented" }
        for who in Set(violations.map(\.subject)).sorted() {
            let kinds = Set(violations.filter { $0.subject == who }.map(\.finding)).sorted().joined(separator: ",")
            reasons.append("\(kinds): enrolled likeness \(who) appears without a covering grant")
        }
        return PostCheckResult(release: violations.isEmpty, framesChecked: frames, facesSeen: faces.count,
                               matchedSubjects: matched.sorted(), evidence: violations.isEmpty ? evidence : violations, reasons: reasons)
    }
}
