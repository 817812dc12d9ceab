import Foundation
import Generation

/// A synthetic, face-like 150×150 RGB chip (skin ellipse, eyes, mouth) with a per-owner tint,
/// so tests can tell cameos apart and find them in frames.
func syntheticFace(tint: UInt8 = 0, size: Int = 150) throws -> RGBFace {
    var pixels = [UInt8](repeating: 0, count: size * size * 3)
    let c = Double(size) / 2
    for y in 0..<size {
        for x in 0..<size {
            let (dx, dy) = ((Double(x) - c) / (0.42 * Double(size)), (Double(y) - c) / (0.5 * Double(size)))
            var rgb: (UInt8, UInt8, UInt8) = (30, 30 &+ tint, 60)
            if dx * dx + dy * dy < 1 { rgb = (224, 172 &+ tint / 4, 140) }
            let eye = { (ex: Double) in pow(Double(x) - ex * Double(size), 2) + pow(Double(y) - 0.4 * Double(size), 2) < pow(0.06 * Double(size), 2) }
            if eye(0.35) || eye(0.65) { rgb = (20, 20, 20) }
            if abs(Double(y) - 0.7 * Double(size)) < 0.03 * Double(size), abs(Double(x) - c) < 0.15 * Double(size) { rgb = (150, 40, 40) }
            let i = (y * size + x) * 3
            (pixels[i], pixels[i + 1], pixels[i + 2]) = rgb
        }
    }
    return try RGBFace(width: size, height: size, pixels: pixels)
}

/// A fresh empty directory under the system temp dir, removed when the value is released.
final class TempDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gen-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Names of the files in the directory, hidden ones included.
    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }
}

/// Runs a tool to completion, collecting stdout (stderr is discarded).
func runTool(_ path: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, data)
}

/// ffprobe's JSON view of a media file's streams and format.
func probe(_ url: URL) throws -> [String: Any] {
    let (status, data) = try runTool("/usr/bin/ffprobe", ["-v", "error", "-print_format", "json", "-show_streams", "-show_format", url.path])
    guard status == 0, let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw NSError(domain: "ffprobe", code: Int(status))
    }
    return json
}

/// Frame `index` of a video decoded by ffmpeg to RGB24.
func decodeFrame(_ url: URL, index: Int) throws -> [UInt8] {
    let (status, data) = try runTool("/usr/bin/ffmpeg", [
        "-v", "error", "-i", url.path, "-vf", "select=eq(n\\,\(index))", "-frames:v", "1",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-",
    ])
    guard status == 0 else { throw NSError(domain: "ffmpeg", code: Int(status)) }
    return [UInt8](data)
}

/// Peak signal-to-noise ratio in dB between two equally sized 8-bit buffers.
func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
    precondition(a.count == b.count && !a.isEmpty)
    var sum = 0.0
    for i in a.indices {
        let d = Double(a[i]) - Double(b[i])
        sum += d * d
    }
    let mse = sum / Double(a.count)
    return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
}

/// The RGB triple at (`x`, `y`) of a frame `width` pixels wide.
func pixel(_ frame: [UInt8], width: Int, x: Int, y: Int) -> [Int] {
    let i = (y * width + x) * 3
    return [Int(frame[i]), Int(frame[i + 1]), Int(frame[i + 2])]
}

/// FNV-1a 64 of a buffer: compares frames without printing megabytes when an expectation fails.
func fingerprint(_ bytes: [UInt8]) -> UInt64 {
    var hash = FNV1a64()
    hash.combine(bytes)
    return hash.value
}
