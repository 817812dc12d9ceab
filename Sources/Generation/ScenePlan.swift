import Foundation

/// A cloud: three overlapping ellipses drifting right and wrapping around.
struct Cloud: Sendable {
    let x0: Double, y: Double, rx: Double, ry: Double, speed: Double
}

/// A floating disc (balloon, lantern) that rises, wraps and sways.
struct FloatingShape: Sendable {
    let baseX: Double, y0: Double, radius: Double, sway: Double, swayRate: Double, phase: Double
    let rise: Double
    let color: RGB, highlight: RGB
}

/// A particle: position at t = 0 (pixels), velocity (pixels per second), size (pixels).
struct Particle: Sendable {
    let x0: Double, y0: Double, vx: Double, vy: Double, w: Int, h: Int, phase: Int
}

/// Everything about a clip that does not change from frame to frame: geometry, per-row
/// colours, scrolling height maps, the moving objects' parameters and the cameo paths. Built
/// once from the spec; the frame renderer only evaluates it at a time.
struct ScenePlan: Sendable {
    let width: Int, height: Int
    let palette: ScenePalette
    /// First row of the ground band.
    let horizonY: Int
    /// Per-row colours, 3 bytes a row: sky, far range, near hills, ground stripes A and B.
    let skyRows: [UInt8], farRows: [UInt8], midRows: [UInt8], groundA: [UInt8], groundB: [UInt8]
    /// First row covered by the far range / near hills for each column, stored twice over
    /// (2 × width) so a scroll offset in 0..<width never needs a modulo in the pixel loop.
    let farTop: [Int32], midTop: [Int32]
    /// Parallax speeds in pixels per second (far < mid < ground stripes).
    let farSpeed: Double, midSpeed: Double, groundSpeed: Double
    let sunX0: Double, sunY: Double, sunRadius: Double, sunDrift: Double
    let clouds: [Cloud]
    let shapes: [FloatingShape]
    let particles: [Particle]
    let cameos: [CameoPath]

    /// The plan for `spec`: the random stream is seeded by FNV-1a 64 of the prompt's UTF-8
    /// bytes followed by the seed's 8 little-endian bytes, then everything is drawn from it in
    /// a fixed order.
    init(spec: RenderSpec) {
        var h = FNV1a64()
        h.combine(spec.prompt.utf8)
        h.combine(spec.seed)
        var rng = Xoshiro256StarStar(seed: h.value)
        let (W, H) = (spec.width, spec.height)
        let (w, hD) = (Double(W), Double(H))
        let unit = Double(min(W, H)) / 720
        width = W
        height = H
        let palette = ScenePalette(words: PromptWords.split(spec.prompt), rng: &rng)
        self.palette = palette
        let horizon = Int(hD * rng.double(in: 0.60...0.68))
        horizonY = horizon

        var sky = [UInt8](), far = [UInt8](), mid = [UInt8](), ga = [UInt8](), gb = [UInt8]()
        for y in 0..<H {
            let skyT = min(1, Double(y) / Double(max(1, horizon)))
            let groundT = max(0, Double(y - horizon) / Double(max(1, H - horizon)))
            let shade = 0.35 * skyT
            let groundRow = palette.groundFar.mixed(with: palette.groundNear, groundT)
            Self.append(palette.skyTop.mixed(with: palette.skyHorizon, skyT * skyT), to: &sky)
            Self.append(palette.far.mixed(with: palette.skyHorizon, 0.25 - shade * 0.5), to: &far)
            Self.append(palette.mid.mixed(with: RGB(r: 0, g: 0, b: 0), shade * 0.5), to: &mid)
            Self.append(groundRow, to: &ga)
            Self.append(groundRow.mixed(with: RGB(r: 0, g: 0, b: 0), 0.12), to: &gb)
        }
        (skyRows, farRows, midRows, groundA, groundB) = (sky, far, mid, ga, gb)

        farTop = Self.ridge(width: W, base: Double(horizon) - hD * 0.16, amplitude: hD * 0.09, jagged: true, rng: &rng)
        midTop = Self.ridge(width: W, base: Double(horizon) - hD * 0.05, amplitude: hD * 0.035, jagged: false, rng: &rng)
        farSpeed = 8 * unit * rng.double(in: 0.8...1.4)
        midSpeed = farSpeed * 3
        groundSpeed = rng.double(in: 0.6...1.2)

        sunRadius = 46 * unit * rng.double(in: 0.8...1.3)
        sunX0 = w * rng.double(in: 0.15...0.85)
        sunY = Double(horizon) * rng.double(in: 0.18...0.42)
        sunDrift = 3 * unit * (rng.unit() < 0.5 ? -1 : 1)

        clouds = (0..<rng.int(in: 2...4)).map { _ in
            Cloud(x0: rng.double(in: 0...w), y: Double(horizon) * rng.double(in: 0.08...0.55),
                  rx: 70 * unit * rng.double(in: 0.7...1.4), ry: 22 * unit * rng.double(in: 0.7...1.3),
                  speed: 14 * unit * rng.double(in: 0.5...1.8))
        }
        shapes = (0..<rng.int(in: 3...5)).map { i in
            let color = palette.accents[i % palette.accents.count]
            return FloatingShape(
                baseX: rng.double(in: 0.05...0.95) * w, y0: rng.double(in: 0...hD),
                radius: 26 * unit * rng.double(in: 0.6...1.4), sway: 30 * unit * rng.double(in: 0.3...1),
                swayRate: rng.double(in: 0.4...1.1), phase: rng.double(in: 0...(2 * .pi)),
                rise: 40 * unit * rng.double(in: 0.6...1.6),
                color: color, highlight: color.mixed(with: RGB(r: 255, g: 255, b: 255), 0.55))
        }
        particles = Self.particles(weather: palette.weather, width: w, height: hD, horizon: Double(horizon), unit: unit, rng: &rng)
        cameos = CameoPath.paths(for: spec, rng: &rng)
    }

