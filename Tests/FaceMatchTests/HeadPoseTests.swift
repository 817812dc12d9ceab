import Testing
@testable import FaceMatch

/// Pose from real landmarks: mirroring a photo must flip yaw and roll and swap left/right.
@Suite("Head pose")
struct HeadPoseTests {
    /// Pose of the single face in `image`.
    static func pose(_ image: RGBImage) throws -> HeadPose {
        let faces = try Fixtures.sharedEngine().locateFaces(in: image)
        try #require(faces.count == 1, "expected one face, found \(faces.count)")
        return HeadPose(landmarks: faces[0].landmarks)
    }

    /// Portraits whose head is visibly turned (|yaw| well above the landmark noise).
    static let turned = ["faces/kit_harington/2.jpg", "faces/alex_lacamoire/1.png", "faces/obama/2.jpg",
                         "faces/biden/1.jpg", "faces/lin_manuel_miranda/1.png"]

    @Test("mirroring a turned face flips the sign of yaw and roll", arguments: turned)
    func mirroringFlipsYaw(path: String) throws {
        let image = try Fixtures.image(path)
        let original = try Self.pose(image)
        let mirrored = try Self.pose(image.mirrored())
        print("pose \(path): yaw \(original.yaw) -> \(mirrored.yaw), pitch \(original.pitch) -> \(mirrored.pitch)")
        #expect(abs(original.yaw) > 5)
        #expect(original.yaw.sign != mirrored.yaw.sign)
        #expect(abs(original.yaw + mirrored.yaw) < 4, "mirrored magnitude should be about the same")
        #expect(abs(original.pitch - mirrored.pitch) < 4, "pitch does not depend on mirroring")
        if abs(original.roll) > 2 { #expect(original.roll.sign != mirrored.roll.sign) }
    }

    @Test("a clearly turned head is classified, and its mirror image the other way")
    func classifierSwapsOnMirror() throws {
        let image = try Fixtures.image("faces/kit_harington/2.jpg")
        let classifier = HeadTurnClassifier()
        // He faces the image's left edge, i.e. has turned to his own right.
        #expect(classifier.classify(try Self.pose(image)) == .right)
        #expect(classifier.classify(try Self.pose(image.mirrored())) == .left)
        let selfie = HeadTurnClassifier(mirrored: true)
        #expect(selfie.classify(try Self.pose(image)) == .left)
    }

    @Test("frontal portraits are centre, with a near-zero pitch", arguments: ["faces/obama/1.jpg", "faces/obama/3-720p.jpg", "faces/rose_leslie/1.jpg"])
    func frontalIsCentre(path: String) throws {
        let pose = try Self.pose(try Fixtures.image(path))
        #expect(HeadTurnClassifier().classify(pose) == .centre)
        #expect(HeadTurnClassifier().classify(try Self.pose(try Fixtures.image(path).mirrored())) == .centre)
        #expect(abs(pose.pitch) < 15)
    }

    @Test("synthetic landmarks: the template face is frontal; moving the nose turns it",
          arguments: [(0, 0.0), (10, 1.0), (-10, -1.0)])
    func syntheticLandmarks(noseShift: Int, expectedSign: Double) throws {
        // dlib's 5-point alignment template (get_face_chip_details), scaled by 300 px.
        let template = [(0.8595674595992, 0.2134981538014), (0.6460604764104, 0.2289674387677),
                        (0.1205750620789, 0.2137274526848), (0.3340850613712, 0.2290642403242),
                        (0.4901123135679, 0.6277975316475)]
        var points = template.map { FacePoint(x: Int(($0.0 * 300).rounded()) + 50, y: Int(($0.1 * 300).rounded()) + 50) }
        points[4] = FacePoint(x: points[4].x + noseShift, y: points[4].y)
        let landmarks = try FaceLandmarks(points: points)
        let pose = HeadPose(landmarks: landmarks)
        if expectedSign == 0 {
            #expect(abs(pose.yaw) < 1 && abs(pose.pitch) < 2 && abs(pose.roll) < 1)
        } else {
            #expect(pose.yaw.sign == (expectedSign > 0 ? .plus : .minus))
            #expect(abs(pose.yaw) > 5)
        }
    }

    @Test("ambiguous yaw between the thresholds gives no decision")
    func ambiguousYaw() {
        let classifier = HeadTurnClassifier(turnThreshold: 20, centreThreshold: 10)
        #expect(classifier.classify(HeadPose(yaw: 15, pitch: 0, roll: 0)) == nil)
        #expect(classifier.classify(HeadPose(yaw: 25, pitch: 0, roll: 0)) == .left)
        #expect(classifier.classify(HeadPose(yaw: -25, pitch: 0, roll: 0)) == .right)
        #expect(classifier.classify(HeadPose(yaw: 5, pitch: 0, roll: 0)) == .centre)
    }
}
