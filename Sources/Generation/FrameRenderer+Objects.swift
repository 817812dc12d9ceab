import Foundation

/// Moving objects drawn over the background: clouds, floating shapes, weather particles.
/// Every position is a closed-form function of time, so any frame renders independently.
extension FrameRenderer {
    /// A cloud of three ellipses drifting right, wrapping with a margin so it enters smoothly.
    func drawCloud(_ cloud: Cloud, _ p: UnsafeMutablePointer<UInt8>, t: Double) {
        let span = Double(plan.width) + 4 * cloud.rx
        let x = (cloud.x0 + cloud.speed * t).truncatingRemainder(dividingBy: span) - 2 * cloud.rx
        let c = plan.palette.cloud
        fillEllipse(p, cx: x, cy: cloud.y, rx: cloud.rx, ry: cloud.ry, color: c)
        fillEllipse(p, cx: x - 0.5 * cloud.rx, cy: cloud.y + 0.3 * cloud.ry, rx: 0.6 * cloud.rx, ry: 0.7 * cloud.ry, color: c)
        fillEllipse(p, cx: x + 0.55 * cloud.rx, cy: cloud.y + 0.25 * cloud.ry, rx: 0.55 * cloud.rx, ry: 0.75 * cloud.ry, color: c)
    }

    /// A balloon-like disc with a highlight and a string, rising and swaying.
    func drawShape(_ shape: FloatingShape, _ p: UnsafeMutablePointer<UInt8>, t: Double) {
        let r = shape.radius
        let span = Double(plan.height) + 6 * r
        let y = positiveModulo(shape.y0 - shape.rise * t, span) - 2 * r
        let x = shape.baseX + shape.sway * sin(shape.swayRate * t + shape.phase)
        let string = RGB(r: 40, g: 40, b: 40)
        fillRect(p, x: Int(x), y: Int(y + r), width: max(1, Int(r / 12)), height: Int(1.6 * r), color: string)
        fillEllipse(p, cx: x, cy: y, rx: r, ry: 1.15 * r, color: shape.color)
        fillEllipse(p, cx: x - 0.35 * r, cy: y - 0.4 * r, rx: 0.28 * r, ry: 0.32 * r, color: shape.highlight)
    }

    /// Rain streaks, snowflakes, twinkling stars, drifting motes or rising bubbles.
    func drawParticles(_ p: UnsafeMutablePointer<UInt8>, t: Double, frame: Int) {
        let (w, h) = (Double(plan.width), Double(plan.height))
        let c = plan.palette.particle
        let twinkle = plan.palette.weather == .stars
        for particle in plan.particles {
            if twinkle, (particle.phase + frame / 6) % 9 == 0 { continue }
            var x = positiveModulo(particle.x0 + particle.vx * t, w)
            if plan.palette.weather == .snow { x += 6 * sin(1.3 * t + Double(particle.phase)) }
            let y = positiveModulo(particle.y0 + particle.vy * t, h)
            fillRect(p, x: Int(x), y: Int(y), width: particle.w, height: particle.h, color: c)
        }
    }

    // MARK: - Primitives (all clip to the frame)

    /// Fills one row of `width` pixels with `color`.
    func fillRow(_ row: UnsafeMutablePointer<UInt8>, width: Int, color: (UInt8, UInt8, UInt8)) {
        var out = row
        for _ in 0..<width {
            out[0] = color.0
            out[1] = color.1
            out[2] = color.2
            out += 3
        }
    }

    /// Fills an axis-aligned rectangle.
    func fillRect(_ p: UnsafeMutablePointer<UInt8>, x: Int, y: Int, width: Int, height: Int, color: RGB) {
        let x0 = max(0, x), x1 = min(plan.width, x + width)
        let y0 = max(0, y), y1 = min(plan.height, y + height)
        guard x0 < x1, y0 < y1 else { return }
        for row in y0..<y1 {
            fillRow(p + (row * plan.width + x0) * 3, width: x1 - x0, color: (color.r, color.g, color.b))
        }
    }

    /// Fills an axis-aligned ellipse centred at (`cx`, `cy`), one horizontal span per row.
    func fillEllipse(_ p: UnsafeMutablePointer<UInt8>, cx: Double, cy: Double, rx: Double, ry: Double, color: RGB) {
        guard rx > 0, ry > 0 else { return }
        let top = max(0, Int((cy - ry).rounded(.down))), bottom = min(plan.height - 1, Int((cy + ry).rounded(.up)))
        guard top <= bottom else { return }
        for y in top...bottom {
            let dy = (Double(y) + 0.5 - cy) / ry
            guard dy * dy < 1 else { continue }
            let half = rx * (1 - dy * dy).squareRoot()
            let x0 = max(0, Int((cx - half).rounded())), x1 = min(plan.width, Int((cx + half).rounded()))
            guard x0 < x1 else { continue }
            fillRow(p + (y * plan.width + x0) * 3, width: x1 - x0, color: (color.r, color.g, color.b))
        }
    }
}

/// `a mod m` in [0, m) for doubles of any sign.
func positiveModulo(_ a: Double, _ m: Double) -> Double {
    let r = a.truncatingRemainder(dividingBy: m)
    return r < 0 ? r + m : r
}
