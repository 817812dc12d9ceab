/// An error from the spoken-digit recogniser.
///
/// `code` is stable and meant for API responses and metrics; `message` is for humans and logs.
/// Codes: `speech_model_missing` (model files absent), `speech_decoder_init_failed` (PocketSphinx
/// refused the configuration or model), `speech_no_audio` (empty or too-short input),
/// `speech_decode_failed` (PocketSphinx rejected the audio), `invalid_argument` (bad digit count
/// or sample rate).
public struct SpeechError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Stable machine-readable error code, e.g. `speech_model_missing`.
    public let code: String
    /// Human-readable detail.
    public let message: String

    /// Creates an error with a stable `code` and a human-readable `message`.
    public init(_ code: String, _ message: String = "") {
        self.code = code
        self.message = message
    }

    /// `code: message` (or just `code` when there is no message).
    public var description: String { message.isEmpty ? code : "\(code): \(message)" }
}
