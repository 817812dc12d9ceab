import CameoCore

/// An RGB image of a face, 8 bits per channel, rows top to bottom, no padding. The generator
/// expects an aligned, upright chip (the 150×150 chip the face matcher produces works well).
public struct RGBFace: Sendable, Equatable {
    /// Allowed width and height in pixels.
    public static let sizeRange = 16...1024

    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width × height × 3` bytes: R, G, B for each pixel, row by row.
    public let pixels: [UInt8]

    /// Validates that `pixels` holds exactly `width × height` RGB triples and that both
    /// dimensions are in `sizeRange`; throws `generator_invalid_face` otherwise.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard Self.sizeRange.contains(width), Self.sizeRange.contains(height) else {
            throw GenerationError.invalid(.invalidFace, "face must be \(Self.sizeRange) pixels on each side, got \(width)x\(height)")
        }
        guard pixels.count == width * height * 3 else {
            throw GenerationError.invalid(.invalidFace, "face \(width)x\(height) needs \(width * height * 3) RGB bytes, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Height divided by width; the composited box keeps this aspect.
    public var aspect: Double { Double(height) / Double(width) }
}

/// One person's appearance in a clip: whose face it is, the face itself and the owner's
/// free-text preferences (recorded by the pipeline; the embedded generator reads a few
/// keywords from them, see `MotionStyle`).
public struct CameoAppearance: Sendable, Equatable {
    /// Longest preferences text in UTF-8 bytes.
    public static let maxPreferencesBytes = 2000

    /// The owner's subject id (same syntax as `SubjectID`).
    public let ownerID: String
    /// The face composited into the clip.
    public let face: RGBFace
    /// The owner's free-text wishes for how they appear.
    public let preferences: String

    /// Validates the owner id (`SubjectID` syntax) and the preferences length; throws
    /// `generator_invalid_cameo` otherwise.
    public init(ownerID: String, face: RGBFace, preferences: String = "") throws {
        guard SubjectID.isValid(ownerID) else {
            throw GenerationError.invalid(.invalidCameo, "cameo owner id \(ownerID.prefix(40).debugDescription) must be 1-128 characters of [A-Za-z0-9_.:-]")
        }
        guard preferences.utf8.count <= Self.maxPreferencesBytes else {
            throw GenerationError.invalid(.invalidCameo, "preferences of \(ownerID) exceed \(Self.maxPreferencesBytes) bytes")
        }
        self.ownerID = ownerID
        self.face = face
        self.preferences = preferences
    }

    /// The motion and size the embedded generator derives from `preferences`.
    public var motionStyle: MotionStyle { MotionStyle(preferences: preferences) }
}

/// How a cameo moves, read from keywords in the owner's preferences. Without keywords the
/// face scales over the whole 25–45 % band of the frame width at normal speed.
public struct MotionStyle: Sendable, Equatable {
    /// Smallest face width as a fraction of the frame width.
    public let minScale: Double
    /// Largest face width as a fraction of the frame width.
    public let maxScale: Double
    /// Multiplier on the path's angular speed.
    public let speed: Double

    /// Reads `small`/`subtle`/`background` (25–33 %), `large`/`big`/`close` (37–45 %),
    /// `calm`/`slow`/`still` (half speed) and `energetic`/`fast`/`dynamic` (1.6×).
    public init(preferences: String) {
        let words = Set(PromptWords.split(preferences))
        if !words.isDisjoint(with: ["small", "subtle", "background"]) {
            (minScale, maxScale) = (0.25, 0.33)
        } else if !words.isDisjoint(with: ["large", "big", "close", "closeup"]) {
            (minScale, maxScale) = (0.37, 0.45)
        } else {
            (minScale, maxScale) = (0.25, 0.45)
        }
        if !words.isDisjoint(with: ["calm", "slow", "still", "gentle"]) {
            speed = 0.5
        } else if !words.isDisjoint(with: ["energetic", "fast", "dynamic", "lively"]) {
            speed = 1.6
        } else {
            speed = 1.0
        }
    }
}
