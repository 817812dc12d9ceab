import Foundation

/// The embedded generator's soundtrack: a deterministic chord progression (pad, bass and an
/// arpeggio, each a sine with an envelope) whose key, mode, tempo and pattern derive from the
/// prompt and seed. Output is mono signed 16-bit little-endian PCM at 48 kHz, exactly as long
/// as the picture track.
public struct AudioSynthesizer: Sendable {
    /// Samples per second.
    public static let sampleRate = 48_000

    /// The spec being scored.
    public let spec: RenderSpec
    let rootMidi: Int
    let minor: Bool
    let beatsPerMinute: Double
    let progression: [Int]
    let arpeggio: [Int]

    /// Chooses key, mode, tempo, progression and arpeggio pattern from the prompt and seed.
    public init(spec: RenderSpec) {
        self.spec = spec
        var h = FNV1a64()
        h.combine("audio:".utf8)
        h.combine(spec.prompt.utf8)
        h.combine(spec.seed)
        var rng = Xoshiro256StarStar(seed: h.value)
        let words = Set(PromptWords.split(spec.prompt))
        let darkWords: Set<String> = ["night", "dark", "sad", "storm", "stormy", "rain", "rainy", "mystery", "melancholy", "midnight"]
        minor = !words.isDisjoint(with: darkWords)
        rootMidi = 45 + Int(FNV1a64.hash(spec.prompt) % 12)
        beatsPerMinute = rng.double(in: 80...112).rounded()
        let progressions = minor
            ? [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 3, 6, 2]]
            : [[0, 4, 5, 3], [0, 3, 4, 3], [0, 5, 3, 4], [5, 3, 0, 4]]
        progression = progressions[rng.int(in: 0...(progressions.count - 1))]
        let patterns = [[0, 1, 2, 1], [0, 2, 1, 2], [0, 1, 2, 3], [2, 1, 0, 1]]
        arpeggio = patterns[rng.int(in: 0...(patterns.count - 1))]
    }

    /// Samples in the track: the picture's duration (`frameCount / fps`) at `sampleRate`.
    public var sampleCount: Int { spec.frameCount * Self.sampleRate / spec.fps }

    /// The whole track as samples.
    public func samples() -> [Int16] {
        let rate = Double(Self.sampleRate)
        let beat = 60 / beatsPerMinute, bar = 4 * beat, eighth = beat / 2
        let total = Double(sampleCount) / rate
        let chords = progression.map(triad)
        var out = [Int16](repeating: 0, count: sampleCount)
        for n in 0..<sampleCount {
            let t = Double(n) / rate
            let barIndex = Int(t / bar)
            let chord = chords[barIndex % chords.count]
            let inBar = t - Double(barIndex) * bar
            let padEnvelope = min(1, inBar / 0.08) * min(1, (bar - inBar) / 0.15)
            var v = 0.0
            for note in chord {
                let f = frequency(note + 12)
                v += 0.10 * padEnvelope * (sin(2 * .pi * f * t) + 0.3 * sin(4 * .pi * f * t))
            }
            let inBeat = t.truncatingRemainder(dividingBy: beat)
            v += 0.20 * min(1, inBeat / 0.01) * exp(-3 * inBeat) * sin(2 * .pi * frequency(chord[0] - 12) * t)
            let eighthIndex = Int(t / eighth)
            let inEighth = t - Double(eighthIndex) * eighth
            let step = arpeggio[eighthIndex % arpeggio.count]
            let arpNote = step < 3 ? chord[step] + 24 : chord[0] + 36
            v += 0.09 * min(1, inEighth / 0.005) * exp(-8 * inEighth) * sin(2 * .pi * frequency(arpNote) * t)
            // Fades at both ends so the clip starts and stops without a click.
            v *= min(1, t / 0.02) * min(1, max(0, total - t) / 0.05)
            out[n] = Int16(max(-32767, min(32767, (v * 32767 * 0.9).rounded())))
        }
        return out
    }

    /// The track as raw PCM bytes (`s16le`), ready for ffmpeg's `-f s16le` input.
    public func pcmBytes() -> [UInt8] {
        let s = samples()
        var bytes = [UInt8](repeating: 0, count: s.count * 2)
        for (i, v) in s.enumerated() {
            let u = UInt16(bitPattern: v)
            bytes[2 * i] = UInt8(truncatingIfNeeded: u)
            bytes[2 * i + 1] = UInt8(truncatingIfNeeded: u >> 8)
        }
        return bytes
    }

    /// MIDI notes of the triad on scale degree `degree` (0-based) of the clip's key.
    func triad(_ degree: Int) -> [Int] {
        let scale = minor ? [0, 2, 3, 5, 7, 8, 10] : [0, 2, 4, 5, 7, 9, 11]
        return [degree, degree + 2, degree + 4].map { d in rootMidi + scale[d % 7] + 12 * (d / 7) }
    }

    private func frequency(_ midi: Int) -> Double { 440 * pow(2, Double(midi - 69) / 12) }
}
