import CameoCore
import Foundation
import Generation
import Testing

@Suite struct FrameRendererTests {
    func spec(prompt: String = "a sunny beach with balloons", seed: UInt64 = 42, width: Int = 128, height: Int = 224,
              duration: Double = 1, cameos: Int = 1, preferences: String = "") throws -> RenderSpec {
        let appearances = try (0..<cameos).map { i in
            try CameoAppearance(ownerID: "sub_\(i)", face: try syntheticFace(tint: UInt8(i * 40)), preferences: preferences)
        }
        return try RenderSpec(prompt: prompt, seed: seed, width: width, height: height, duration: duration, cameos: appearances)
    }

    @Test func samePromptAndSeedRenderByteIdenticalFrames() throws {
        let a = FrameRenderer(spec: try spec())
        let b = FrameRenderer(spec: try spec())
        #expect(a.checksum() == b.checksum())
        #expect(fingerprint(a.frame(17)) == fingerprint(b.frame(17)))
    }

    @Test func aDifferentSeedRendersDifferentFrames() throws {
        let a = FrameRenderer(spec: try spec(seed: 42))
        let b = FrameRenderer(spec: try spec(seed: 43))
        #expect(a.checksum() != b.checksum())
        #expect(fingerprint(a.frame(0)) != fingerprint(b.frame(0)))
    }

    @Test func aDifferentPromptRendersDifferentFrames() throws {
        let a = FrameRenderer(spec: try spec(prompt: "a sunny beach with balloons"))
        let b = FrameRenderer(spec: try spec(prompt: "a snowy forest at night"))
        #expect(fingerprint(a.frame(0)) != fingerprint(b.frame(0)))
        // The palette follows the prompt: a night sky is darker than a day sky (top 10 rows).
        let top = 128 * 10 * 3
        let day = a.frame(0).prefix(top).reduce(0) { $0 + Int($1) }
        let night = b.frame(0).prefix(top).reduce(0) { $0 + Int($1) }
        #expect(night * 2 < day)
    }

    @Test func theSceneMovesFromFrameToFrame() throws {
        let renderer = FrameRenderer(spec: try spec(cameos: 0))
        let first = renderer.frame(0), later = renderer.frame(12)
        let changed = zip(first, later).filter { $0 != $1 }.count
        #expect(changed > first.count / 100)
    }

    @Test func knownAnswerVectorsOfTheHashAndGenerators() {
        #expect(FNV1a64.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a64.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a64.hash("foobar") == 0x8594_4171_f739_67e8)
        var split = SplitMix64(seed: 0)
        #expect([split.next(), split.next(), split.next()] == [0xe220_a839_7b1d_cdaf, 0x6e78_9e6a_a1b9_65f4, 0x06c4_5d18_8009_454f])
        var x = Xoshiro256StarStar(seed: 0)
        let draws = (0..<1000).map { _ in x.unit() }
        #expect(draws.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(draws.reduce(0, +) / 1000 - 0.5) < 0.05)
    }

    struct Geometry: Sendable, CustomTestStringConvertible {
        let width: Int, height: Int, cameos: Int, preferences: String
        var testDescription: String { "\(width)x\(height), \(cameos) cameo(s) \(preferences)" }
    }

