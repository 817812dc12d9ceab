import CameoCore
import CameoCrypto
import FaceMatch
import Foundation

/// A challenge-response liveness challenge: "show your face turned left, then centre, then
/// right", bound to a single-use nonce and an expiry. Only the nonce's SHA-256 is stored.
public struct LivenessChallenge: Sendable, Equatable, Codable {
    /// Challenge id.
    public let id: ChallengeID
    /// The subject proving they own the face.
    public let subject: SubjectID
    /// Head turns, in order (≥ 3, never the same twice in a row, at least two distinct).
    public let poses: [HeadTurn]
    /// When it was issued and until when it may be answered.
    public let issuedAt: Date
    public let expiresAt: Date
    /// Hex SHA-256 of the nonce.
    public let nonceHash: String

    /// Issues a challenge with `poseCount` random poses; returns it and the nonce to hand to the client.
    public static func issue(subject: SubjectID, poseCount: Int, ttl: TimeInterval, now: Date) -> (LivenessChallenge, nonce: String) {
        precondition(poseCount >= 3)
        var poses: [HeadTurn] = []
        let all: [HeadTurn] = [.left, .centre, .right]
        while poses.count < poseCount {
            let next = all[Int(secureRandomBytes(1)[0]) % 3]
            if next != poses.last { poses.append(next) }
        }
        let nonce = Hex.encode(secureRandomBytes(16))
        let challenge = LivenessChallenge(id: .random(), subject: subject, poses: poses, issuedAt: now,
                                          expiresAt: now.addingTimeInterval(ttl), nonceHash: SHA256.hex(Array(nonce.utf8)))
        return (challenge, nonce)
    }

    /// Creates a challenge from stored fields.
    public init(id: ChallengeID, subject: SubjectID, poses: [HeadTurn], issuedAt: Date, expiresAt: Date, nonceHash: String) {
        self.id = id; self.subject = subject; self.poses = poses
        self.issuedAt = issuedAt; self.expiresAt = expiresAt; self.nonceHash = nonceHash
    }

    /// Whether `nonce` is this challenge's (constant-time comparison of the hashes).
    public func matches(nonce: String) -> Bool {
        constantTimeEquals(Array(SHA256.hex(Array(nonce.utf8)).utf8), Array(nonceHash.utf8))
    }
}
