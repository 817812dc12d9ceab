// C interface of the dlib shim used by FaceMatch.
//
// Rules shared by every function:
// - Images are caller-owned, tightly packed 8-bit RGB (width * 3 bytes per row).
// - No C++ exception crosses this boundary: every entry point catches everything and reports
//   a `cdlib_status` plus a message in the caller's `cdlib_error` (which may be NULL).
// - A `cdlib_engine` is not thread-safe: use one per thread or serialise calls to it.
#ifndef CDLIB_H
#define CDLIB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Result of every shim call; CDLIB_OK is zero.
typedef enum {
    CDLIB_OK = 0,
    CDLIB_ERR_ARGUMENT = 1,    ///< a caller bug: NULL pointer, bad size, mismatched dimensions
    CDLIB_ERR_MODEL = 2,       ///< a model file is missing, unreadable or not a dlib model
    CDLIB_ERR_UNSUPPORTED = 3, ///< image format or variant that is not handled (e.g. CMYK JPEG)
    CDLIB_ERR_CORRUPT = 4,     ///< image data is malformed or truncated
    CDLIB_ERR_NO_MEMORY = 5,   ///< an allocation failed
    CDLIB_ERR_NOT_LOADED = 6,  ///< the CNN detector was requested but not loaded
    CDLIB_ERR_INTERNAL = 7     ///< any other exception raised inside dlib
} cdlib_status;

/// Error details written by a failing call.
typedef struct {
    int32_t status;
    char message[256];
} cdlib_error;

/// Encoded image formats understood by the decoder.
typedef enum {
    CDLIB_FORMAT_UNKNOWN = 0,
    CDLIB_FORMAT_JPEG = 1,
    CDLIB_FORMAT_PNG = 2
} cdlib_image_format;

/// Face detectors: dlib's HOG frontal detector, or the MMOD CNN (needs its model).
typedef enum {
    CDLIB_DETECTOR_HOG = 0,
    CDLIB_DETECTOR_CNN = 1
} cdlib_detector;

/// A detection rectangle in image pixels; right/bottom are inclusive, as in dlib.
typedef struct {
    int64_t left, top, right, bottom;
    double confidence;
} cdlib_rect;

/// A landmark position in image pixels.
typedef struct {
    int64_t x, y;
} cdlib_point;

/// Opaque engine holding the loaded models.
typedef struct cdlib_engine cdlib_engine;

/// Reads format and dimensions from the header of an encoded image without decoding pixels.
int32_t cdlib_image_probe(const uint8_t *data, size_t size, int32_t *format,
                          int32_t *width, int32_t *height, cdlib_error *err);

/// Decodes a JPEG or PNG into `rgb_out` (width * height * 3 bytes, sized from the probe).
/// Alpha is dropped, grey is replicated, 16-bit channels keep their high byte.
int32_t cdlib_image_decode(const uint8_t *data, size_t size, uint8_t *rgb_out,
                           int32_t width, int32_t height, cdlib_error *err);

/// Loads the models; `cnn_detector_path` may be NULL. Returns NULL and fills `err` on failure.
cdlib_engine *cdlib_engine_create(const char *shape_predictor_path,
                                  const char *recognition_model_path,
                                  const char *cnn_detector_path, cdlib_error *err);

/// Frees an engine; NULL is ignored.
void cdlib_engine_destroy(cdlib_engine *engine);

/// Non-zero when the engine has the CNN detector loaded.
int32_t cdlib_engine_has_cnn(const cdlib_engine *engine);

/// Detects faces after upsampling the image `upsample` times with pyramid_up; rectangles are
/// mapped back to the input image. Writes at most `capacity` rects (by descending confidence)
/// and sets `*count` to the total found, which may exceed `capacity`.
int32_t cdlib_detect(cdlib_engine *engine, const uint8_t *rgb, int32_t width, int32_t height,
                     int32_t detector, int32_t upsample, cdlib_rect *out, int32_t capacity,
                     int32_t *count, cdlib_error *err);

/// Runs the 5-point shape predictor inside `rect`; writes 5 points to `out_points`.
int32_t cdlib_landmarks(cdlib_engine *engine, const uint8_t *rgb, int32_t width, int32_t height,
                        const cdlib_rect *rect, cdlib_point *out_points, cdlib_error *err);

/// Opaque dense landmark predictor (e.g. dlib's 68-point model), separate from the engine so
/// nodes that never check liveness never load it. Not thread-safe, like the engine.
typedef struct cdlib_landmarker cdlib_landmarker;

/// Loads a dlib shape predictor of any part count. Returns NULL and fills `err` on failure.
cdlib_landmarker *cdlib_landmarker_create(const char *model_path, cdlib_error *err);

/// Frees a landmarker; NULL is ignored.
void cdlib_landmarker_destroy(cdlib_landmarker *landmarker);

/// Number of points the loaded model predicts (68 for shape_predictor_68_face_landmarks).
int32_t cdlib_landmarker_parts(const cdlib_landmarker *landmarker);

/// Predicts the landmarks inside `rect`; `capacity` must be at least the part count.
int32_t cdlib_landmarker_predict(cdlib_landmarker *landmarker, const uint8_t *rgb, int32_t width,
                                 int32_t height, const cdlib_rect *rect, cdlib_point *out_points,
                                 int32_t capacity, cdlib_error *err);

/// Extracts the aligned face chip (size x size RGB) defined by 5 landmarks and padding.
int32_t cdlib_face_chip(const uint8_t *rgb, int32_t width, int32_t height,
                        const cdlib_rect *rect, const cdlib_point *points, int32_t size,
                        double padding, uint8_t *out_rgb, cdlib_error *err);

/// Computes 128-D descriptors for `n` faces (150 px chips, padding 0.25, no jitter) into
/// `out` (n * 128 floats). `points` holds 5 landmarks per face.
int32_t cdlib_descriptors(cdlib_engine *engine, const uint8_t *rgb, int32_t width,
                          int32_t height, const cdlib_rect *rects, const cdlib_point *points,
                          int32_t n, float *out, cdlib_error *err);

/// Distance block for exact gallery search with one query: out[j] = |row j - query|^2 for `n`
/// rows of `dim` floats (row-major), summed in SIMD lanes (memory-bound; AVX when the shim is
/// built with it). If `block_min` is not NULL it receives the smallest value. Returns
/// CDLIB_ERR_ARGUMENT only for bad arguments. Safe to call from several threads at once.
int32_t cdlib_squared_l2(const float *query, const float *rows, int32_t n, int32_t dim,
                         float *out, float *block_min);

/// Distance block for exact gallery search: for `nq` queries and `n` rows of `dim` floats
/// (both row-major) writes out[q * n + j] = row_norms[j] - 2 * dot(query q, row j), i.e. the
/// squared euclidean distance minus |query q|^2, with one BLAS call (sgemv for one query,
/// sgemm otherwise; sgemm reads each row block once for all queries). `row_norms[j]` is |row j|^2; `out` holds nq * n floats and must not
/// overlap the inputs. If `block_min` is not NULL, block_min[q] receives the smallest value
/// of query q's row of `out`. Pure computation: returns CDLIB_ERR_ARGUMENT only for bad
/// arguments. Safe to call from several threads at once.
int32_t cdlib_partial_l2(const float *queries, int32_t nq, const float *rows,
                         const float *row_norms, int32_t n, int32_t dim, float *out,
                         float *block_min);

#ifdef __cplusplus
}
#endif

#endif
