import CDlib
import Foundation

/// Encoded image formats the decoder accepts.
public enum ImageFormat: String, Sendable, Hashable {
    /// JPEG (baseline or progressive; greyscale or YCbCr/RGB).
    case jpeg
    /// PNG (any bit depth and colour type; alpha is dropped).
    case png
}

/// What an image header says, read without decoding pixels.
public struct ImageInfo: Sendable, Hashable {
    /// The detected format.
    public let format: ImageFormat
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
}

/// Decodes JPEG and PNG bytes held in memory into ``RGBImage``.
///
/// The header is read first and the pixel budget checked before any pixel buffer is
/// allocated. Every failure is a ``FaceMatchError`` (`image_empty`, `image_unsupported`,
/// `image_corrupt`, `image_too_large`); no input makes it crash. Results match PIL's
/// `Image.open(...).convert("RGB")`: alpha is dropped, not composited.
public struct ImageDecoder: Sendable {
    /// Default pixel budget: 40 megapixels (about 120 MB of RGB).
    public static let defaultMaxPixels = 40_000_000

    /// Largest `width * height` this decoder accepts.
    public let maxPixels: Int

    /// Creates a decoder with a pixel budget; `maxPixels` must be positive.
    public init(maxPixels: Int = ImageDecoder.defaultMaxPixels) {
        precondition(maxPixels > 0, "maxPixels must be positive")
        self.maxPixels = maxPixels
    }

    /// Reads format and dimensions from the header.
    public func probe(_ bytes: some ContiguousBytes) throws -> ImageInfo {
        try bytes.withUnsafeBytes { raw in try probe(raw) }
    }

    /// Decodes the image, checking the pixel budget before allocating.
    public func decode(_ bytes: some ContiguousBytes) throws -> RGBImage {
        try bytes.withUnsafeBytes { raw in
            let info = try probe(raw)
            return try RGBImage(width: info.width, height: info.height) { out in
                var error = cdlib_error()
                let status = cdlib_image_decode(
                    raw.bindMemory(to: UInt8.self).baseAddress, raw.count,
                    out.baseAddress, Int32(info.width), Int32(info.height), &error)
                try Self.check(status, error)
            }
        }
    }

    private func probe(_ raw: UnsafeRawBufferPointer) throws -> ImageInfo {
        guard raw.count > 0, let base = raw.bindMemory(to: UInt8.self).baseAddress else {
            throw FaceMatchError(.imageEmpty, "image data is empty")
        }
        var format: Int32 = 0
        var width: Int32 = 0
        var height: Int32 = 0
        var error = cdlib_error()
        try Self.check(cdlib_image_probe(base, raw.count, &format, &width, &height, &error), error)
        let kind: ImageFormat = format == Int32(CDLIB_FORMAT_PNG.rawValue) ? .png : .jpeg
        let pixels = Int(width) * Int(height)
        guard Int(width) <= RGBImage.maxDimension, Int(height) <= RGBImage.maxDimension, pixels <= maxPixels else {
            throw FaceMatchError(.imageTooLarge, "\(kind.rawValue) of \(width)x\(height) exceeds the limit of \(maxPixels) pixels")
        }
        return ImageInfo(format: kind, width: Int(width), height: Int(height))
    }

    /// Maps a shim status to the decoder's error codes.
    static func check(_ status: Int32, _ error: cdlib_error) throws {
        guard status != Int32(CDLIB_OK.rawValue) else { return }
        let message = ShimMessage.text(of: error)
        switch UInt32(status) {
        case CDLIB_ERR_UNSUPPORTED.rawValue:
            throw FaceMatchError(.imageUnsupported, message)
        case CDLIB_ERR_CORRUPT.rawValue:
            throw FaceMatchError(.imageCorrupt, message)
        case CDLIB_ERR_NO_MEMORY.rawValue:
            throw FaceMatchError(.imageTooLarge, "out of memory while decoding: \(message)")
        default:
            throw FaceMatchError(.internalFailure, "image decoding failed: \(message)")
        }
    }
}

/// Reads the fixed-size message buffer of a `cdlib_error`.
enum ShimMessage {
    /// The NUL-terminated message, or a placeholder if it is empty.
    static func text(of error: cdlib_error) -> String {
        var copy = error
        let text = withUnsafeBytes(of: &copy.message) { raw -> String in
            let bytes = raw.bindMemory(to: UInt8.self)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<end], as: UTF8.self)
        }
        return text.isEmpty ? "no details" : text
    }
}
