import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CameoGuard's built-in engine: a procedurally drawn scene derived from the prompt and seed,
/// each cameo's face composited onto it moving and scaling, a synthesized soundtrack, encoded
/// by `ffmpeg` (libx264 + AAC, MP4 with faststart). Same spec, same frames and samples; with
/// the same ffmpeg build, the same file bytes.
///
/// Rendering and encoding run on a dedicated thread (not the cooperative pool). The first
/// render makes the process ignore SIGPIPE so a dying encoder surfaces as an error.
public struct EmbeddedGenerator: VideoGenerator {
    /// The engine identifier recorded in manifests.
    public static let generatorID = "cameoguard-embedded"
    /// The engine version; bump it whenever the same spec would render differently.
    public static let generatorVersion = "1.0"
    /// Suffix of in-progress files in the output directory; leftovers after a crash carry it
    /// and may be deleted at startup. The final path never holds a partial file.
    public static let partialSuffix = ".partial"

    /// Encoder settings and where scratch files go.
    public struct Configuration: Sendable, Equatable {
        /// The ffmpeg binary (Debian's package installs it at /usr/bin/ffmpeg).
        public var ffmpeg: URL
        /// x264 constant rate factor (lower is better quality, larger files).
        public var crf: Int
        /// x264 preset name.
        public var preset: String
        /// Encoder threads; 0 lets ffmpeg choose.
        public var threads: Int
        /// AAC bitrate in kbit/s.
        public var audioBitrateKbps: Int
        /// Where the raw audio track is written before encoding.
        public var scratchDirectory: URL

        /// Defaults: /usr/bin/ffmpeg, crf 20, preset veryfast, automatic threads, 128 kbit/s,
        /// the system temporary directory.
        public init(ffmpeg: URL = URL(fileURLWithPath: "/usr/bin/ffmpeg"), crf: Int = 20,
                    preset: String = "veryfast", threads: Int = 0, audioBitrateKbps: Int = 128,
                    scratchDirectory: URL = FileManager.default.temporaryDirectory) {
            self.ffmpeg = ffmpeg
            self.crf = min(51, max(0, crf))
            self.preset = preset
            self.threads = max(0, threads)
            self.audioBitrateKbps = min(512, max(32, audioBitrateKbps))
            self.scratchDirectory = scratchDirectory
        }
    }

    /// `cameoguard-embedded`.
    public var id: String { Self.generatorID }
    /// `1.0`.
    public var version: String { Self.generatorVersion }
    /// The settings this generator encodes with.
    public let configuration: Configuration

    /// A generator with `configuration` (defaults suit Debian with the ffmpeg package).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Renders `spec` to `output`: audio to a scratch file, frames piped to ffmpeg writing a
    /// hidden `.partial` file next to `output`, which is synced and renamed over `output`
    /// only on success. Errors: `generator_unavailable` (no ffmpeg), `generator_encode_failed`
    /// (ffmpeg failed, with its stderr tail), `generator_output_failed` (file operations).
    public func render(_ spec: RenderSpec, to output: URL,
                       progress: (@Sendable (Double) -> Void)?) async throws -> RenderResult {
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RenderResult, Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try renderBlocking(spec, to: output, cancel: flag, progress: progress) })
                }
                thread.name = "embedded-generator"
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
    }

    private func renderBlocking(_ spec: RenderSpec, to output: URL, cancel: CancellationFlag,
                                progress: (@Sendable (Double) -> Void)?) throws -> RenderResult {
        if cancel.isCancelled { throw CancellationError() }
        let renderer = FrameRenderer(spec: spec)
        let token = UUID().uuidString.lowercased()
        let audio = configuration.scratchDirectory.appendingPathComponent("cameoguard-audio-\(token).s16le")
        let directory = output.deletingLastPathComponent()
        let partial = directory.appendingPathComponent(".\(output.lastPathComponent).\(token)\(Self.partialSuffix)")
        defer { try? FileManager.default.removeItem(at: audio) }

        do {
            try Data(AudioSynthesizer(spec: spec).pcmBytes()).write(to: audio)
        } catch {
            throw GenerationError.outputFailed("cannot write scratch audio to \(audio.path): \(error)")
        }
        do {
            try FFmpegEncoder(configuration: configuration)
                .encode(renderer: renderer, audio: audio, output: partial, cancel: cancel, progress: progress)
            ProcessPlumbing.sync(partial)
            guard rename(partial.path, output.path) == 0 else {
                throw GenerationError.outputFailed(
                    "cannot move \(partial.lastPathComponent) to \(output.path): \(ProcessPlumbing.describe(errno: errno))")
            }
            ProcessPlumbing.sync(directory)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }

        let attributes = try? FileManager.default.attributesOfItem(atPath: output.path)
        guard let size = (attributes?[.size] as? NSNumber)?.int64Value else {
            throw GenerationError.outputFailed("cannot read the size of \(output.path)")
        }
        progress?(1)
        return RenderResult(
            output: output, byteSize: size, frameCount: renderer.frameCount,
            width: spec.width, height: spec.height, fps: spec.fps,
            duration: Double(renderer.frameCount) / Double(spec.fps), seed: spec.seed,
            generatorID: id, generatorVersion: version, placements: renderer.placementsPerSecond())
    }
}
