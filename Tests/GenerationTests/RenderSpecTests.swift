import Foundation
import Generation
import Testing

/// One invalid input and the stable code it must be rejected with.
struct InvalidInput: Sendable, CustomTestStringConvertible {
    let name: String
    let code: GenerationError.Code
    let make: @Sendable () throws -> Void
    var testDescription: String { name }
}

let invalidInputs: [InvalidInput] = [
    InvalidInput(name: "empty prompt", code: .invalidPrompt) { _ = try RenderSpec(prompt: "", seed: 1) },
    InvalidInput(name: "blank prompt", code: .invalidPrompt) { _ = try RenderSpec(prompt: " \n\t ", seed: 1) },
    InvalidInput(name: "oversized prompt", code: .invalidPrompt) { _ = try RenderSpec(prompt: String(repeating: "a", count: 4001), seed: 1) },
    InvalidInput(name: "odd width", code: .invalidSize) { _ = try RenderSpec(prompt: "p", seed: 1, width: 721) },
    InvalidInput(name: "odd height", code: .invalidSize) { _ = try RenderSpec(prompt: "p", seed: 1, height: 1279) },
    InvalidInput(name: "width below 64", code: .invalidSize) { _ = try RenderSpec(prompt: "p", seed: 1, width: 62) },
    InvalidInput(name: "height above 1920", code: .invalidSize) { _ = try RenderSpec(prompt: "p", seed: 1, height: 1922) },
    InvalidInput(name: "fps zero", code: .invalidFrameRate) { _ = try RenderSpec(prompt: "p", seed: 1, fps: 0) },
    InvalidInput(name: "fps 61", code: .invalidFrameRate) { _ = try RenderSpec(prompt: "p", seed: 1, fps: 61) },
    InvalidInput(name: "duration zero", code: .invalidDuration) { _ = try RenderSpec(prompt: "p", seed: 1, duration: 0) },
    InvalidInput(name: "duration over 60 s", code: .invalidDuration) { _ = try RenderSpec(prompt: "p", seed: 1, duration: 60.01) },
    InvalidInput(name: "duration NaN", code: .invalidDuration) { _ = try RenderSpec(prompt: "p", seed: 1, duration: .nan) },
    InvalidInput(name: "duration under one frame", code: .invalidDuration) { _ = try RenderSpec(prompt: "p", seed: 1, fps: 24, duration: 0.01) },
    InvalidInput(name: "face bytes short", code: .invalidFace) { _ = try RGBFace(width: 150, height: 150, pixels: [UInt8](repeating: 0, count: 150 * 150 * 3 - 1)) },
    InvalidInput(name: "face too small", code: .invalidFace) { _ = try RGBFace(width: 8, height: 8, pixels: [UInt8](repeating: 0, count: 8 * 8 * 3)) },
    InvalidInput(name: "owner id with space", code: .invalidCameo) { _ = try CameoAppearance(ownerID: "bad id", face: try syntheticFace()) },
    InvalidInput(name: "empty owner id", code: .invalidCameo) { _ = try CameoAppearance(ownerID: "", face: try syntheticFace()) },
    InvalidInput(name: "oversized preferences", code: .invalidCameo) {
        _ = try CameoAppearance(ownerID: "sub_a", face: try syntheticFace(), preferences: String(repeating: "x", count: 2001))
    },
    InvalidInput(name: "duplicate owner", code: .invalidCameo) {
        let face = try syntheticFace()
        _ = try RenderSpec(prompt: "p", seed: 1, cameos: [try CameoAppearance(ownerID: "sub_a", face: face), try CameoAppearance(ownerID: "sub_a", face: face)])
    },
    InvalidInput(name: "five cameos", code: .tooManyCameos) {
        let face = try syntheticFace()
        _ = try RenderSpec(prompt: "p", seed: 1, cameos: try (0..<5).map { try CameoAppearance(ownerID: "sub_\($0)", face: face) })
    },
    InvalidInput(name: "metadata key with '='", code: .invalidMetadata) { _ = try RenderSpec(prompt: "p", seed: 1, metadata: ["a=b": "c"]) },
    InvalidInput(name: "empty metadata key", code: .invalidMetadata) { _ = try RenderSpec(prompt: "p", seed: 1, metadata: ["": "c"]) },
    InvalidInput(name: "metadata value with NUL", code: .invalidMetadata) { _ = try RenderSpec(prompt: "p", seed: 1, metadata: ["comment": "a\u{0}b"]) },
]

@Suite struct RenderSpecTests {
    @Test(arguments: invalidInputs)
    func invalidInputIsRejectedWithItsStableCode(_ input: InvalidInput) {
        let error = #expect(throws: GenerationError.self) { try input.make() }
        #expect(error?.code == input.code.rawValue)
        #expect(error?.kind == .invalidInput)
    }

    @Test func defaultsAreTenSecondsOfVertical720pAt24fps() throws {
        let spec = try RenderSpec(prompt: "a walk in the park", seed: 7)
        #expect(spec.width == 720 && spec.height == 1280 && spec.fps == 24 && spec.duration == 10)
        #expect(spec.frameCount == 240)
        #expect(spec.cameos.isEmpty && spec.metadata.isEmpty)
    }

    @Test func boundaryValuesAreAccepted() throws {
        let face = try syntheticFace()
        let cameos = try (0..<RenderSpec.maxCameos).map { try CameoAppearance(ownerID: "sub_\($0)", face: face) }
        let small = try RenderSpec(prompt: "x", seed: 0, width: 64, height: 64, fps: 1, duration: 60, cameos: cameos)
        #expect(small.frameCount == 60)
        let large = try RenderSpec(prompt: "x", seed: .max, width: 1920, height: 1920, fps: 60, duration: 0.5,
                                   metadata: ["comment": "ok", "cameoguard_manifest": String(repeating: "m", count: 60_000)])
        #expect(large.frameCount == 30)
    }

    @Test(arguments: [
        ("", 0.25, 0.45, 1.0),
        ("please keep me small", 0.25, 0.33, 1.0),
        ("Large, close-up and FAST!", 0.37, 0.45, 1.6),
        ("calm, subtle presence", 0.25, 0.33, 0.5),
    ])
    func preferencesKeywordsSetMotionStyle(_ text: String, _ minScale: Double, _ maxScale: Double, _ speed: Double) {
        let style = MotionStyle(preferences: text)
        #expect(style.minScale == minScale && style.maxScale == maxScale && style.speed == speed)
    }

    @Test func errorCodesAreStableStrings() {
        #expect(GenerationError.Code.unavailable.rawValue == "generator_unavailable")
        #expect(GenerationError.Code.encodeFailed.rawValue == "generator_encode_failed")
        #expect(Set(GenerationError.Code.allCases.map(\.rawValue)).count == GenerationError.Code.allCases.count)
        #expect(GenerationError.Code.allCases.allSatisfy { $0.rawValue.hasPrefix("generator_") })
    }
}
