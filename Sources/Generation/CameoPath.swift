import Foundation

/// An axis-aligned pixel rectangle; `x`, `y` is the top-left corner.
public struct PixelBox: Sendable, Equatable, Hashable, Codable {
    /// Left column.
    public let x: Int
    /// Top row.
    public let y: Int
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int

    /// A box at (`x`, `y`) of `width` × `height`.
    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    /// Whether the box lies wholly inside a `frameWidth` × `frameHeight` frame.
    public func isInside(frameWidth: Int, frameHeight: Int) -> Bool {
        x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= frameWidth && y + height <= frameHeight
    }
}

/// Where the generator put one cameo's face in one frame. Generator-side information for
/// evidence and tests; the post-check finds faces on its own and does not trust this.
public struct CameoPlacement: Sendable, Equatable, Codable {
    /// Frame index, from 0.
    public let frame: Int
    /// Presentation time of the frame in seconds (`frame / fps`).
    public let time: Double
    /// Whose face it is.
    public let ownerID: String
    /// The face's box (the whole composited chip, soft mask included).
    public let box: PixelBox
}

/// One cameo's smooth path through its lane: a Lissajous-like curve for position and a slow
/// sine for size. Lanes split the frame along its longer side so faces never overlap; the
/// box always stays inside the lane, hence inside the frame, and is never rotated.
struct CameoPath: Sendable {
    let ownerID: String
    let lane: PixelBox
    let frameWidth: Int
    let aspect: Double
    let style: MotionStyle
    let rateX: Double, rateY: Double, rateS: Double
    let phaseX: Double, phaseY: Double, phaseS: Double

    /// The face box at time `t` seconds. Width follows the style's 25–45 % band of the frame
    /// width, shrunk only when the lane is too small for it; the face keeps its aspect.
    func box(at t: Double) -> PixelBox {
        let s = 0.5 + 0.5 * sin(rateS * t + phaseS)
        let fraction = style.minScale + (style.maxScale - style.minScale) * s
        let faceWidth = min(fraction * Double(frameWidth), Double(lane.width), Double(lane.height) / aspect)
        let w = max(2, min(lane.width, Int(faceWidth.rounded())))
        let h = max(2, min(lane.height, Int((faceWidth * aspect).rounded())))
        let u = 0.5 + 0.5 * sin(rateX * t + phaseX)
        let v = 0.5 + 0.5 * sin(rateY * t + phaseY)
        return PixelBox(x: lane.x + Int((Double(lane.width - w) * u).rounded()),
                        y: lane.y + Int((Double(lane.height - h) * v).rounded()),
                        width: w, height: h)
    }

    /// One path per cameo, in spec order; lane `i` is the `i`-th slice of the frame (inset by
    /// 2 % of the shorter side) along its longer axis.
    static func paths(for spec: RenderSpec, rng: inout Xoshiro256StarStar) -> [CameoPath] {
        let n = spec.cameos.count
        guard n > 0 else { return [] }
        let margin = Int(0.02 * Double(min(spec.width, spec.height)))
        let (innerW, innerH) = (spec.width - 2 * margin, spec.height - 2 * margin)
        let vertical = spec.height >= spec.width
        return spec.cameos.enumerated().map { i, cameo in
            let lane: PixelBox
            if vertical {
                let top = margin + innerH * i / n, bottom = margin + innerH * (i + 1) / n
                lane = PixelBox(x: margin, y: top, width: innerW, height: bottom - top)
            } else {
                let left = margin + innerW * i / n, right = margin + innerW * (i + 1) / n
                lane = PixelBox(x: left, y: margin, width: right - left, height: innerH)
            }
            let style = cameo.motionStyle
            let twoPi = 2 * Double.pi
            return CameoPath(
                ownerID: cameo.ownerID, lane: lane, frameWidth: spec.width, aspect: cameo.face.aspect, style: style,
                rateX: style.speed * twoPi / rng.double(in: 6...11),
                rateY: style.speed * twoPi / rng.double(in: 5...9),
                rateS: style.speed * twoPi / rng.double(in: 4...7),
                phaseX: rng.double(in: 0...twoPi), phaseY: rng.double(in: 0...twoPi), phaseS: rng.double(in: 0...twoPi))
        }
    }
}
