// PNG decoding with libpng from memory into a caller-owned RGB buffer.
//
// libpng reports fatal errors through longjmp: run_png keeps all its mutable state in a
// struct owned by its caller and creates no C++ objects with destructors, so a longjmp never
// skips a destructor.
#include "shim.hpp"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include <png.h>

namespace {

struct PngJob {
    const uint8_t *data;
    size_t size;
    size_t pos;
    uint8_t *out;
    int32_t width, height;
    png_structp png;
    png_infop info;
    png_bytep *rows;
    char message[200];
    int32_t status;
};

void on_error(png_structp png, png_const_charp msg) {
    auto *job = static_cast<PngJob *>(png_get_error_ptr(png));
    std::snprintf(job->message, sizeof(job->message), "%s", msg ? msg : "PNG error");
    png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void on_read(png_structp png, png_bytep dest, png_size_t length) {
    auto *job = static_cast<PngJob *>(png_get_io_ptr(png));
    if (job->size - job->pos < length) png_error(png, "PNG data is truncated");
    std::memcpy(dest, job->data + job->pos, length);
    job->pos += length;
}

void run_png(PngJob *job) {
    job->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, on_error, on_warning);
    if (job->png == nullptr) { job->status = CDLIB_ERR_NO_MEMORY; return; }
    job->info = png_create_info_struct(job->png);
    if (job->info == nullptr) {
        png_destroy_read_struct(&job->png, nullptr, nullptr);
        job->status = CDLIB_ERR_NO_MEMORY;
        return;
    }
    if (setjmp(png_jmpbuf(job->png))) {
        if (job->rows) png_free(job->png, job->rows);
        png_destroy_read_struct(&job->png, &job->info, nullptr);
        job->status = CDLIB_ERR_CORRUPT;
        return;
    }
    png_set_read_fn(job->png, job, on_read);
    png_set_chunk_malloc_max(job->png, 64u << 20);
    png_read_info(job->png, job->info);
    png_uint_32 w = png_get_image_width(job->png, job->info);
    png_uint_32 h = png_get_image_height(job->png, job->info);
    if (static_cast<int64_t>(w) != job->width || static_cast<int64_t>(h) != job->height) {
        png_destroy_read_struct(&job->png, &job->info, nullptr);
        job->status = CDLIB_ERR_ARGUMENT;
        std::snprintf(job->message, sizeof(job->message), "buffer dimensions do not match the PNG header");
        return;
    }
    // Same result as PIL's convert("RGB"): palette expanded, grey replicated, alpha dropped.
    png_set_strip_16(job->png);
    png_set_palette_to_rgb(job->png);
    png_set_expand_gray_1_2_4_to_8(job->png);
    png_set_gray_to_rgb(job->png);
    png_set_strip_alpha(job->png);
    png_set_interlace_handling(job->png);
    png_read_update_info(job->png, job->info);
    const size_t stride = static_cast<size_t>(w) * 3;
    if (png_get_rowbytes(job->png, job->info) != stride) png_error(job->png, "unexpected PNG row layout");
    job->rows = static_cast<png_bytep *>(png_malloc(job->png, sizeof(png_bytep) * h));
    for (png_uint_32 y = 0; y < h; ++y) job->rows[y] = job->out + stride * y;
    png_read_image(job->png, job->rows);
    png_read_end(job->png, nullptr);
    png_free(job->png, job->rows);
    job->rows = nullptr;
    png_destroy_read_struct(&job->png, &job->info, nullptr);
    job->status = CDLIB_OK;
}

} // namespace

cdlib_detail::DecodeOutcome cdlib_detail::decode_png(const uint8_t *data, size_t size, uint8_t *out,
                                                     int32_t width, int32_t height) {
    std::unique_ptr<PngJob> job(new PngJob());
    job->data = data;
    job->size = size;
    job->out = out;
    job->width = width;
    job->height = height;
    run_png(job.get());
    DecodeOutcome outcome{job->status, {0}};
    if (job->status != CDLIB_OK)
        std::snprintf(outcome.message, sizeof(outcome.message), "%s",
                      job->message[0] ? job->message : "PNG decoding failed");
    return outcome;
}
