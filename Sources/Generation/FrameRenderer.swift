/// The embedded generator's picture: a pure function from (spec, frame index) to an RGB24
/// frame. No I/O, no clock, no global state: the same spec renders the same bytes on every
/// call, which is what makes a clip reproducible from its prompt and seed.
public struct FrameRenderer: Sendable {
    /// The spec being rendered.
    public let spec: RenderSpec
    let plan: ScenePlan

    /// Plans the scene for `spec` (palette, layers, objects, cameo paths); cheap next to
    /// rendering a single frame.
    public init(spec: RenderSpec) {
        self.spec = spec
        self.plan = ScenePlan(spec: spec)
    }

    /// Number of frames in the clip.
    public var frameCount: Int { spec.frameCount }

    /// Bytes in one RGB24 frame: `width × height × 3`.
    public var frameByteCount: Int { spec.width * spec.height * 3 }

    /// Presentation time of frame `index` in seconds.
    public func time(ofFrame index: Int) -> Double { Double(index) / Double(spec.fps) }

    /// Where each cameo's face is in frame `index`, in spec order.
    public func placements(atFrame index: Int) -> [CameoPlacement] {
        let t = time(ofFrame: index)
        return plan.cameos.map { CameoPlacement(frame: index, time: t, ownerID: $0.ownerID, box: $0.box(at: t)) }
    }

    /// Placements at the first frame of every whole second and at the last frame.
    public func placementsPerSecond() -> [CameoPlacement] {
        var frames = Array(stride(from: 0, to: frameCount, by: spec.fps))
        if frames.last != frameCount - 1 { frames.append(frameCount - 1) }
        return frames.flatMap { placements(atFrame: $0) }
    }

    /// Renders frame `index` (0..<frameCount) into `buffer`, which must hold exactly
    /// `frameByteCount` bytes; every byte is overwritten.
    public func render(frame index: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) {
        precondition(buffer.count == frameByteCount, "frame buffer must hold width*height*3 bytes")
        precondition((0..<frameCount).contains(index), "frame index out of range")
        let t = time(ofFrame: index)
        let p = buffer.baseAddress!
        drawBackground(p, t: t)
        drawSun(p, t: t)
        for cloud in plan.clouds { drawCloud(cloud, p, t: t) }
        for shape in plan.shapes { drawShape(shape, p, t: t) }
        drawParticles(p, t: t, frame: index)
        for (cameo, path) in zip(spec.cameos, plan.cameos) {
            FaceCompositor.composite(cameo.face, box: path.box(at: t), into: p, width: spec.width, height: spec.height)
        }
    }

    /// Renders frame `index` into a new array (convenience for tests and previews).
    public func frame(_ index: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: frameByteCount)
        bytes.withUnsafeMutableBufferPointer { render(frame: index, into: $0) }
        return bytes
    }

    /// FNV-1a 64 over every frame's bytes in order: a cheap fingerprint of the whole picture
    /// track for reproducibility checks (not a security hash).
    public func checksum() -> UInt64 {
        var hash = FNV1a64()
        var bytes = [UInt8](repeating: 0, count: frameByteCount)
        bytes.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<frameCount {
                render(frame: i, into: buffer)
                hash.combine(UnsafeRawBufferPointer(buffer))
            }
        }
        return hash.value
    }

    // MARK: - Layers

    /// Sky gradient, far range and near hills scrolling at different speeds (parallax), and
    /// ground stripes whose spacing grows towards the viewer.
    private func drawBackground(_ p: UnsafeMutablePointer<UInt8>, t: Double) {
        let (w, h, horizon) = (plan.width, plan.height, plan.horizonY)
        let farOffset = positiveModulo(Int(t * plan.farSpeed), w)
        let midOffset = positiveModulo(Int(t * plan.midSpeed), w)
        plan.farTop.withUnsafeBufferPointer { farTop in
            plan.midTop.withUnsafeBufferPointer { midTop in
                let far = farTop.baseAddress! + farOffset, mid = midTop.baseAddress! + midOffset
                for y in 0..<horizon {
                    let (sky, farC, midC) = (color(plan.skyRows, y), color(plan.farRows, y), color(plan.midRows, y))
                    let y32 = Int32(y)
                    var out = p + y * w * 3
                    for x in 0..<w {
                        let c = y32 >= mid[x] ? midC : (y32 >= far[x] ? farC : sky)
                        out[0] = c.0
                        out[1] = c.1
                        out[2] = c.2
                        out += 3
                    }
                }
            }
        }
        let k = Double(h - horizon) * 4
        for y in horizon..<h {
            let stripe = Int(k / Double(y - horizon + 8) + t * plan.groundSpeed)
            fillRow(p + y * w * 3, width: w, color: color(stripe & 1 == 0 ? plan.groundA : plan.groundB, y))
        }
    }

    /// The sun (or moon) drifting slowly; drawn only where the sky is visible.
    private func drawSun(_ p: UnsafeMutablePointer<UInt8>, t: Double) {
        let w = plan.width
        let cx = plan.sunX0 + plan.sunDrift * t, cy = plan.sunY, r = plan.sunRadius
        let sun = plan.palette.sun
        let farOffset = positiveModulo(Int(t * plan.farSpeed), w)
        let top = max(0, Int(cy - r)), bottom = min(plan.horizonY - 1, Int(cy + r))
        guard top <= bottom else { return }
        for y in top...bottom {
            let dy = Double(y) + 0.5 - cy
            let half = (r * r - dy * dy).squareRoot()
            guard half > 0 else { continue }
            let x0 = max(0, Int(cx - half)), x1 = min(w - 1, Int(cx + half))
            guard x0 <= x1 else { continue }
            let row = p + y * w * 3
            for x in x0...x1 where Int32(y) < plan.farTop[x + farOffset] {
                row[x * 3] = sun.r
                row[x * 3 + 1] = sun.g
                row[x * 3 + 2] = sun.b
            }
        }
    }

    private func color(_ rows: [UInt8], _ y: Int) -> (UInt8, UInt8, UInt8) {
        (rows[y * 3], rows[y * 3 + 1], rows[y * 3 + 2])
    }
}

/// `a mod m` in 0..<m for any sign of `a`.
func positiveModulo(_ a: Int, _ m: Int) -> Int {
    let r = a % m
    return r < 0 ? r + m : r
}
