// Internal helpers shared by the shim's translation units (not part of the C interface):
// error reporting that never throws, and the interface between decode.cpp and the codecs.
#ifndef CDLIB_SHIM_HPP
#define CDLIB_SHIM_HPP

#include "cdlib.h"
#include <cstdio>
#include <cstring>

namespace cdlib_detail {

/// Fills `err` (if any) and returns `status`, so callers can write `return fail(...)`.
inline int32_t fail(cdlib_error *err, cdlib_status status, const char *message) {
    if (err != nullptr) {
        err->status = status;
        std::snprintf(err->message, sizeof(err->message), "%s", message ? message : "");
    }
    return status;
}

/// Marks `err` as success.
inline int32_t ok(cdlib_error *err) {
    if (err != nullptr) {
        err->status = CDLIB_OK;
        err->message[0] = '\0';
    }
    return CDLIB_OK;
}

/// Validates a caller-owned RGB buffer description.
inline bool valid_rgb(const uint8_t *rgb, int32_t width, int32_t height) {
    return rgb != nullptr && width > 0 && height > 0 && width <= 65535 && height <= 65535;
}

// ---------------------------------------------------------------- codecs

/// What a codec run produced: a cdlib_status and, on failure, a message.
struct DecodeOutcome {
    int32_t status;
    char message[200];
};

/// JPEG via libjpeg. With `out == nullptr` only reads the header into `*width`/`*height`;
/// otherwise decodes into `out`, which must hold `*width * *height * 3` bytes matching the
/// header. A truncated stream is CDLIB_ERR_CORRUPT; CMYK/YCCK is CDLIB_ERR_UNSUPPORTED.
DecodeOutcome decode_jpeg(const uint8_t *data, size_t size, uint8_t *out, int32_t *width, int32_t *height);

/// PNG via libpng into `out` (`width * height * 3` bytes matching the header), converted
/// like PIL's convert("RGB"): palette expanded, grey replicated, alpha dropped, 16-bit
/// samples reduced to their high byte.
DecodeOutcome decode_png(const uint8_t *data, size_t size, uint8_t *out, int32_t width, int32_t height);

} // namespace cdlib_detail

#endif
