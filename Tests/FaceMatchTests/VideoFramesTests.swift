import Foundation
import Testing
@testable import FaceMatch

/// ffmpeg-driven frame sampling on the real Hamilton clip, and typed errors for bad videos.
@Suite("Video frames")
struct VideoFramesTests {
    static let clip = Fixtures.url("video/short_hamilton_clip.mp4")

    /// A fresh temporary directory for files a test writes.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("facematch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("probe reports the clip's size, duration and frame rate")
    func probeClip() throws {
        let info = try VideoFrames().probe(Self.clip)
        #expect(info.width == 640 && info.height == 360)
        #expect(abs(info.duration - 9.1758) < 0.01)
        #expect(abs((info.frameRate ?? 0) - 29.97) < 0.01)
        #expect(info.rotation == 0)
    }

    @Test("sampling at 2 fps yields the first frame, one per half second and the last frame")
    func samplingTimestamps() throws {
        let video = try VideoFrames()
        let info = try video.probe(Self.clip)
        let frames = try video.sample(Self.clip, sampling: VideoSampling(framesPerSecond: 2, maxDimension: 320))
        let times = frames.map(\.timestamp)
        #expect(frames.allSatisfy { $0.image.width == 320 && $0.image.height == 180 })
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "timestamps must increase")
        #expect(abs(times[0] - info.startTime) < 0.001, "first frame is the video's first")
        let end = info.startTime + info.duration
        #expect(abs(times[times.count - 1] - (end - 1 / 29.97)) < 0.05, "last frame is the video's last")
        // One frame per half-second bin between the first and the last frame.
        let interior = times.dropFirst().dropLast()
        #expect(interior.allSatisfy { abs($0 * 2 - ($0 * 2).rounded()) < 0.1 })
        // Every half-second bin from the first to the last frame holds exactly one sample.
        let bins = times.dropLast().map { Int(floor($0 * 2)) }
        #expect(bins == Array(bins[0]...Int(floor(times[times.count - 1] * 2))))
        // Frames differ from one another: real decoding, not a repeated buffer.
        #expect(frames[0].image != frames[frames.count / 2].image)
    }

    @Test("sampled frames of the clip contain faces that match the Lin-Manuel Miranda portrait")
    func clipFramesHaveFaces() throws {
        let engine = try Fixtures.sharedEngine()
        let frames = try VideoFrames().sample(Self.clip, sampling: VideoSampling(framesPerSecond: 1))
        let portrait = try #require(try engine.detectFaces(in: Fixtures.image("faces/lin_manuel_miranda/1.png")).first)
        var framesWithFaces = 0
        var best: Float = .infinity
        for frame in frames {
            let faces = try engine.detectFaces(in: frame.image)
            if !faces.isEmpty { framesWithFaces += 1 }
            for face in faces { best = min(best, face.descriptor.distance(to: portrait.descriptor)) }
        }
        print("video: \(framesWithFaces)/\(frames.count) frames with faces; best distance to portrait \(best)")
        #expect(framesWithFaces * 2 >= frames.count, "most sampled frames show a face")
        #expect(best < FaceDescriptor.defaultThreshold)
    }

    /// Runs ffmpeg to make a test video (the same binary VideoFrames uses).
    static func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try VideoFrames().ffmpegPath)
        process.arguments = ["-nostdin", "-v", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ffmpeg \(arguments)")
    }

    @Test("rotation metadata swaps the frame size; a clip shorter than a second still has a last frame")
    func rotatedAndShortVideos() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = dir.appendingPathComponent("plain.mp4").path
        let rotated = dir.appendingPathComponent("rotated.mp4")
        try Self.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-t", "0.4", "-pix_fmt", "yuv420p", plain])
        try Self.ffmpeg(["-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated.path])
        let video = try VideoFrames()
        let info = try video.probe(rotated)
        #expect(info.rotation == 90 && info.width == 48 && info.height == 64)
        let frames = try video.sample(rotated, sampling: VideoSampling(framesPerSecond: 1))
        #expect(frames.map(\.timestamp) == [0, 0.36])
        #expect(frames.allSatisfy { $0.image.width == 48 && $0.image.height == 64 })
    }

    @Test("a pool of engines gives the same faces as one engine, frame by frame")
    func poolMatchesSingleEngine() throws {
        let engine = try Fixtures.sharedEngine()
        let frames = try VideoFrames().sample(Self.clip, sampling: VideoSampling(framesPerSecond: 1)).map(\.image)
        let pool = try FaceEnginePool(modelsDirectory: Fixtures.modelsDirectory, count: 2)
        let parallel = try pool.detectFaces(inEach: frames)
        let serial = try frames.map { try engine.detectFaces(in: $0) }
        #expect(parallel == serial)
        #expect(try pool.detectFaces(in: frames[4]) == serial[4])
    }

    @Test("streamed frames equal sampled frames; the pool analyses a stream like a batch")
    func streaming() throws {
        let video = try VideoFrames()
        let plan = VideoSampling(framesPerSecond: 2, maxDimension: 320)
        let sampled = try video.sample(Self.clip, sampling: plan)
        var streamed: [VideoFrame] = []
        try video.sample(Self.clip, sampling: plan) { streamed.append($0) }
        #expect(streamed.map(\.timestamp) == sampled.map(\.timestamp))
        #expect(streamed.map(\.image) == sampled.map(\.image))

        let pool = try FaceEnginePool(modelsDirectory: Fixtures.modelsDirectory, count: 2)
        let options = DetectionOptions(upsample: 0)
        let piped = try pool.detectFaces(streaming: { submit in
            try video.sample(Self.clip, sampling: plan) { submit($0.image) }
        }, options: options)
        #expect(piped == (try pool.detectFaces(inEach: sampled.map(\.image), options: options)))

        // An error from the producer stops the stream and is rethrown as is.
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try pool.detectFaces(streaming: { submit in
                try video.sample(Self.clip, sampling: plan) { frame in
                    submit(frame.image)
                    if frame.timestamp > 3 { throw Stop() }
                }
            })
        }
    }

    @Test("one decoding pass finds the last frame of a single-GOP clip; maxFrames caps the samples")
    func lastFrameSinglePass() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 3.2 s at 25 fps with one keyframe: the last frame is at 3.16 s.
        let clip = dir.appendingPathComponent("gop.mp4")
        try Self.ffmpeg(["-f", "lavfi", "-i", "testsrc=size=96x64:rate=25", "-t", "3.2", "-g", "1000",
                         "-pix_fmt", "yuv420p", clip.path])
        let video = try VideoFrames()
        let frames = try video.sample(clip, sampling: VideoSampling(framesPerSecond: 1))
        #expect(frames.map(\.timestamp) == [0, 1, 2, 3, 3.16])
        let capped = try video.sample(clip, sampling: VideoSampling(framesPerSecond: 2, maxFrames: 3))
        #expect(capped.map(\.timestamp) == [0, 0.52, 1, 3.16])  // 25 fps: 0.48, 0.52, ...; 0.52 opens the 0.5 s bin
        let noLast = try video.sample(clip, sampling: VideoSampling(framesPerSecond: 1, includeLastFrame: false))
        #expect(noLast.map(\.timestamp) == [0, 1, 2, 3])
        #expect(VideoFrames.lastPacketTime(Data(#"{"packets":[{"pts_time":"0.5"},{"pts_time":"N/A"},{"pts_time":"2.25"}]}"#.utf8)) == 2.25)
        #expect(VideoFrames.lastPacketTime(Data(#"{"packets":[{"pts_time":"N/A"}]}"#.utf8)) == nil)
    }

    @Test("missing, truncated and random files give typed errors")
    func badVideos() throws {
        let video = try VideoFrames()
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Data(contentsOf: Self.clip)
        let truncated = dir.appendingPathComponent("truncated.mp4")
        try data.prefix(data.count / 2).write(to: truncated)
        var rng = SplitMix64(seed: 3)
        let random = dir.appendingPathComponent("random.mp4")
        try Data((0..<50_000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }).write(to: random)
        let empty = dir.appendingPathComponent("empty.mp4")
        try Data().write(to: empty)
        let cases: [(URL, FaceMatchError.Code)] = [
            (dir.appendingPathComponent("absent.mp4"), .videoNotFound),
            (truncated, .videoCorrupt), (random, .videoCorrupt), (empty, .videoCorrupt),
        ]
        for (url, code) in cases {
            let error = #expect(throws: FaceMatchError.self) { try video.sample(url) }
            #expect(error?.errorCode == code, "\(url.lastPathComponent)")
        }
    }

    @Test("missing ffmpeg and bad sampling parameters give typed errors")
    func configurationErrors() throws {
        let absent = VideoFrames(ffmpegPath: "/nonexistent/ffmpeg", ffprobePath: "/nonexistent/ffprobe")
        let missing = #expect(throws: FaceMatchError.self) { try absent.probe(Self.clip) }
        #expect(missing?.errorCode == .ffmpegMissing)
        let bad = #expect(throws: FaceMatchError.self) {
            try VideoFrames().sample(Self.clip, sampling: VideoSampling(framesPerSecond: 0))
        }
        #expect(bad?.errorCode == .invalidArgument)
    }
}
