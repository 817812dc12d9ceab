import Foundation
import Generation
import Testing

/// The post-check's verdict over faces already matched to their nearest likeness.
@Suite struct PostCheckTests {
    static func face(_ who: String, _ d: Float, t: Double = 0) -> SeenFace { SeenFace(time: t, box: [0, 0, 10, 10], nearest: who, distance: d) }

    @Test func anEnrolledFaceNeedsConsentAndABlockedOneNeverPasses() {
        let r = PostCheck.evaluate(frames: 3, faces: [Self.face("sub_a", 0.4), Self.face("sub_b", 0.5), Self.face("sub_c", 0.7)],
                                   allowed: ["sub_a"], blocked: [], threshold: 0.6)
        #expect(!r.release && r.evidence.map(\.subject) == ["sub_b"] && r.evidence[0].finding == "not_consented")
        #expect(r.matchedSubjects == ["sub_a", "sub_b"])
        let blocked = PostCheck.evaluate(frames: 1, faces: [Self.face("sub_a", 0.4)], allowed: ["sub_a"], blocked: ["sub_a"], threshold: 0.6)
        #expect(!blocked.release && blocked.evidence[0].finding == "blocked_likeness")
        #expect(PostCheck.evaluate(frames: 1, faces: [Self.face("sub_a", 0.4)], allowed: ["sub_a"], blocked: [], threshold: 0.6).release)
    }

    @Test func aLookalikeOfAProtectedLikenessCountsAsThatPerson() {
        let faces = [Self.face("sub_fig", 0.63)]
        // Not protected: 0.63 is another person.
        #expect(PostCheck.evaluate(frames: 1, faces: faces, allowed: [], blocked: [], threshold: 0.6).release)
        // Protected: within 0.65 it needs the protected subject's consent.
        let r = PostCheck.evaluate(frames: 1, faces: faces, allowed: [], blocked: [], threshold: 0.6, protected: ["sub_fig"], protectedThreshold: 0.65)
        #expect(!r.release && r.evidence[0].finding == "resembles_protected" && r.evidence[0].threshold == 0.65)
        #expect(PostCheck.evaluate(frames: 1, faces: faces, allowed: ["sub_fig"], blocked: [], threshold: 0.6, protected: ["sub_fig"], protectedThreshold: 0.65).release)
        #expect(PostCheck.evaluate(frames: 1, faces: [Self.face("sub_fig", 0.7)], allowed: [], blocked: [], threshold: 0.6, protected: ["sub_fig"], protectedThreshold: 0.65).release)
    }
}
