import CPocketSphinx
import Foundation
import Synchronization

/// Offline recogniser for a spoken string of a known number of digits (liveness prompts such as
/// "read 3 7 1 9 aloud"), built on PocketSphinx with the US-English acoustic model.
///
/// Each call decodes against a JSGF grammar of *exactly* `digitCount` words from
/// zero…nine/oh, which keeps the decoder from inserting or dropping words. The audio is padded
/// with deterministic low-level white noise, so the same input always gives the same transcript.
///
/// PocketSphinx decoders are not thread-safe, and creating one costs tens of milliseconds
/// (acoustic model load), so the recogniser keeps a small pool behind a `Mutex`: each call checks
/// a decoder out, so concurrent calls never share one. When the pool is empty a new decoder is
/// created; at most `maxPooledDecoders` idle decoders are kept.
public final class DigitRecognizer: Sendable {
    /// The only supported input sample rate (mono, 16-bit); resample other audio first.
    public static let sampleRate = 16000
    /// Accepted values of `digitCount`.
    public static let digitCounts = 1...12
    /// Shortest accepted input (0.1 s); shorter audio throws `speech_no_audio`.
    public static let minimumSamples = sampleRate / 10

    /// Seconds of noise added before and after the caller's audio.
    static let paddingSeconds = 0.3
    /// Peak amplitude of the padding noise (Int16 units).
    static let paddingAmplitude: Int32 = 30

    private let arguments: [String]
    private let maxPooled: Int
    private let pool: Mutex<[Decoder]>

    /// Loads the model and creates the first decoder (so a broken model fails here, not later).
    ///
    /// - Parameters:
    ///   - modelDirectory: directory holding the US-English acoustic model directory `en-us/`
    ///     (Debian's `pocketsphinx-en-us` layout). The pronunciation dictionary is not read: the
    ///     eleven digit words are built in (CMUdict pronunciations).
    ///   - maxPooledDecoders: idle decoders kept for reuse (≥ 1); each holds ~the acoustic model.
    /// - Throws: `SpeechError` `speech_model_missing` if a model file is absent,
    ///   `speech_decoder_init_failed` if PocketSphinx rejects the model.
    public init(modelDirectory: String = "/usr/share/pocketsphinx/model/en-us", maxPooledDecoders: Int = 2) throws {
        let hmm = modelDirectory + "/en-us"
        let required = ["mdef", "means", "variances", "transition_matrices", "feat.params", "noisedict"].map { hmm + "/" + $0 }
        for path in required where !FileManager.default.fileExists(atPath: path) {
            throw SpeechError("speech_model_missing", "PocketSphinx model file not found: \(path)")
        }
        // No -dict: the 130k-word CMUdict costs ~90 ms and ~28 MB per decoder; the digit words
        // are added directly instead (~11 ms, ~6 MB).
        arguments = ["-hmm", hmm, "-wip", "1e-3", "-logfn", "/dev/null"]
        maxPooled = max(1, maxPooledDecoders)
        pool = Mutex([try Decoder(arguments: arguments)])
    }

    /// Recognises `digitCount` spoken digits in 16 kHz mono PCM.
    ///
    /// The grammar forces exactly `digitCount` words, so *some* digits are returned for any
    /// audio, including noise: compare `digits` with the expected prompt rather than trusting a
    /// non-empty result. `digits` is shorter than `digitCount` only when the decoder never
    /// reached the end of the grammar.
    ///
    /// - Throws: `SpeechError` `invalid_argument` (digitCount outside 1...12, or a sample rate
    ///   other than 16000), `speech_no_audio` (fewer than `minimumSamples` samples),
    ///   `speech_decode_failed` / `speech_decoder_init_failed` on PocketSphinx failures.
    public func recognize(samples: [Int16], sampleRate: Int = 16000, digitCount: Int) throws -> DigitTranscript {
        guard Self.digitCounts.contains(digitCount) else {
            throw SpeechError("invalid_argument", "digitCount must be in \(Self.digitCounts), got \(digitCount)")
        }
        guard sampleRate == Self.sampleRate else {
            throw SpeechError("invalid_argument", "sample rate must be \(Self.sampleRate) Hz, got \(sampleRate); resample first")
        }
        guard samples.count >= Self.minimumSamples else {
            throw SpeechError("speech_no_audio", "need at least \(Self.minimumSamples) samples (0.1 s), got \(samples.count)")
        }
        let audio = Self.padded(samples)
        let decoder = try checkOut()
        // A decoder that failed mid-utterance is dropped rather than returned to the pool.
        let transcript = try decoder.decode(audio, digitCount: digitCount)
        checkIn(decoder)
        return transcript
    }

    private func checkOut() throws -> Decoder {
        if let decoder = pool.withLock({ $0.popLast() }) { return decoder }
        return try Decoder(arguments: arguments)
    }

