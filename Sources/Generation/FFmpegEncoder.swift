import CameoCore
import Foundation

/// Runs `ffmpeg` to turn rendered frames (piped raw on stdin) and a raw PCM file into an
/// H.264/AAC MP4. Blocking: the embedded generator calls it from its own thread.
struct FFmpegEncoder: Sendable {
    let configuration: EmbeddedGenerator.Configuration

    /// The ffmpeg command line. `-fflags +bitexact` and the bitexact codec flags keep version
    /// strings out of the file, so the same spec encodes to the same bytes with the same
    /// ffmpeg build. `use_metadata_tags` lets arbitrary `[A-Za-z0-9_]` keys reach the MP4.
    func arguments(spec: RenderSpec, audio: URL, output: URL) -> [String] {
        var args = [
            "-hide_banner", "-nostats", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(spec.width)x\(spec.height)",
            "-r", "\(spec.fps)", "-i", "-",
            "-f", "s16le", "-ar", "\(AudioSynthesizer.sampleRate)", "-ac", "1", "-i", audio.path,
            "-map", "0:v:0", "-map", "1:a:0",
            "-c:v", "libx264", "-preset", configuration.preset, "-crf", "\(configuration.crf)",
            "-pix_fmt", "yuv420p", "-g", "\(2 * spec.fps)",
            "-c:a", "aac", "-b:a", "\(configuration.audioBitrateKbps)k",
        ]
        if configuration.threads > 0 { args += ["-threads", "\(configuration.threads)"] }
        args += ["-map_metadata", "-1"]
        for key in spec.metadata.keys.sorted() {
            args += ["-metadata", "\(key)=\(spec.metadata[key]!)"]
        }
        args += [
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
            "-movflags", "+faststart+use_metadata_tags",
            "-f", "mp4", output.path,
        ]
        return args
    }

    /// Starts ffmpeg, renders and writes every frame to its stdin while a second thread drains
    /// its stderr, then waits for it. `progress` gets fractions of frames written (below 1;
    /// the caller reports 1 once the file is in place).
    func encode(renderer: FrameRenderer, audio: URL, output: URL, cancel: CancellationFlag,
                progress: (@Sendable (Double) -> Void)?) throws {
        let ffmpeg = configuration.ffmpeg
        guard FileManager.default.isExecutableFile(atPath: ffmpeg.path) else {
            throw GenerationError.unavailable("ffmpeg not found or not executable at \(ffmpeg.path)")
        }
        ProcessPlumbing.ignoreBrokenPipe
        let process = Process()
        process.executableURL = ffmpeg
        process.arguments = arguments(spec: renderer.spec, audio: audio, output: output)
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
            BackgroundWork.deprioritize(process.processIdentifier)
        } catch {
            throw GenerationError.unavailable("could not start \(ffmpeg.path): \(error)")
        }
        let tail = StderrTail(reading: errors.fileHandleForReading)
        let writer = input.fileHandleForWriting

        var writeFailure: Int32?
        var cancelled = false
        var lastReported = -1
        var frame = [UInt8](repeating: 0, count: renderer.frameByteCount)
        frame.withUnsafeMutableBufferPointer { buffer in
            for index in 0..<renderer.frameCount {
                if cancel.isCancelled {
                    cancelled = true
                    return
                }
                renderer.render(frame: index, into: buffer)
                if let failure = ProcessPlumbing.writeAll(writer.fileDescriptor, UnsafeRawBufferPointer(buffer)) {
                    writeFailure = failure
                    return
                }
                let percent = (index + 1) * 99 / renderer.frameCount
                if percent > lastReported, let progress {
                    lastReported = percent
                    progress(Double(percent) / 100)
                }
            }
        }
        try? writer.close()
        if cancelled { process.terminate() }
        process.waitUntilExit()
        let stderrText = tail.finish()
        if cancelled { throw CancellationError() }

        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let how = process.terminationReason == .exit
                ? "exited with status \(process.terminationStatus)"
                : "was killed by signal \(process.terminationStatus)"
            throw GenerationError.encodeFailed("ffmpeg \(how)", stderrTail: stderrText)
        }
        if let writeFailure {
            // ffmpeg claimed success but stopped reading before the last frame.
            throw GenerationError.encodeFailed(
                "ffmpeg closed its input early (\(ProcessPlumbing.describe(errno: writeFailure)))", stderrTail: stderrText)
        }
    }
}
