import Foundation

/// A video engine: turns a validated `RenderSpec` into an MP4 at a given path. The embedded
/// generator is the built-in implementation; an external engine (a model server, a render
/// farm) can sit behind the same protocol. Implementations must write the output atomically
/// (never leave a partial file at `output`) and honour task cancellation.
public protocol VideoGenerator: Sendable {
    /// Stable engine identifier, recorded in provenance manifests.
    var id: String { get }
    /// Engine version; a change means the same spec may render differently.
    var version: String { get }

    /// Renders `spec` into an MP4 at `output` (replacing any file there), calling `progress`
    /// with non-decreasing fractions in 0…1 from an arbitrary thread. Throws `GenerationError`
    /// on failure and `CancellationError` when the task is cancelled.
    func render(_ spec: RenderSpec, to output: URL, progress: (@Sendable (Double) -> Void)?) async throws -> RenderResult
}

/// What a generator reports about a finished clip. The content hash is left to the caller
/// (which hashes the file it will sign); placements are the generator's own account and are
/// not evidence that the post-check relies on.
public struct RenderResult: Sendable, Equatable {
    /// Where the MP4 now is.
    public let output: URL
    /// Size of the MP4 in bytes.
    public let byteSize: Int64
    /// Frames encoded.
    public let frameCount: Int
    /// Frame width in pixels.
    public let width: Int
    /// Frame height in pixels.
    public let height: Int
    /// Frames per second.
    public let fps: Int
    /// Length of the picture track in seconds (`frameCount / fps`).
    public let duration: Double
    /// The seed the clip was rendered with.
    public let seed: UInt64
    /// Identifier of the engine that rendered it.
    public let generatorID: String
    /// Version of that engine.
    public let generatorVersion: String
    /// Each cameo's box at the first frame of every second and at the last frame.
    public let placements: [CameoPlacement]

    /// Assembles a result; generators call this after the output is in place.
    public init(output: URL, byteSize: Int64, frameCount: Int, width: Int, height: Int, fps: Int,
                duration: Double, seed: UInt64, generatorID: String, generatorVersion: String,
                placements: [CameoPlacement]) {
        self.output = output
        self.byteSize = byteSize
        self.frameCount = frameCount
        self.width = width
        self.height = height
        self.fps = fps
        self.duration = duration
        self.seed = seed
        self.generatorID = generatorID
        self.generatorVersion = generatorVersion
        self.placements = placements
    }
}