    @Test(arguments: [
        Geometry(width: 720, height: 1280, cameos: 1, preferences: ""),
        Geometry(width: 720, height: 1280, cameos: 4, preferences: "large fast"),
        Geometry(width: 1280, height: 720, cameos: 2, preferences: ""),
        Geometry(width: 1920, height: 64, cameos: 3, preferences: "energetic"),
        Geometry(width: 64, height: 64, cameos: 1, preferences: "big"),
        Geometry(width: 360, height: 640, cameos: 2, preferences: "small calm"),
    ])
    func everyFaceStaysInsideTheFrameAndApartInEveryFrame(_ g: Geometry) throws {
        let renderer = FrameRenderer(spec: try spec(width: g.width, height: g.height, duration: 60, cameos: g.cameos, preferences: g.preferences))
        let style = MotionStyle(preferences: g.preferences)
        for index in 0..<renderer.frameCount {
            let boxes = renderer.placements(atFrame: index).map(\.box)
            #expect(boxes.count == g.cameos)
            for box in boxes {
                #expect(box.isInside(frameWidth: g.width, frameHeight: g.height), "frame \(index): \(box)")
                #expect(Double(box.width) <= style.maxScale * Double(g.width) + 1)
            }
            for i in boxes.indices { for j in boxes.indices where i < j { #expect(!overlaps(boxes[i], boxes[j])) } }
        }
    }

    @Test func aLoneFaceInVerticalVideoScalesBetween25And45PercentOfTheWidth() throws {
        let renderer = FrameRenderer(spec: try spec(width: 720, height: 1280, duration: 20))
        let widths = (0..<renderer.frameCount).map { renderer.placements(atFrame: $0)[0].box.width }
        #expect(widths.min()! >= 180 && widths.max()! <= 324)
        #expect(widths.max()! - widths.min()! > 100)  // it really scales
        let xs = (0..<renderer.frameCount).map { renderer.placements(atFrame: $0)[0].box.x }
        #expect(xs.max()! - xs.min()! > 100)  // and moves
    }

    @Test func theFaceIsCompositedUnchangedAtTheCentreOfItsBox() throws {
        let s = try spec(width: 360, height: 640, cameos: 2)
        let renderer = FrameRenderer(spec: s)
        for index in [0, 11, 23] {
            let frame = renderer.frame(index)
            for (cameo, placement) in zip(s.cameos, renderer.placements(atFrame: index)) {
                let box = placement.box
                // The left eye of the synthetic face (35 %, 40 % of the chip) is dark, the
                // cheek below it skin-coloured: both must appear where the box says.
                let eye = pixel(frame, width: 360, x: box.x + box.width * 35 / 100, y: box.y + box.height * 40 / 100)
                let cheek = pixel(frame, width: 360, x: box.x + box.width * 35 / 100, y: box.y + box.height * 55 / 100)
                let skin = pixel(cameo.face.pixels, width: 150, x: 52, y: 82)
                #expect(eye.allSatisfy { $0 < 40 }, "frame \(index) eye \(eye)")
                #expect(zip(cheek, skin).allSatisfy { abs($0 - $1) <= 2 }, "frame \(index) cheek \(cheek) vs \(skin)")
            }
        }
    }

    @Test func placementsPerSecondCoverEachSecondAndTheLastFrame() throws {
        let renderer = FrameRenderer(spec: try spec(duration: 2.5, cameos: 2))
        let frames = renderer.placementsPerSecond().map(\.frame)
        #expect(frames == [0, 0, 24, 24, 48, 48, 59, 59])
        #expect(renderer.placementsPerSecond().map(\.ownerID).prefix(2) == ["sub_0", "sub_1"])
    }

    func overlaps(_ a: PixelBox, _ b: PixelBox) -> Bool {
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    }
}

@Suite struct AudioSynthesizerTests {
    @Test func theTrackIsDeterministicAsLongAsThePictureAndAudible() throws {
        let spec = try RenderSpec(prompt: "calm lake at sunset", seed: 9, width: 64, height: 64, fps: 24, duration: 2)
        let a = AudioSynthesizer(spec: spec).samples()
        #expect(fingerprint(AudioSynthesizer(spec: spec).pcmBytes()) == fingerprint(AudioSynthesizer(spec: spec).pcmBytes()))
        #expect(a.count == 96_000)
        let peak = a.map { abs(Int($0)) }.max()!
        #expect(peak > 8000 && peak < 32767)
        #expect(a.first == 0)  // fades in from silence
        let rms = (a.map { Double($0) * Double($0) }.reduce(0, +) / Double(a.count)).squareRoot()
        #expect(rms > 1000)
    }

    @Test func aDifferentPromptScoresDifferently() throws {
        let a = try RenderSpec(prompt: "calm lake at sunset", seed: 9, width: 64, height: 64, duration: 1)
        let b = try RenderSpec(prompt: "stormy night in the city", seed: 9, width: 64, height: 64, duration: 1)
        #expect(fingerprint(AudioSynthesizer(spec: a).pcmBytes()) != fingerprint(AudioSynthesizer(spec: b).pcmBytes()))
        let pcm = AudioSynthesizer(spec: a).pcmBytes()
        let samples = AudioSynthesizer(spec: a).samples()
        #expect(pcm.count == samples.count * 2)
        #expect(Int16(bitPattern: UInt16(pcm[2000]) | UInt16(pcm[2001]) << 8) == samples[1000])
    }
}
