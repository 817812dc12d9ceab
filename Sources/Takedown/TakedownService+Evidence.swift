import CameoCore
import FaceMatch
import Foundation
import Identity
import PDQ

extension TakedownService {
    /// PDQ hashes of the clip's frames sampled at the policy rate (none if the file is gone).
    func fingerprint(_ generationID: String) throws -> [(time: Double, hash: PDQHash, quality: Int)] {
        guard let file = generations.anyVideoFile(generationID) else { return [] }
        let frames = try VideoFrames().sample(file, sampling: VideoSampling(framesPerSecond: policy.fingerprintFps, includeLastFrame: true, maxDimension: 512, maxFrames: 120))
        return try frames.map { f in
            let h = try PDQHasher.hash(rgb: f.image.pixels, width: f.image.width, height: f.image.height)
            return (f.timestamp, h.hash, h.quality)
        }
    }

    /// Frames of the clip in which the reporter's enrolled likeness appears (matcher evidence).
    func likenessEvidence(_ generationID: String, reporter: SubjectID) throws -> [(time: Double, box: [Int], distance: Float)] {
        guard let file = generations.anyVideoFile(generationID) else { return [] }
        guard let target = try? FaceDescriptor(likenesses.store.descriptor(reporter)) else { return [] }
        let faces = likenesses.faces
        let m = faces.matching
        let frames = try VideoFrames().sample(file, sampling: VideoSampling(framesPerSecond: m.sampleFps, includeLastFrame: true, maxDimension: m.detectMaxDimension, maxFrames: 120))
        var out: [(Double, [Int], Float)] = []
        for (frame, found) in zip(frames, try faces.analyze(frames.map(\.image))) {
            for f in found {
                let d = f.descriptor.distance(to: target)
                if d <= m.threshold { out.append((frame.timestamp, [f.box.left, f.box.top, f.box.right, f.box.bottom], d)) }
            }
        }
        return out
    }

    /// A PNG contact sheet of the clip's sampled frames with every face boxed and labelled with
    /// its nearest enrolled subject and distance (drawn with ffmpeg's drawbox/drawtext).
    public func contactSheet(_ id: String) throws -> [UInt8] {
        let c = try show(id)
        guard let file = generations.anyVideoFile(c.report.generationID) else {
            throw TakedownError("content_gone", "the clip of \(c.report.generationID) no longer exists", kind: .notFound)
        }
        let faces = likenesses.faces
        let frames = try VideoFrames().sample(file, sampling: VideoSampling(framesPerSecond: 1, includeLastFrame: true, maxDimension: 320, maxFrames: 12))
        guard let first = frames.first else { throw TakedownError("content_gone", "no frames decoded", kind: .notFound) }
        let (tw, th, cols) = (first.image.width, first.image.height, 4)
        let rows = (frames.count + cols - 1) / cols
        let (w, h) = (tw * cols, th * rows)
        var canvas = [UInt8](repeating: 24, count: w * h * 3)
        var filters: [String] = []
        let detected = try faces.analyze(frames.map(\.image), minFaceSize: 1)
        for (i, (frame, found)) in zip(frames, detected).enumerated() {
            let ox = (i % cols) * tw, oy = (i / cols) * th
            let img = frame.image
            for y in 0..<min(th, img.height) {
                let src = y * img.width * 3, dst = ((oy + y) * w + ox) * 3
                canvas.replaceSubrange(dst..<(dst + min(tw, img.width) * 3), with: img.pixels[src..<(src + min(tw, img.width) * 3)])
            }
            filters.append("drawtext=fontfile=\(Self.font):text='t=\(String(format: "%.1f", frame.timestamp))s':x=\(ox + 4):y=\(oy + 4):fontsize=12:fontcolor=white:box=1:boxcolor=black@0.6")
            for f in found {
                let b = f.box.clipped(width: img.width, height: img.height)
                let near = faces.nearest(to: f.descriptor).first
                let match = near.map { $0.distance <= faces.matching.threshold ? "\($0.id) \(String(format: "%.2f", $0.distance))" : "unknown \(String(format: "%.2f", $0.distance))" } ?? "unknown"
                let color = near.map { $0.distance <= faces.matching.threshold } == true ? "red" : "yellow"
                filters.append("drawbox=x=\(ox + b.left):y=\(oy + b.top):w=\(b.width):h=\(b.height):color=\(color):t=2")
                filters.append("drawtext=fontfile=\(Self.font):text='\(match)':x=\(ox + b.left):y=\(max(oy, oy + b.top - 14)):fontsize=11:fontcolor=\(color):box=1:boxcolor=black@0.6")
            }
        }
        return try Self.encodePNG(canvas, width: w, height: h, filters: filters)
    }

    static let font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    static func encodePNG(_ rgb: [UInt8], width: Int, height: Int, filters: [String]) throws -> [UInt8] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("sheet-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: out) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var args = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-i", "-"]
        if !filters.isEmpty { args += ["-vf", filters.joined(separator: ",")] }
        p.arguments = args + ["-frames:v", "1", out.path]
        let input = Pipe(), err = Pipe()
        p.standardInput = input; p.standardError = err; p.standardOutput = FileHandle.nullDevice
        try p.run()
        BackgroundWork.deprioritize(p.processIdentifier)
        input.fileHandleForWriting.write(Data(rgb))
        try input.fileHandleForWriting.close()
        let errText = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0, let png = FileManager.default.contents(atPath: out.path) else {
            throw TakedownError("sheet_failed", "ffmpeg could not draw the sheet: \(String(decoding: errText.suffix(300), as: UTF8.self))", kind: .internalFailure)
        }
        return [UInt8](png)
    }
}
