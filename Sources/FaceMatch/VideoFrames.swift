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
        var frames: [VideoFrame] = []
        try sample(url, sampling: sampling) { frames.append($0) }
        return frames
    }

    /// Decodes the frames `sampling` selects and hands each one to `body` as soon as ffmpeg
    /// has produced it, in presentation order, on the calling thread — so analysis can run
    /// while the rest of the video is still being decoded (keep `body` short, e.g. hand the
    /// frame to workers; ffmpeg waits while it runs). If `body` throws, ffmpeg is stopped and
    /// the error rethrown.
    ///
    /// One decoding pass: the last frame's time comes from the packet list ffprobe reads with
    /// the stream information, and ffmpeg's select filter keeps the sampled frames plus that
    /// one. Only when the packets carry no times, or the decoder never delivers that frame
    /// (edit lists), a second pass seeks near the end for the last frame.
    public func sample(_ url: URL, sampling: VideoSampling, each body: (VideoFrame) throws -> Void) throws {
        guard (0.01...120).contains(sampling.framesPerSecond), sampling.maxFrames > 0,
              (sampling.maxDimension ?? 2) >= 2 else {
            throw FaceMatchError(.invalidArgument, "framesPerSecond must be 0.01...120, maxFrames > 0, maxDimension >= 2")
        }
        let (info, lastPacketTime) = try probe(url, packets: sampling.includeLastFrame)
        let (width, height) = Self.outputSize(info, maxDimension: sampling.maxDimension)
        let rate = String(sampling.framesPerSecond)
        // Keep a frame when it starts a new 1/fps bin (isnan() keeps the very first frame), up
        // to maxFrames of them; then, if known, the frame at the last packet time.
        var select = "lt(selected_n,\(sampling.maxFrames))*(isnan(prev_selected_t)+gt(floor(t*\(rate)),floor(prev_selected_t*\(rate))))"
        let lastLimit = lastPacketTime.map { $0 - Self.lastFrameTolerance }
        if let lastLimit { select += "+gte(t,\(String(format: "%.6f", lastLimit)))" }
        // showinfo prints times with 6 significant digits, so compare its (rounded) times
        // with a relative margin; ffmpeg's own comparison above is exact.
        let seenLimit = lastPacketTime.map { $0 - max(Self.lastFrameTolerance, abs($0) * 1e-5) }
        var delivered = 0
        var latest = -Double.infinity
        var sawLast = false
        try decode(url, input: [], filters: "select='\(select)'", width: width, height: height,
                   maxFrames: sampling.maxFrames + (lastLimit == nil ? 0 : 1)) { frame in
            delivered += 1
            latest = frame.timestamp
            if let seenLimit, frame.timestamp >= seenLimit { sawLast = true }
            try body(frame)
        }
        guard delivered > 0 else {
            throw FaceMatchError(.videoCorrupt, "\(url.lastPathComponent) has no decodable frames")
        }
        if sampling.includeLastFrame && !sawLast {
            // Seek near the end and keep the final frame decoded there.
            var tail: VideoFrame?
            try decode(url, input: ["-sseof", "-1.5"], filters: nil, width: width, height: height,
                       maxFrames: nil) { tail = $0 }
            if let tail, tail.timestamp > latest + 1e-6 { try body(tail) }
        }
    }

    /// Frames this close below the last packet time count as the last frame (ffprobe prints
    /// times with 6 decimals; real frame rates are far below 10 000 fps). If the decoder never
    /// delivers such a frame (edit lists, rounding), the second pass finds the last frame.
    static let lastFrameTolerance = 1e-4

    /// Output size for `info`, downscaled to fit `maxDimension` with even sides.
    static func outputSize(_ info: VideoInfo, maxDimension: Int?) -> (Int, Int) {
        guard let limit = maxDimension, max(info.width, info.height) > limit else { return (info.width, info.height) }
        let scale = Double(limit) / Double(max(info.width, info.height))
        func even(_ v: Double) -> Int { max(2, Int((v / 2).rounded()) * 2) }
        return (even(Double(info.width) * scale), even(Double(info.height) * scale))
    }

    /// Runs ffmpeg once and hands over each `width x height` RGB frame with its showinfo
    /// timestamp as soon as both have arrived.
    private func decode(_ url: URL, input: [String], filters: String?, width: Int, height: Int,
                        maxFrames: Int?, each body: (VideoFrame) throws -> Void) throws {
        let chain = [filters, "scale=\(width):\(height):flags=area", "showinfo"].compactMap { $0 }.joined(separator: ",")
        var args = ["-nostdin", "-hide_banner", "-nostats", "-loglevel", "info"] + input
        args += ["-copyts", "-i", url.path, "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", chain, "-fps_mode", "passthrough"]
        if let maxFrames { args += ["-frames:v", String(maxFrames)] }
        args += ["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
        let frameBytes = width * height * 3
        // showinfo logs a frame (stderr) before ffmpeg writes its pixels (stdout), so the
        // timestamp of frame n is on its way when frame n has been read.
        let timestamps = ShowinfoStream()
        var count = 0
        let result = try Subprocess.run(ffmpegPath, args, timeout: timeout, onStderr: { timestamps.feed($0) }) { handle in
            while true {
                let data = try Subprocess.read(handle, exactly: frameBytes)
                guard data.count == frameBytes else { break }
                guard let time = timestamps.wait(for: count) else {
                    throw FaceMatchError(.internalFailure, "ffmpeg produced frame \(count) without a timestamp")
                }
                count += 1
                try body(VideoFrame(timestamp: time, image: RGBImage(unchecked: width, height, [UInt8](data))))
            }
        }
        if result.timedOut { throw FaceMatchError(.videoTimeout, "ffmpeg timed out on \(url.lastPathComponent)") }
        guard result.status == 0 else {
            throw FaceMatchError(.videoCorrupt, "ffmpeg failed on \(url.lastPathComponent): \(result.stderrTail())")
        }
        let logged = Self.showinfoTimestamps(result.stderr).count
        guard logged == count else {
            throw FaceMatchError(.internalFailure, "ffmpeg produced \(count) frames but \(logged) timestamps")
        }
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

/// Timestamps parsed from ffmpeg's stderr while it runs; a reader can wait for the n-th.
private final class ShowinfoStream: @unchecked Sendable {
    private let condition = NSCondition()
    private var pending = Data()
    private var times: [Double] = []
    private var ended = false

    /// Takes the next chunk of stderr, or `nil` at its end.
    func feed(_ chunk: Data?) {
        condition.lock()
        defer {
            condition.broadcast()
            condition.unlock()
        }
        guard let chunk else {
            if !pending.isEmpty { times += VideoFrames.showinfoTimestamps(pending) }
            pending.removeAll()
            ended = true
            return
        }
        pending.append(chunk)
        // Parse complete lines only; keep the unfinished tail for the next chunk.
        if let lastNewline = pending.lastIndex(of: UInt8(ascii: "\n")) {
            let complete = pending[pending.startIndex...lastNewline]
            times += VideoFrames.showinfoTimestamps(Data(complete))
            pending = Data(pending[(lastNewline + 1)...])
        }
    }

    /// The `index`-th timestamp, waiting for it; `nil` if stderr ended without it.
    func wait(for index: Int) -> Double? {
        condition.lock()
        defer { condition.unlock() }
        while times.count <= index && !ended { condition.wait() }
        return index < times.count ? times[index] : nil
    }
}
