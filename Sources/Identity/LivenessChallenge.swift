import CameoCore
import CameoCrypto
import FaceMatch
import Foundation

/// A challenge-response liveness challenge: "turn your head left, then centre, then right;
/// blink twice; read 3 7 1 9 aloud", bound to a single-use nonce and an expiry. Only the
/// nonce's SHA-256 is stored.
public struct LivenessChallenge: Sendable, Equatable, Codable {
    /// Challenge id.
    public let id: ChallengeID
    /// The subject proving they own the face.
    public let subject: SubjectID
    /// Head turns, in order (≥ 3, never the same twice in a row, at least two distinct).
    public let poses: [HeadTurn]
    /// Blinks asked for (1–3; 0 for challenges issued before blinks were asked).
    public let blinks: Int
    /// Digits to read aloud, e.g. "3719" (empty for challenges issued before digits were asked).
    public let digits: String
    /// When it was issued and until when it may be answered.
    public let issuedAt: Date
    public let expiresAt: Date
    /// Hex SHA-256 of the nonce.
    public let nonceHash: String

    /// What a challenge asks for, drawn from `random`: `poseCount` poses, `blinkRange` blinks
    /// and `digitRange` digits. The service draws from the system's secure generator; tests
    /// pass a seeded one to fix the challenge to what a recorded clip does.
    public static func draw<R: RandomNumberGenerator>(poseCount: Int, blinkRange: ClosedRange<Int>, digitRange: ClosedRange<Int>,
                                                      using random: inout R) -> (poses: [HeadTurn], blinks: Int, digits: String) {
        precondition(poseCount >= 3 && blinkRange.lowerBound >= 0 && digitRange.lowerBound >= 0)
        var poses: [HeadTurn] = []
        let all: [HeadTurn] = [.left, .centre, .right]
        while poses.count < poseCount || Set(poses).count < 2 {
            if poses.count >= poseCount { poses.removeAll() }
            let next = all.randomElement(using: &random)!
            if next != poses.last { poses.append(next) }
        }
        let blinks = Int.random(in: blinkRange, using: &random)
        let digits = (0..<Int.random(in: digitRange, using: &random)).map { _ in String(Int.random(in: 0...9, using: &random)) }.joined()
        return (poses, blinks, digits)
    }

    /// Issues a challenge asking for `poses`, `blinks` and `digits`; returns it and the nonce to hand to the client.
    public static func issue(subject: SubjectID, poses: [HeadTurn], blinks: Int, digits: String, ttl: TimeInterval, now: Date) -> (LivenessChallenge, nonce: String) {
        let nonce = Hex.encode(secureRandomBytes(16))
        let challenge = LivenessChallenge(id: .random(), subject: subject, poses: poses, blinks: blinks, digits: digits, issuedAt: now,
                                          expiresAt: now.addingTimeInterval(ttl), nonceHash: SHA256.hex(Array(nonce.utf8)))
        return (challenge, nonce)
    }

    /// Creates a challenge from stored fields.
    public init(id: ChallengeID, subject: SubjectID, poses: [HeadTurn], blinks: Int = 0, digits: String = "", issuedAt: Date, expiresAt: Date, nonceHash: String) {
        self.id = id; self.subject = subject; self.poses = poses; self.blinks = blinks; self.digits = digits
        self.issuedAt = issuedAt; self.expiresAt = expiresAt; self.nonceHash = nonceHash
    }

    /// Whether `nonce` is this challenge's (constant-time comparison of the hashes).
    public func matches(nonce: String) -> Bool {
        constantTimeEquals(Array(SHA256.hex(Array(nonce.utf8)).utf8), Array(nonceHash.utf8))
    }
}
