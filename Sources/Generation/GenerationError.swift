import CameoCore

/// Errors from the Generation module. `code` is stable once published: clients, the HTTP layer
/// and tests branch on it; `message` is for people and may change.
public struct GenerationError: CodedError, Equatable {
    /// Stable machine code, e.g. `generator_encode_failed`.
    public let code: String
    /// Human-readable detail (for encoder failures, the tail of ffmpeg's stderr).
    public let message: String
    /// Decides the HTTP status and CLI exit code.
    public let kind: ErrorKind

    /// Creates an error with a stable `code`; `kind` defaults to `.invalidInput`.
    public init(_ code: String, _ message: String, kind: ErrorKind = .invalidInput) {
        self.code = code
        self.message = message
        self.kind = kind
    }

    /// The stable codes raised by the generator side of the module.
    public enum Code: String, Sendable, CaseIterable {
        /// Empty, overlong or control-character prompt.
        case invalidPrompt = "generator_invalid_prompt"
        /// Width/height odd or outside 64…1920.
        case invalidSize = "generator_invalid_size"
        /// Frame rate outside 1…60.
        case invalidFrameRate = "generator_invalid_fps"
        /// Duration not in (0, 60] seconds.
        case invalidDuration = "generator_invalid_duration"
        /// Face pixel buffer inconsistent with its dimensions, or dimensions out of range.
        case invalidFace = "generator_invalid_face"
        /// Owner id empty, malformed, duplicated, or preferences too long.
        case invalidCameo = "generator_invalid_cameo"
        /// More cameos than `RenderSpec.maxCameos`.
        case tooManyCameos = "generator_too_many_cameos"
        /// Metadata key or value unusable in a container tag.
        case invalidMetadata = "generator_invalid_metadata"
        /// The encoder binary is missing or cannot be started.
        case unavailable = "generator_unavailable"
        /// The encoder ran and failed (non-zero exit, closed its input early).
        case encodeFailed = "generator_encode_failed"
        /// Scratch files or the final output could not be written or moved into place.
        case outputFailed = "generator_output_failed"
    }

    /// Creates an error from one of the generator's stable codes.
    public init(_ code: Code, _ message: String, kind: ErrorKind = .invalidInput) {
        self.init(code.rawValue, message, kind: kind)
    }

    /// A spec field was rejected; always `.invalidInput`.
    static func invalid(_ code: Code, _ message: String) -> GenerationError {
        GenerationError(code, message, kind: .invalidInput)
    }

    /// The encoder cannot be run at all (missing binary, launch failure).
    static func unavailable(_ message: String) -> GenerationError {
        GenerationError(.unavailable, message, kind: .unavailable)
    }

    /// The encoder ran and failed; `stderrTail` is the end of what it printed.
    static func encodeFailed(_ message: String, stderrTail: String) -> GenerationError {
        let tail = stderrTail.trimmingTrailingWhitespace
        let detail = tail.isEmpty ? "" : "; ffmpeg said: \(tail)"
        return GenerationError(.encodeFailed, message + detail, kind: .internalFailure)
    }

    /// A file operation on scratch or output files failed.
    static func outputFailed(_ message: String) -> GenerationError {
        GenerationError(.outputFailed, message, kind: .internalFailure)
    }
}

extension String {
    /// The string without trailing spaces and newlines (ffmpeg output ends with several).
    var trimmingTrailingWhitespace: String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
