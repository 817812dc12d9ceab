// JPEG decoding with libjpeg(-turbo) from memory into a caller-owned RGB buffer.
//
// libjpeg reports fatal errors through longjmp: run_jpeg keeps all its mutable state in a
// struct owned by its caller and creates no C++ objects with destructors, so a longjmp never
// skips a destructor.
#include "shim.hpp"

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <memory>

#include <jpeglib.h>
#include <jerror.h>

namespace {

// Progressive JPEGs with thousands of scans are a known decoding-time bomb.
const int kMaxJpegScans = 1000;

struct JpegErrorManager {
    jpeg_error_mgr pub;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    bool truncated;
};

void on_error(j_common_ptr cinfo) {
    auto *mgr = reinterpret_cast<JpegErrorManager *>(cinfo->err);
    (*cinfo->err->format_message)(cinfo, mgr->message);
    longjmp(mgr->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
    // Warnings (level -1) are tolerated as PIL does, except a premature end of data, which
    // libjpeg would otherwise pad with grey.
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        reinterpret_cast<JpegErrorManager *>(cinfo->err)->truncated = true;
    }
}

void on_progress(j_common_ptr cinfo) {
    auto *d = reinterpret_cast<j_decompress_ptr>(cinfo);
    if (d->input_scan_number > kMaxJpegScans) {
        auto *mgr = reinterpret_cast<JpegErrorManager *>(cinfo->err);
        std::snprintf(mgr->message, sizeof(mgr->message), "too many progressive scans");
        longjmp(mgr->jump, 1);
    }
}

struct JpegJob {
    const uint8_t *data;
    size_t size;
    uint8_t *out;          // NULL: header only
    int32_t width, height; // expected (decode) or found (header only)
    jpeg_decompress_struct cinfo;
    JpegErrorManager err;
    jpeg_progress_mgr progress;
    int32_t status;
    const char *problem;
};

void finish(JpegJob *job, int32_t status, const char *problem) {
    jpeg_destroy_decompress(&job->cinfo);
    job->status = status;
    job->problem = problem;
}

void run_jpeg(JpegJob *job) {
    job->cinfo.err = jpeg_std_error(&job->err.pub);
    job->err.pub.error_exit = on_error;
    job->err.pub.emit_message = on_message;
    job->err.truncated = false;
    job->err.message[0] = '\0';
    if (setjmp(job->err.jump)) {
        finish(job, CDLIB_ERR_CORRUPT, job->err.message);
        return;
    }
    jpeg_create_decompress(&job->cinfo);
    job->progress.progress_monitor = on_progress;
    job->cinfo.progress = &job->progress;
    jpeg_mem_src(&job->cinfo, job->data, static_cast<unsigned long>(job->size));
    jpeg_read_header(&job->cinfo, TRUE);
    if (job->cinfo.jpeg_color_space == JCS_CMYK || job->cinfo.jpeg_color_space == JCS_YCCK ||
        job->cinfo.num_components == 4)
        return finish(job, CDLIB_ERR_UNSUPPORTED, "CMYK/YCCK JPEG is not supported");
    if (job->out == nullptr) {
        job->width = static_cast<int32_t>(job->cinfo.image_width);
        job->height = static_cast<int32_t>(job->cinfo.image_height);
        return finish(job, CDLIB_OK, "");
    }
    if (static_cast<int64_t>(job->cinfo.image_width) != job->width ||
        static_cast<int64_t>(job->cinfo.image_height) != job->height)
        return finish(job, CDLIB_ERR_ARGUMENT, "buffer dimensions do not match the JPEG header");
    job->cinfo.out_color_space = JCS_RGB; // libjpeg-turbo replicates grey to RGB itself
    jpeg_start_decompress(&job->cinfo);
    const size_t stride = static_cast<size_t>(job->width) * 3;
    while (job->cinfo.output_scanline < job->cinfo.output_height) {
        JSAMPROW row = job->out + stride * job->cinfo.output_scanline;
        jpeg_read_scanlines(&job->cinfo, &row, 1);
    }
    jpeg_finish_decompress(&job->cinfo);
    if (job->err.truncated) return finish(job, CDLIB_ERR_CORRUPT, "JPEG data is truncated");
    finish(job, CDLIB_OK, "");
}

} // namespace

cdlib_detail::DecodeOutcome cdlib_detail::decode_jpeg(const uint8_t *data, size_t size, uint8_t *out,
                                                      int32_t *width, int32_t *height) {
    // Heap-allocated: jpeg_decompress_struct is large and the job must outlive setjmp.
    std::unique_ptr<JpegJob> job(new JpegJob());
    job->data = data;
    job->size = size;
    job->out = out;
    job->width = *width;
    job->height = *height;
    run_jpeg(job.get());
    DecodeOutcome outcome{job->status, {0}};
    if (job->status == CDLIB_OK) {
        *width = job->width;
        *height = job->height;
    } else {
        std::snprintf(outcome.message, sizeof(outcome.message), "%s",
                      job->problem && job->problem[0] ? job->problem : "JPEG decoding failed");
    }
    return outcome;
}
