/// An 8-bit RGB image with tightly packed rows (`width * 3` bytes each), validated at creation.
///
/// This is the only pixel format FaceMatch works on; decoders produce it and the dlib shim
/// reads it without copying.
public struct RGBImage: Sendable, Hashable {
    /// Largest width or height accepted (dlib and the decoders use 16-bit-safe dimensions).
    public static let maxDimension = 65_535

    /// Width in pixels, at least 1.
    public let width: Int
    /// Height in pixels, at least 1.
    public let height: Int
    /// Pixel data, row-major, `R, G, B` per pixel; exactly `width * height * 3` bytes.
    public let pixels: [UInt8]

    /// Wraps pixel data; throws `image_invalid` when the dimensions and byte count disagree.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard (1...Self.maxDimension).contains(width), (1...Self.maxDimension).contains(height) else {
            throw FaceMatchError(.imageInvalid, "image dimensions \(width)x\(height) out of range 1...\(Self.maxDimension)")
        }
        guard pixels.count == width * height * 3 else {
            throw FaceMatchError(.imageInvalid, "expected \(width * height * 3) bytes for \(width)x\(height) RGB, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Creates an image by filling a new buffer; `fill` must write every byte it is given.
    init(width: Int, height: Int, fill: (UnsafeMutableBufferPointer<UInt8>) throws -> Void) throws {
        guard (1...Self.maxDimension).contains(width), (1...Self.maxDimension).contains(height) else {
            throw FaceMatchError(.imageInvalid, "image dimensions \(width)x\(height) out of range")
        }
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        try bytes.withUnsafeMutableBufferPointer { try fill($0) }
        self.init(unchecked: width, height, bytes)
    }

    /// Number of bytes in one row.
    public var bytesPerRow: Int { width * 3 }

    /// The pixel at column `x`, row `y`; both must be inside the image.
    public func pixel(x: Int, y: Int) -> (red: UInt8, green: UInt8, blue: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        let offset = (y * width + x) * 3
        return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
    }

    /// The image flipped left to right (a mirror image).
    public func mirrored() -> RGBImage {
        var out = [UInt8](repeating: 0, count: pixels.count)
        let rowBytes = bytesPerRow
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let row = y * rowBytes
                    for x in 0..<width {
                        let from = row + x * 3
                        let to = row + (width - 1 - x) * 3
                        dst[to] = src[from]
                        dst[to + 1] = src[from + 1]
                        dst[to + 2] = src[from + 2]
                    }
                }
            }
        }
        // Dimensions are unchanged, so the invariant still holds.
        return RGBImage(unchecked: width, height, out)
    }

    /// Internal initializer for buffers whose size is already known to be right.
    init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
        assert(pixels.count == width * height * 3)
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

extension RGBImage: CustomStringConvertible {
    /// A short summary such as `RGBImage(640x360)`.
    public var description: String { "RGBImage(\(width)x\(height))" }
}
