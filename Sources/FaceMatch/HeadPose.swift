import Foundation

/// A coarse head orientation estimated from the five landmarks, in degrees.
///
/// The estimate uses where the base of the nose sits between the outer eye corners: turning
/// the head moves the (protruding) nose toward one side while the eye corners stay put. It is
/// good enough to tell "turned left / facing / turned right" for a liveness challenge, not to
/// measure angles precisely.
public struct HeadPose: Sendable, Hashable {
    /// Rotation about the vertical axis. Positive when the face points toward the image's
    /// right edge (the nose lies right of the midpoint between the eyes); mirroring the image
    /// flips the sign.
    public let yaw: Double
    /// Rotation about the horizontal axis. Positive when the chin is raised. Coarse: it
    /// assumes a typical nose depth and saturates for a strongly lowered chin.
    public let pitch: Double
    /// In-plane rotation of the eye line; positive when the image-right eye is lower.
    public let roll: Double

    /// Creates a pose from angles in degrees.
    public init(yaw: Double, pitch: Double, roll: Double) {
        self.yaw = yaw
        self.pitch = pitch
        self.roll = roll
    }

    // Face proportions, relative to the outer-eye-corner distance. The drop of the nose base
    // below the eye line is that of dlib's frontal 5-point alignment template (see
    // get_face_chip_details: corners at x 0.1206 / 0.8596, y 0.2136; nose at 0.4901, 0.6278);
    // the depth of the nose base in front of the eye corners is a typical anthropometric value.
    private static let noseDrop = 0.5605
    private static let noseDepth = 0.35

    /// Estimates the pose of a face from its 5-point landmarks.
    public init(landmarks: FaceLandmarks) {
        let left = Self.vector(landmarks.imageLeftEyeOuter)
        let right = Self.vector(landmarks.imageRightEyeOuter)
        let nose = Self.vector(landmarks.noseBase)
        let axis = (x: right.x - left.x, y: right.y - left.y)
        let eyeDistance = max((axis.x * axis.x + axis.y * axis.y).squareRoot(), 1e-9)
        let unit = (x: axis.x / eyeDistance, y: axis.y / eyeDistance)
        let rel = (x: nose.x - left.x, y: nose.y - left.y)
        // Position of the nose along the eye line (0 = left corner, 1 = right corner) and its
        // distance below that line, both in units of the eye distance.
        let along = (rel.x * unit.x + rel.y * unit.y) / eyeDistance
        let below = (rel.y * unit.x - rel.x * unit.y) / eyeDistance
        // Yaw moves the nose sideways by depth*sin while the eye distance shrinks by cos.
        let yaw = atan((along - 0.5) / Self.noseDepth)
        // drop*cos(p) - depth*sin(p) = below  =>  p = acos(below / r) - atan2(depth, drop)
        let radius = (Self.noseDrop * Self.noseDrop + Self.noseDepth * Self.noseDepth).squareRoot()
        let ratio = min(max(below / radius, -1), 1)
        let pitch = acos(ratio) - atan2(Self.noseDepth, Self.noseDrop)
        self.init(yaw: yaw * 180 / .pi, pitch: pitch * 180 / .pi, roll: atan2(axis.y, axis.x) * 180 / .pi)
    }

    private static func vector(_ p: FacePoint) -> (x: Double, y: Double) { (Double(p.x), Double(p.y)) }
}

/// The direction a person's head is turned, from their own point of view.
public enum HeadTurn: String, Sendable, Hashable, Codable {
    /// Turned to the person's left.
    case left
    /// Facing the camera.
    case centre
    /// Turned to the person's right.
    case right
}

/// Turns a ``HeadPose`` into a ``HeadTurn`` for liveness challenges ("turn your head left").
public struct HeadTurnClassifier: Sendable, Hashable {
    /// Minimum |yaw| in degrees that counts as turned.
    public let turnThreshold: Double
    /// Maximum |yaw| in degrees that still counts as facing the camera.
    public let centreThreshold: Double
    /// Set when frames come from a mirrored selfie preview rather than the camera sensor.
    public let mirrored: Bool

    /// Creates a classifier; poses between the two thresholds are ambiguous and yield `nil`.
    public init(turnThreshold: Double = 20, centreThreshold: Double = 10, mirrored: Bool = false) {
        precondition(centreThreshold >= 0 && turnThreshold >= centreThreshold, "need 0 <= centre <= turn threshold")
        self.turnThreshold = turnThreshold
        self.centreThreshold = centreThreshold
        self.mirrored = mirrored
    }

    /// The head turn shown by `pose`, or `nil` when the yaw is between the thresholds.
    ///
    /// In an unmirrored camera image a person turning to their own left shows their face
    /// pointing toward the image's right edge, i.e. positive yaw.
    public func classify(_ pose: HeadPose) -> HeadTurn? {
        let yaw = mirrored ? -pose.yaw : pose.yaw
        if abs(yaw) <= centreThreshold { return .centre }
        if yaw >= turnThreshold { return .left }
        if yaw <= -turnThreshold { return .right }
        return nil
    }
}
