// In-memory JPEG/PNG decoding entry points: format sniffing, header probing, decoding.
//
// libjpeg and libpng are used directly (they are dlib's own dependencies) rather than
// dlib::load_jpeg/load_png from memory because, as checked against dlib 19.24, those loaders
// accept a truncated JPEG silently (libjpeg only warns and pads with grey), composite RGBA onto
// black instead of dropping alpha as PIL does, and mangle 16-bit PNGs (grey saturates at 255,
// RGB keeps the low byte).
#include "shim.hpp"

#include <cstring>
#include <new>

using cdlib_detail::fail;
using cdlib_detail::ok;

namespace {

const uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

int32_t sniff(const uint8_t *data, size_t size) {
    if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return CDLIB_FORMAT_JPEG;
    if (size >= 8 && std::memcmp(data, kPngSignature, 8) == 0) return CDLIB_FORMAT_PNG;
    return CDLIB_FORMAT_UNKNOWN;
}

uint32_t read_be32(const uint8_t *p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

int32_t report(const cdlib_detail::DecodeOutcome &outcome, cdlib_error *err) {
    if (outcome.status == CDLIB_OK) return ok(err);
    return fail(err, static_cast<cdlib_status>(outcome.status), outcome.message);
}

// IHDR must be the first chunk: length 13, type "IHDR", then width and height.
int32_t probe_png(const uint8_t *data, size_t size, int32_t *width, int32_t *height, cdlib_error *err) {
    if (size < 33) return fail(err, CDLIB_ERR_CORRUPT, "PNG header is truncated");
    if (read_be32(data + 8) != 13 || std::memcmp(data + 12, "IHDR", 4) != 0)
        return fail(err, CDLIB_ERR_CORRUPT, "PNG does not start with an IHDR chunk");
    uint32_t w = read_be32(data + 16), h = read_be32(data + 20);
    if (w == 0 || h == 0 || w > 0x7FFFFFFF || h > 0x7FFFFFFF)
        return fail(err, CDLIB_ERR_CORRUPT, "PNG has invalid dimensions");
    *width = static_cast<int32_t>(w);
    *height = static_cast<int32_t>(h);
    return ok(err);
}

} // namespace

extern "C" int32_t cdlib_image_probe(const uint8_t *data, size_t size, int32_t *format,
                                     int32_t *width, int32_t *height, cdlib_error *err) {
    try {
        if (data == nullptr || format == nullptr || width == nullptr || height == nullptr)
            return fail(err, CDLIB_ERR_ARGUMENT, "NULL argument");
        *format = sniff(data, size);
        if (*format == CDLIB_FORMAT_PNG) return probe_png(data, size, width, height, err);
        if (*format == CDLIB_FORMAT_JPEG)
            return report(cdlib_detail::decode_jpeg(data, size, nullptr, width, height), err);
        return fail(err, CDLIB_ERR_UNSUPPORTED, "not a JPEG or PNG image");
    } catch (const std::bad_alloc &) {
        return fail(err, CDLIB_ERR_NO_MEMORY, "out of memory");
    } catch (...) {
        return fail(err, CDLIB_ERR_INTERNAL, "unexpected exception while probing image");
    }
}

extern "C" int32_t cdlib_image_decode(const uint8_t *data, size_t size, uint8_t *rgb_out,
                                      int32_t width, int32_t height, cdlib_error *err) {
    try {
        if (data == nullptr || !cdlib_detail::valid_rgb(rgb_out, width, height))
            return fail(err, CDLIB_ERR_ARGUMENT, "invalid buffer or dimensions");
        switch (sniff(data, size)) {
        case CDLIB_FORMAT_JPEG:
            return report(cdlib_detail::decode_jpeg(data, size, rgb_out, &width, &height), err);
        case CDLIB_FORMAT_PNG:
            return report(cdlib_detail::decode_png(data, size, rgb_out, width, height), err);
        default:
            return fail(err, CDLIB_ERR_UNSUPPORTED, "not a JPEG or PNG image");
        }
    } catch (const std::bad_alloc &) {
        return fail(err, CDLIB_ERR_NO_MEMORY, "out of memory");
    } catch (...) {
        return fail(err, CDLIB_ERR_INTERNAL, "unexpected exception while decoding image");
    }
}
