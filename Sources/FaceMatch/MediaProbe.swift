import Foundation

/// What `ffprobe` reports about a recorded answer: its container, its first video stream and
/// whether it carries sound. Read from headers only (no decoding), so limits can be applied
/// before a single frame is decoded.
public struct MediaInfo: Sendable, Hashable {
    /// ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`.
    public let formatName: String
    /// The first video stream.
    public let video: VideoInfo
    /// Codec of the first audio stream, `nil` when there is none.
    public let audioCodec: String?
    /// Number of frames the video stream declares (`nb_frames`), when the container says.
    public let declaredFrames: Int?
}

extension VideoFrames {
    /// Probes container, video and audio streams from the headers.
    public func probeMedia(_ url: URL) throws -> MediaInfo {
        let video = try probe(url)
        let args = ["-v", "error", "-show_entries", "format=format_name:stream=codec_type,codec_name,nb_frames", "-of", "json", url.path]
        let (stdout, result) = try Subprocess.capture(ffprobePath, args, timeout: timeout)
        if result.timedOut { throw FaceMatchError(.videoTimeout, "ffprobe timed out on \(url.lastPathComponent)") }
        guard result.status == 0, let root = try? JSONSerialization.jsonObject(with: stdout) as? [String: Any] else {
            throw FaceMatchError(.videoCorrupt, "ffprobe rejected \(url.lastPathComponent): \(result.stderrTail())")
        }
        let streams = root["streams"] as? [[String: Any]] ?? []
        let audio = streams.first { $0["codec_type"] as? String == "audio" }
        let firstVideo = streams.first { $0["codec_type"] as? String == "video" }
        let frames = (firstVideo?["nb_frames"] as? String).flatMap { Int($0) }
        let format = (root["format"] as? [String: Any])?["format_name"] as? String ?? ""
        return MediaInfo(formatName: format, video: video, audioCodec: audio?["codec_name"] as? String, declaredFrames: frames)
    }

    /// Decodes the first audio stream to mono 16-bit PCM at `sampleRate`, at most `maxSeconds`
    /// of it. `video_corrupt` when ffmpeg cannot decode it.
    public func audio(_ url: URL, sampleRate: Int = 16_000, maxSeconds: Double) throws -> [Int16] {
        guard sampleRate > 0, maxSeconds > 0 else { throw FaceMatchError(.invalidArgument, "sampleRate and maxSeconds must be positive") }
        let args = ["-nostdin", "-v", "error", "-i", url.path, "-map", "0:a:0", "-vn", "-ac", "1", "-ar", String(sampleRate),
                    "-t", String(maxSeconds), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1"]
        let limit = Int(Double(sampleRate) * maxSeconds * 2) + 4096
        var data = Data()
        let result = try Subprocess.run(ffmpegPath, args, timeout: timeout) { handle in
            data = try Subprocess.read(handle, exactly: limit)
        }
        if result.timedOut { throw FaceMatchError(.videoTimeout, "ffmpeg timed out decoding the audio of \(url.lastPathComponent)") }
        guard result.status == 0 else {
            throw FaceMatchError(.videoCorrupt, "cannot decode the audio of \(url.lastPathComponent): \(result.stderrTail())")
        }
        return data.withUnsafeBytes { raw in
            (0..<(raw.count / 2)).map { Int16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: Int16.self)) }
        }
    }
}
