import Foundation

/// What `ffprobe` reports about a video's first video stream.
public struct VideoInfo: Sendable, Hashable {
    /// Width of decoded frames in pixels, after applying rotation metadata.
    public let width: Int
    /// Height of decoded frames in pixels, after applying rotation metadata.
    public let height: Int
    /// Duration in seconds (stream duration, or the container's when the stream has none).
    public let duration: Double
    /// Presentation time of the first frame in seconds (often 0; frame timestamps share
    /// this time base).
    public let startTime: Double
    /// Nominal frame rate, if the stream declares one.
    public let frameRate: Double?
    /// Rotation metadata in degrees (0, 90, 180 or 270); ffmpeg applies it when decoding.
    public let rotation: Int
}

extension VideoFrames {
    /// Reads dimensions, duration and frame rate with `ffprobe`.
    ///
    /// Throws `video_not_found` for a missing file and `video_corrupt` when the file has no
    /// decodable video stream.
    public func probe(_ url: URL) throws -> VideoInfo {
        try probe(url, packets: false).info
    }

    /// ``probe(_:)``, optionally also listing the video packets (demuxing only, no decoding)
    /// to find the presentation time of the last frame; `nil` when the packets carry no times.
    func probe(_ url: URL, packets: Bool) throws -> (info: VideoInfo, lastPacketTime: Double?) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FaceMatchError(.videoNotFound, "no video at \(url.path)")
        }
        let entries = "stream=width,height,duration,start_time,avg_frame_rate,r_frame_rate:stream_tags=rotate:stream_side_data=rotation:format=duration,start_time"
            + (packets ? ":packet=pts_time" : "")
        let args = ["-v", "error", "-select_streams", "v:0", "-show_entries", entries, "-of", "json", url.path]
        let (stdout, result) = try Subprocess.capture(ffprobePath, args, timeout: timeout)
        if result.timedOut { throw FaceMatchError(.videoTimeout, "ffprobe timed out on \(url.lastPathComponent)") }
        guard result.status == 0 else {
            throw FaceMatchError(.videoCorrupt, "ffprobe rejected \(url.lastPathComponent): \(result.stderrTail())")
        }
        let info = try Self.parseProbe(stdout, name: url.lastPathComponent)
        guard packets else { return (info, nil) }
        return (info, Self.lastPacketTime(stdout))
    }

    /// The largest `pts_time` among the probed packets, or `nil` if none has one.
    static func lastPacketTime(_ json: Data) -> Double? {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let packets = root["packets"] as? [[String: Any]] else { return nil }
        let times = packets.compactMap { number($0["pts_time"]) }.filter(\.isFinite)
        return times.max()
    }

    /// Parses ffprobe's JSON output.
    static func parseProbe(_ json: Data, name: String) throws -> VideoInfo {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
              let streams = root["streams"] as? [[String: Any]], let stream = streams.first,
              let width = stream["width"] as? Int, let height = stream["height"] as? Int,
              width > 0, height > 0 else {
            throw FaceMatchError(.videoCorrupt, "\(name) has no video stream with dimensions")
        }
        let format = root["format"] as? [String: Any] ?? [:]
        let duration = number(stream["duration"]) ?? number(format["duration"]) ?? 0
        let start = number(stream["start_time"]) ?? number(format["start_time"]) ?? 0
        let rate = rational(stream["avg_frame_rate"]) ?? rational(stream["r_frame_rate"])
        var rotation = 0
        if let tags = stream["tags"] as? [String: Any], let rotate = number(tags["rotate"]) {
            rotation = Int(rotate)
        }
        for side in stream["side_data_list"] as? [[String: Any]] ?? [] {
            if let r = number(side["rotation"]) { rotation = Int(r) }
        }
        rotation = ((rotation % 360) + 360) % 360
        let swap = rotation == 90 || rotation == 270
        guard duration.isFinite, duration >= 0 else {
            throw FaceMatchError(.videoCorrupt, "\(name) reports an invalid duration")
        }
        return VideoInfo(width: swap ? height : width, height: swap ? width : height,
                         duration: duration, startTime: start.isFinite ? start : 0,
                         frameRate: rate, rotation: rotation)
    }

    private static func number(_ value: Any?) -> Double? {
        if let d = value as? Double { return d }
        if let i = value as? Int { return Double(i) }
        if let s = value as? String { return Double(s) }
        return nil
    }

    private static func rational(_ value: Any?) -> Double? {
        guard let text = value as? String else { return nil }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let n = Double(parts[0]), let d = Double(parts[1]), d != 0, n > 0 else { return nil }
        return n / d
    }
}
