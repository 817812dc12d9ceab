import CameoCore
import Foundation

/// What to render: the prompt and seed that fully determine the scene, the output geometry and
/// length, the cameos to composite and container metadata. Validated on creation, so a
/// `RenderSpec` that exists can always be rendered.
public struct RenderSpec: Sendable, Equatable {
    /// Default frame width (vertical video).
    public static let defaultWidth = 720
    /// Default frame height (vertical video).
    public static let defaultHeight = 1280
    /// Default frame rate.
    public static let defaultFPS = 24
    /// Default clip length in seconds.
    public static let defaultDuration = 10.0
    /// Allowed width and height in pixels; both must also be even (yuv420p needs it).
    public static let sizeRange = 64...1920
    /// Allowed frame rates.
    public static let fpsRange = 1...60
    /// Longest clip in seconds.
    public static let maxDuration = 60.0
    /// Most cameos in one clip; each needs its own lane to stay detectable.
    public static let maxCameos = 4
    /// Longest prompt in UTF-8 bytes.
    public static let maxPromptBytes = 4000
    /// Longest metadata value in UTF-8 bytes (room for a signed manifest).
    public static let maxMetadataValueBytes = 64 * 1024

    /// The text the scene is derived from (palette, weather, motion, music).
    public let prompt: String
    /// Mixed with the prompt into the generator's random stream.
    public let seed: UInt64
    /// Frame width in pixels.
    public let width: Int
    /// Frame height in pixels.
    public let height: Int
    /// Frames per second.
    public let fps: Int
    /// Clip length in seconds.
    public let duration: Double
    /// The faces to composite, in lane order.
    public let cameos: [CameoAppearance]
    /// Container tags written into the MP4 (`comment`, `title`, or any `[A-Za-z0-9_]` key).
    public let metadata: [String: String]

    /// Validates every field; throws `GenerationError` with a stable code naming the first
    /// field that is out of range.
    public init(
        prompt: String, seed: UInt64,
        width: Int = RenderSpec.defaultWidth, height: Int = RenderSpec.defaultHeight,
        fps: Int = RenderSpec.defaultFPS, duration: Double = RenderSpec.defaultDuration,
        cameos: [CameoAppearance] = [], metadata: [String: String] = [:]
    ) throws {
        let trimmed = prompt.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw GenerationError.invalid(.invalidPrompt, "prompt is empty") }
        guard prompt.utf8.count <= Self.maxPromptBytes else {
            throw GenerationError.invalid(.invalidPrompt, "prompt has \(prompt.utf8.count) bytes, at most \(Self.maxPromptBytes) allowed")
        }
        guard !prompt.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw GenerationError.invalid(.invalidPrompt, "prompt contains a NUL character")
        }
        for (name, value) in [("width", width), ("height", height)] {
            guard Self.sizeRange.contains(value), value % 2 == 0 else {
                throw GenerationError.invalid(.invalidSize, "\(name) must be an even number in \(Self.sizeRange), got \(value)")
            }
        }
        guard Self.fpsRange.contains(fps) else {
            throw GenerationError.invalid(.invalidFrameRate, "fps must be in \(Self.fpsRange), got \(fps)")
        }
        guard duration.isFinite, duration > 0, duration <= Self.maxDuration,
              (duration * Double(fps)).rounded() >= 1 else {
            throw GenerationError.invalid(.invalidDuration, "duration must be in (0, \(Self.maxDuration)] s and last at least one frame, got \(duration)")
        }
        guard cameos.count <= Self.maxCameos else {
            throw GenerationError.invalid(.tooManyCameos, "\(cameos.count) cameos, at most \(Self.maxCameos) allowed")
        }
        var owners = Set<String>()
        for cameo in cameos where !owners.insert(cameo.ownerID).inserted {
            throw GenerationError.invalid(.invalidCameo, "cameo owner \(cameo.ownerID) appears twice")
        }
        for (key, value) in metadata {
            try Self.validateMetadata(key: key, value: value)
        }
        self.prompt = prompt
        self.seed = seed
        self.width = width
        self.height = height
        self.fps = fps
        self.duration = duration
        self.cameos = cameos
        self.metadata = metadata
    }

    /// Number of frames rendered: `duration × fps`, rounded to the nearest frame.
    public var frameCount: Int { Int((duration * Double(fps)).rounded()) }

    /// Keys are 1…64 characters of `[A-Za-z0-9_]` (ffmpeg's `-metadata` and MP4 `mdta` keys);
    /// values carry no NUL (they travel in argv) and stay under `maxMetadataValueBytes`.
    static func validateMetadata(key: String, value: String) throws {
        let keyOK = (1...64).contains(key.utf8.count) && key.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
        }
        guard keyOK else {
            throw GenerationError.invalid(.invalidMetadata, "metadata key \(key.prefix(40).debugDescription) must be 1-64 characters of [A-Za-z0-9_]")
        }
        guard value.utf8.count <= maxMetadataValueBytes, !value.utf8.contains(0) else {
            throw GenerationError.invalid(.invalidMetadata, "metadata value for \(key) must be at most \(maxMetadataValueBytes) bytes without NUL")
        }
    }
}