    private static func append(_ c: RGB, to bytes: inout [UInt8]) {
        bytes.append(c.r)
        bytes.append(c.g)
        bytes.append(c.b)
    }

    /// A periodic ridge line over `width` columns (sum of whole-period sines, plus a folded
    /// sine for sharp peaks when `jagged`), duplicated for wrap-free scrolling.
    private static func ridge(width: Int, base: Double, amplitude: Double, jagged: Bool,
                              rng: inout Xoshiro256StarStar) -> [Int32] {
        let terms = [1.0, 2, 3, 5, 8].map { k in (k: k, a: rng.double(in: 0.4...1.0) / k, p: rng.double(in: 0...(2 * .pi))) }
        let total = terms.reduce(0) { $0 + $1.a }
        var line = [Int32](repeating: 0, count: 2 * width)
        for x in 0..<width {
            let u = 2 * .pi * Double(x) / Double(width)
            var v = 0.0
            for t in terms { v += t.a * (jagged && t.k >= 3 ? 2 * abs(sin(u * t.k / 2 + t.p)) - 1 : sin(u * t.k + t.p)) }
            let y = Int32((base - amplitude * v / total).rounded())
            line[x] = y
            line[x + width] = y
        }
        return line
    }

    private static func particles(weather: Weather, width w: Double, height h: Double, horizon: Double,
                                  unit: Double, rng: inout Xoshiro256StarStar) -> [Particle] {
        let area = (w * h) / (720 * 1280)
        let base = switch weather { case .rain: 140; case .snow: 120; case .stars: 90; case .motes: 60; case .bubbles: 50 }
        let count = max(12, Int(Double(base) * area))
        return (0..<count).map { i in
            let x0 = rng.unit() * w, y0 = rng.unit() * h
            let s = max(1, unit)
            switch weather {
            case .rain:
                return Particle(x0: x0, y0: y0, vx: -40 * s, vy: rng.double(in: 900...1300) * s,
                                w: max(1, Int(2 * s)), h: Int(rng.double(in: 12...22) * s), phase: i)
            case .snow:
                let size = Int(rng.double(in: 3...6) * s)
                return Particle(x0: x0, y0: y0, vx: rng.double(in: -15...15) * s, vy: rng.double(in: 40...90) * s, w: size, h: size, phase: i)
            case .stars:
                let size = Int(rng.double(in: 2...3.5) * s)
                return Particle(x0: x0, y0: rng.unit() * horizon * 0.7, vx: 0, vy: 0, w: size, h: size, phase: rng.int(in: 0...8))
            case .motes:
                let size = Int(rng.double(in: 2...4) * s)
                return Particle(x0: x0, y0: y0, vx: rng.double(in: -10...10) * s, vy: -rng.double(in: 15...40) * s, w: size, h: size, phase: i)
            case .bubbles:
                let size = Int(rng.double(in: 4...9) * s)
                return Particle(x0: x0, y0: y0, vx: rng.double(in: -8...8) * s, vy: -rng.double(in: 60...120) * s, w: size, h: size, phase: i)
            }
        }
    }
}
