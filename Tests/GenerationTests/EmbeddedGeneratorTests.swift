import CameoCore
import Foundation
import Generation
import Testing

/// Collects progress callbacks, which arrive on the generator's thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    func record(_ v: Double) { lock.lock(); values.append(v); lock.unlock() }
    var all: [Double] { lock.lock(); defer { lock.unlock() }; return values }
}

@Suite(.serialized) struct EmbeddedGeneratorTests {
    func spec(seed: UInt64 = 5, width: Int = 360, height: Int = 640, duration: Double = 2,
              metadata: [String: String] = [:]) throws -> RenderSpec {
        try RenderSpec(prompt: "balloons over a calm lake at sunset", seed: seed, width: width, height: height,
                       duration: duration, cameos: [try CameoAppearance(ownerID: "sub_alice", face: try syntheticFace())],
                       metadata: metadata)
    }

    @Test func aShortClipIsAnMP4WithTheRequestedStreamsSizeRateDurationAndMetadata() async throws {
        let dir = try TempDirectory()
        let output = dir.url.appendingPathComponent("clip.mp4")
        let s = try spec(metadata: ["comment": "cameoguard test clip", "cameoguard_request": "gen_123"])
        let log = ProgressLog()
        let result = try await EmbeddedGenerator().render(s, to: output) { log.record($0) }

        #expect(result.output == output && result.frameCount == 48 && result.duration == 2 && result.seed == 5)
        #expect(result.generatorID == "cameoguard-embedded" && result.generatorVersion == "1.0")
        let size = try FileManager.default.attributesOfItem(atPath: output.path)[.size] as? NSNumber
        #expect(result.byteSize == size?.int64Value && result.byteSize > 10_000)
        #expect(result.placements.map(\.frame) == [0, 24, 47])
        #expect(try dir.contents() == ["clip.mp4"])
        let progress = log.all
        #expect(progress.last == 1 && progress.count > 10 && zip(progress, progress.dropFirst()).allSatisfy { $0 <= $1 })

        let info = try probe(output)
        let streams = try #require(info["streams"] as? [[String: Any]])
        let video = streams.filter { $0["codec_type"] as? String == "video" }
        let audio = streams.filter { $0["codec_type"] as? String == "audio" }
        #expect(streams.count == 2 && video.count == 1 && audio.count == 1)
        #expect(video.first?["codec_name"] as? String == "h264" && video.first?["pix_fmt"] as? String == "yuv420p")
        #expect(video.first?["width"] as? Int == 360 && video.first?["height"] as? Int == 640)
        #expect(video.first?["r_frame_rate"] as? String == "24/1" && video.first?["nb_frames"] as? String == "48")
        #expect(audio.first?["codec_name"] as? String == "aac" && audio.first?["sample_rate"] as? String == "48000")
        let format = try #require(info["format"] as? [String: Any])
        let duration = try #require(Double(format["duration"] as? String ?? ""))
        #expect(abs(duration - 2) <= 0.1)
        let tags = format["tags"] as? [String: String]
        #expect(tags?["comment"] == "cameoguard test clip" && tags?["cameoguard_request"] == "gen_123")
    }

    @Test func theDecodedVideoShowsTheRenderedFramesInOrderWithTheFace() async throws {
        let dir = try TempDirectory()
        let output = dir.url.appendingPathComponent("clip.mp4")
        let s = try spec()
        _ = try await EmbeddedGenerator().render(s, to: output, progress: nil)
        let renderer = FrameRenderer(spec: s)
        let decoded = try decodeFrame(output, index: 30)
        #expect(decoded.count == renderer.frameByteCount)
        let same = psnr(decoded, renderer.frame(30))
        #expect(same > 30)
        #expect(same > psnr(decoded, renderer.frame(29)) + 2)
        #expect(same > psnr(decoded, renderer.frame(31)) + 2)
        let box = renderer.placements(atFrame: 30)[0].box
        let eye = pixel(decoded, width: 360, x: box.x + box.width * 35 / 100, y: box.y + box.height * 40 / 100)
        #expect(eye.allSatisfy { $0 < 60 }, "eye pixel \(eye)")
    }