    private func checkIn(_ decoder: Decoder) {
        pool.withLock { idle in
            if idle.count < maxPooled { idle.append(decoder) }
        }
    }

    /// `samples` with `paddingSeconds` of seeded uniform noise in ±`paddingAmplitude` on both
    /// sides. Digital silence at the edges derails PocketSphinx's noise/CMN estimates; low noise
    /// does not.
    static func padded(_ samples: [Int16]) -> [Int16] {
        let pad = Int(paddingSeconds * Double(sampleRate))
        var rng = SplitMix64(seed: 0x5EED_D161)
        let span = UInt64(2 * paddingAmplitude + 1)
        func noise() -> Int16 { Int16(Int32(rng.next() % span) - paddingAmplitude) }
        var out = [Int16]()
        out.reserveCapacity(samples.count + 2 * pad)
        for _ in 0..<pad { out.append(noise()) }
        out.append(contentsOf: samples)
        for _ in 0..<pad { out.append(noise()) }
        return out
    }
}

/// Words of the digit grammar and the digit each stands for.
private let digitWords: [String: Character] = [
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
]

/// CMUdict (cmudict-en-us.dict) pronunciations of the grammar words, including variants.
private let digitPronunciations: [(word: String, phones: String)] = [
    ("zero", "Z IH R OW"), ("zero(2)", "Z IY R OW"), ("oh", "OW"), ("one", "W AH N"),
    ("one(2)", "HH W AH N"), ("two", "T UW"), ("three", "TH R IY"), ("four", "F AO R"),
    ("five", "F AY V"), ("six", "S IH K S"), ("seven", "S EH V AH N"), ("eight", "EY T"),
    ("nine", "N AY N"),
]

/// JSGF grammar accepting exactly `count` digit words.
private func digitGrammar(count: Int) -> String {
    """
    #JSGF V1.0;
    grammar digits;
    public <digits> = \(Array(repeating: "<d>", count: count).joined(separator: " "));
    <d> = zero | one | two | three | four | five | six | seven | eight | nine | oh;
    """
}

/// One PocketSphinx decoder plus the digit-count grammars already registered on it.
///
/// `@unchecked Sendable`: the decoder is not thread-safe, but `DigitRecognizer` hands each
/// instance to exactly one caller at a time (pool check-out/check-in under a `Mutex`).
private final class Decoder: @unchecked Sendable {
    private let ps: OpaquePointer
    private var grammars = Set<Int>()

    init(arguments: [String]) throws {
        cg_ps_silence_logging()
        var argv = arguments.map { strdup($0) }
        defer { argv.forEach { free($0) } }
        guard let config = cg_ps_config(Int32(argv.count), &argv) else {
            throw SpeechError("speech_decoder_init_failed", "PocketSphinx rejected the configuration \(arguments)")
        }
        guard let ps = cg_ps_init(config) else {
            throw SpeechError("speech_decoder_init_failed", "PocketSphinx could not load the model")
        }
        self.ps = ps
        // ps_add_word returns the new word id, or -1 on failure (e.g. a phone the model lacks).
        for entry in digitPronunciations where ps_add_word(ps, entry.word, entry.phones, 0) < 0 {
            throw SpeechError("speech_decoder_init_failed", "the acoustic model cannot pronounce \"\(entry.word)\"")
        }
    }

    deinit { ps_free(ps) }

    func decode(_ audio: [Int16], digitCount: Int) throws -> DigitTranscript {
        let search = "digits\(digitCount)"
        if !grammars.contains(digitCount) {
            guard ps_set_jsgf_string(ps, search, digitGrammar(count: digitCount)) == 0 else {
                throw SpeechError("speech_decoder_init_failed", "PocketSphinx rejected the \(digitCount)-digit grammar")
            }
            grammars.insert(digitCount)
        }
        guard ps_set_search(ps, search) == 0, ps_start_utt(ps) == 0 else {
            throw SpeechError("speech_decode_failed", "could not start an utterance")
        }
        let processed = audio.withUnsafeBufferPointer { ps_process_raw(ps, $0.baseAddress, $0.count, 0, 1) }
        guard ps_end_utt(ps) == 0, processed >= 0 else {
            throw SpeechError("speech_decode_failed", "PocketSphinx could not process the audio")
        }
        var score: Int32 = 0
        guard let hyp = ps_get_hyp(ps, &score) else {
            return DigitTranscript(digits: "", words: [], score: score, probability: nil)
        }
        let words = String(cString: hyp).split(separator: " ").compactMap { token -> String? in
            // Drop pronunciation-variant suffixes ("zero(2)") and anything outside the grammar.
            let word = String(token.prefix { $0 != "(" })
            return digitWords[word] == nil ? nil : word
        }
        let digits = String(words.compactMap { digitWords[$0] })
        return DigitTranscript(digits: digits, words: words, score: score, probability: ps_get_prob(ps))
    }
}

/// Small deterministic PRNG for the padding noise (Vigna's SplitMix64).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
