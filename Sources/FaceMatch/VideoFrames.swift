import Foundation

/// One decoded video frame and its presentation time.
public struct VideoFrame: Sendable {
    /// Presentation time in seconds, in the file's time base (see ``VideoInfo/startTime``).
    public let timestamp: Double
    /// The frame's pixels.
    public let image: RGBImage
}

/// Which frames to extract from a video.
public struct VideoSampling: Sendable, Hashable {
    /// Frames per second to sample: the first frame of every `1 / framesPerSecond` interval.
    public var framesPerSecond: Double
    /// Whether to append the video's last frame when it was not sampled already.
    public var includeLastFrame: Bool
    /// When set, frames are downscaled so that their longer side is at most this many pixels.
    public var maxDimension: Int?
    /// Upper bound on sampled frames (the last frame comes on top); bounds memory use.
    public var maxFrames: Int

    /// Creates a sampling plan; `framesPerSecond` must be in 0.01...120 and `maxFrames` > 0.
    public init(framesPerSecond: Double = 1, includeLastFrame: Bool = true,
                maxDimension: Int? = nil, maxFrames: Int = 300) {
        self.framesPerSecond = framesPerSecond
        self.includeLastFrame = includeLastFrame
        self.maxDimension = maxDimension
        self.maxFrames = maxFrames
    }
}

/// Decodes frames of a video file by running `ffmpeg` as a subprocess that writes raw RGB.
///
/// The first frame is always included, then one frame per sampling interval, then the last
/// frame. Corrupt or unreadable videos raise `video_corrupt`.
public struct VideoFrames: Sendable {
    /// Path of the `ffmpeg` executable.
    public let ffmpegPath: String
    /// Path of the `ffprobe` executable.
    public let ffprobePath: String
    /// Seconds one ffmpeg/ffprobe run may take before it is killed.
    public let timeout: Double

    /// Uses the given executables.
    public init(ffmpegPath: String, ffprobePath: String, timeout: Double = 300) {
        self.ffmpegPath = ffmpegPath
        self.ffprobePath = ffprobePath
        self.timeout = timeout
    }

    /// Finds `ffmpeg` and `ffprobe` in `searchPath` (a `PATH`-style list) or the system
    /// directories; throws `ffmpeg_missing` if either is absent.
    public init(searchPath: String? = nil, timeout: Double = 300) throws {
        guard let ffmpeg = Subprocess.locate("ffmpeg", path: searchPath),
              let ffprobe = Subprocess.locate("ffprobe", path: searchPath) else {
            throw FaceMatchError(.ffmpegMissing, "ffmpeg and ffprobe must be installed (apt-get install ffmpeg)")
        }
        self.init(ffmpegPath: ffmpeg, ffprobePath: ffprobe, timeout: timeout)
    }

    /// Decodes the frames `sampling` selects, in presentation order.
    public func sample(_ url: URL, sampling: VideoSampling = VideoSampling()) throws -> [VideoFrame] {
        guard (0.01...120).contains(sampling.framesPerSecond), sampling.maxFrames > 0,
              (sampling.maxDimension ?? 2) >= 2 else {
            throw FaceMatchError(.invalidArgument, "framesPerSecond must be 0.01...120, maxFrames > 0, maxDimension >= 2")
        }
        let info = try probe(url)
        let (width, height) = Self.outputSize(info, maxDimension: sampling.maxDimension)
        let rate = String(sampling.framesPerSecond)
        // Keep a frame when it starts a new 1/fps bin; isnan() keeps the very first frame.
        let select = "select='isnan(prev_selected_t)+gt(floor(t*\(rate)),floor(prev_selected_t*\(rate)))'"
        var frames = try decode(url, input: [], filters: select, width: width, height: height,
                                maxFrames: sampling.maxFrames, keepLastOnly: false)
        guard !frames.isEmpty else {
            throw FaceMatchError(.videoCorrupt, "\(url.lastPathComponent) has no decodable frames")
        }
        if sampling.includeLastFrame {
            // Seek near the end and keep the final frame decoded there.
            let tail = try decode(url, input: ["-sseof", "-1.5"], filters: nil, width: width, height: height,
                                  maxFrames: nil, keepLastOnly: true)
            if let last = tail.last, last.timestamp > frames[frames.count - 1].timestamp + 1e-6 {
                frames.append(last)
            }
        }
        return frames
    }

    /// Output size for `info`, downscaled to fit `maxDimension` with even sides.
    static func outputSize(_ info: VideoInfo, maxDimension: Int?) -> (Int, Int) {
        guard let limit = maxDimension, max(info.width, info.height) > limit else { return (info.width, info.height) }
        let scale = Double(limit) / Double(max(info.width, info.height))
        func even(_ v: Double) -> Int { max(2, Int((v / 2).rounded()) * 2) }
        return (even(Double(info.width) * scale), even(Double(info.height) * scale))
    }

    /// Runs ffmpeg once, reading `width x height` RGB frames and their showinfo timestamps.
    private func decode(_ url: URL, input: [String], filters: String?, width: Int, height: Int,
                        maxFrames: Int?, keepLastOnly: Bool) throws -> [VideoFrame] {
        let chain = [filters, "scale=\(width):\(height):flags=area", "showinfo"].compactMap { $0 }.joined(separator: ",")
        var args = ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"] + input
        args += ["-copyts", "-i", url.path, "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", chain, "-fps_mode", "passthrough"]
        if let maxFrames { args += ["-frames:v", String(maxFrames)] }
        args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
        let frameBytes = width * height * 3
        var images: [RGBImage] = []
        let result = try Subprocess.run(ffmpegPath, args, timeout: timeout) { handle in
            while true {
                let data = try Subprocess.read(handle, exactly: frameBytes)
                guard data.count == frameBytes else { break }
                if keepLastOnly { images.removeAll(keepingCapacity: true) }
                images.append(RGBImage(unchecked: width, height, [UInt8](data)))
            }
        }
        if result.timedOut { throw FaceMatchError(.videoTimeout, "ffmpeg timed out on \(url.lastPathComponent)") }
        guard result.status == 0 else {
            throw FaceMatchError(.videoCorrupt, "ffmpeg failed on \(url.lastPathComponent): \(result.stderrTail())")
        }
        var times = Self.showinfoTimestamps(result.stderr)
        if keepLastOnly, let last = times.last { times = [last] }
        guard times.count == images.count else {
            throw FaceMatchError(.internalFailure, "ffmpeg produced \(images.count) frames but \(times.count) timestamps")
        }
        return zip(times, images).map { VideoFrame(timestamp: $0, image: $1) }
    }

    /// Extracts `pts_time:` values from ffmpeg's showinfo log lines.
    static func showinfoTimestamps(_ log: Data) -> [Double] {
        String(decoding: log, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard line.contains("Parsed_showinfo"), line.contains(" n:"),
                  let range = line.range(of: "pts_time:") else { return nil }
            let value = line[range.upperBound...].prefix { !$0.isWhitespace }
            return Double(value)
        }
    }
}