    @Test func theSameSpecEncodesToTheSameBytes() async throws {
        let dir = try TempDirectory()
        let s = try spec(seed: 77, width: 128, height: 128, duration: 1)
        let a = dir.url.appendingPathComponent("a.mp4"), b = dir.url.appendingPathComponent("b.mp4")
        _ = try await EmbeddedGenerator().render(s, to: a, progress: nil)
        _ = try await EmbeddedGenerator().render(s, to: b, progress: nil)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let c = dir.url.appendingPathComponent("c.mp4")
        _ = try await EmbeddedGenerator().render(try spec(seed: 78, width: 128, height: 128, duration: 1), to: c, progress: nil)
        #expect(try Data(contentsOf: a) != Data(contentsOf: c))
    }

    @Test func aMissingOutputDirectoryFailsWithFfmpegsOwnMessage() async throws {
        let scratch = try TempDirectory()
        let generator = EmbeddedGenerator(configuration: .init(scratchDirectory: scratch.url))
        let output = scratch.url.appendingPathComponent("no/such/dir/clip.mp4")
        let error = await #expect(throws: GenerationError.self) {
            try await generator.render(try spec(duration: 1), to: output, progress: nil)
        }
        #expect(error?.code == "generator_encode_failed" && error?.kind == .internalFailure)
        #expect(error?.message.contains("ffmpeg exited with status") == true)
        #expect(error?.message.contains("No such file or directory") == true, "\(error?.message ?? "")")
        #expect(try scratch.contents().isEmpty)  // the scratch audio is gone too
    }

    @Test func aMissingFfmpegBinaryIsGeneratorUnavailable() async throws {
        let dir = try TempDirectory()
        let generator = EmbeddedGenerator(configuration: .init(ffmpeg: URL(fileURLWithPath: "/nonexistent/ffmpeg"), scratchDirectory: dir.url))
        let error = await #expect(throws: GenerationError.self) {
            try await generator.render(try spec(duration: 1), to: dir.url.appendingPathComponent("clip.mp4"), progress: nil)
        }
        #expect(error?.code == "generator_unavailable" && error?.kind == .unavailable)
        #expect(try dir.contents().isEmpty)
    }

    @Test func anEncoderThatRejectsItsSettingsLeavesNoFileBehind() async throws {
        let dir = try TempDirectory()
        let output = dir.url.appendingPathComponent("clip.mp4")
        try Data("previous clip".utf8).write(to: output)
        let generator = EmbeddedGenerator(configuration: .init(preset: "no-such-preset", scratchDirectory: dir.url))
        let error = await #expect(throws: GenerationError.self) {
            try await generator.render(try spec(duration: 1), to: output, progress: nil)
        }
        #expect(error?.code == "generator_encode_failed")
        #expect(error?.message.contains("preset") == true, "\(error?.message ?? "")")
        #expect(try dir.contents() == ["clip.mp4"])
        #expect(try Data(contentsOf: output) == Data("previous clip".utf8))  // untouched on failure
    }

    @Test func aSuccessfulRenderReplacesAnExistingFile() async throws {
        let dir = try TempDirectory()
        let output = dir.url.appendingPathComponent("clip.mp4")
        try Data("stale".utf8).write(to: output)
        _ = try await EmbeddedGenerator().render(try spec(width: 128, height: 128, duration: 1), to: output, progress: nil)
        #expect(try probe(output)["streams"] as? [[String: Any]] != nil)
        #expect(try dir.contents() == ["clip.mp4"])
    }

    @Test func cancellingARenderStopsFfmpegAndLeavesNoFile() async throws {
        let dir = try TempDirectory()
        let output = dir.url.appendingPathComponent("long.mp4")
        let log = ProgressLog()
        let longSpec = try spec(width: 720, height: 1280, duration: 60)
        let task = Task { try await EmbeddedGenerator(configuration: .init(scratchDirectory: dir.url)).render(longSpec, to: output) { log.record($0) } }
        let deadline = ContinuousClock.now + .seconds(60)
        while log.all.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!log.all.isEmpty)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(log.all.last! < 0.5)
        #expect(try dir.contents().isEmpty)
    }

    @Test func twoConcurrentRendersBothFinish() async throws {
        let dir = try TempDirectory()
        let generator = EmbeddedGenerator()
        async let a = generator.render(try spec(seed: 1, width: 128, height: 128, duration: 1), to: dir.url.appendingPathComponent("a.mp4"), progress: nil)
        async let b = generator.render(try spec(seed: 2, width: 128, height: 128, duration: 1), to: dir.url.appendingPathComponent("b.mp4"), progress: nil)
        let (ra, rb) = try await (a, b)
        #expect(ra.frameCount == 24 && rb.frameCount == 24)
        #expect(try dir.contents() == ["a.mp4", "b.mp4"])
    }
}
