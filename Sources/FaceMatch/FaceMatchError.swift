import CameoCore

/// The one error type of FaceMatch: a stable code, a human message, and where it was raised.
///
/// Callers branch on ``errorCode`` (or the string ``code``); ``kind`` tells the HTTP layer and
/// the CLI which status or exit code to use.
public struct FaceMatchError: CodedError {
    /// Stable machine codes; the raw values are published and never reworded.
    public enum Code: String, Sendable, CaseIterable {
        /// The image data is empty.
        case imageEmpty = "image_empty"
        /// The bytes are not a JPEG or PNG, or use a variant that is not handled (CMYK JPEG).
        case imageUnsupported = "image_unsupported"
        /// The image is malformed or truncated.
        case imageCorrupt = "image_corrupt"
        /// The image has more pixels than the decoder allows.
        case imageTooLarge = "image_too_large"
        /// An `RGBImage` was built from inconsistent dimensions and pixel data.
        case imageInvalid = "image_invalid"
        /// A model file is absent from the models directory.
        case modelsMissing = "models_missing"
        /// A model file exists but could not be loaded.
        case modelInvalid = "model_invalid"
        /// The requested detector was not loaded (e.g. CNN without its model).
        case detectorUnavailable = "detector_unavailable"
        /// A descriptor does not have 128 finite components.
        case descriptorInvalid = "descriptor_invalid"
        /// An argument is out of its documented range.
        case invalidArgument = "invalid_argument"
        /// The video file does not exist.
        case videoNotFound = "video_not_found"
        /// The video cannot be probed or decoded.
        case videoCorrupt = "video_corrupt"
        /// The `ffmpeg` or `ffprobe` executable could not be found or started.
        case ffmpegMissing = "ffmpeg_missing"
        /// `ffmpeg` did not finish within the allowed time.
        case videoTimeout = "video_timeout"
        /// A gallery already holds an entry with this id.
        case galleryDuplicateID = "gallery_duplicate_id"
        /// dlib failed for a reason that is not the input's fault.
        case internalFailure = "facematch_internal"
    }

    /// The typed code.
    public let errorCode: Code
    /// Human-readable explanation; may change between releases.
    public let message: String
    /// Source file that raised the error.
    public let file: String
    /// Source line that raised the error.
    public let line: UInt

    /// Creates an error, recording the caller's source location.
    public init(_ errorCode: Code, _ message: String, file: String = #fileID, line: UInt = #line) {
        self.errorCode = errorCode
        self.message = message
        self.file = file
        self.line = line
    }

    /// The stable string code, e.g. `image_corrupt`.
    public var code: String { errorCode.rawValue }

    /// Coarse class used for HTTP status and CLI exit code.
    public var kind: ErrorKind {
        switch errorCode {
        case .imageEmpty, .imageUnsupported, .imageCorrupt, .imageInvalid, .descriptorInvalid,
             .invalidArgument, .videoCorrupt:
            return .invalidInput
        case .imageTooLarge:
            return .tooLarge
        case .videoNotFound:
            return .notFound
        case .galleryDuplicateID:
            return .conflict
        case .modelsMissing, .detectorUnavailable, .ffmpegMissing, .videoTimeout:
            return .unavailable
        case .modelInvalid, .internalFailure:
            return .internalFailure
        }
    }
}
