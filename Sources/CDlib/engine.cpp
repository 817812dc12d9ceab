// dlib face pipeline: HOG/CNN detection, 5-point landmarks, aligned chips, ResNet descriptors.
//
// Mirrors Python face_recognition 1.3.0 on dlib's Python bindings: detection upsamples with
// pyramid_up and maps rects back with rect_down, the descriptor uses a 150 px chip with 0.25
// padding and a single forward pass (no jitter). Every entry point catches all exceptions.
#include "shim.hpp"

#include <dlib/dnn.h>
#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>

#include <new>
#include <string>
#include <vector>

using cdlib_detail::fail;
using cdlib_detail::ok;

// ---------------------------------------------------------------- zero-copy image view

/// Read-only view of a caller-owned packed RGB buffer, usable by dlib's generic image API.
struct rgb_view {
    const dlib::rgb_pixel *data;
    long nr, nc;
};

namespace dlib {
template <> struct image_traits<rgb_view> { typedef rgb_pixel pixel_type; };
} // namespace dlib

inline long num_rows(const rgb_view &img) { return img.nr; }
inline long num_columns(const rgb_view &img) { return img.nc; }
inline const void *image_data(const rgb_view &img) { return img.data; }
inline long width_step(const rgb_view &img) { return img.nc * static_cast<long>(sizeof(dlib::rgb_pixel)); }

static_assert(sizeof(dlib::rgb_pixel) == 3, "rgb_pixel must be packed RGB");

// ---------------------------------------------------------------- network definitions

namespace {
using namespace dlib;

// ResNet-34-like metric network of dlib_face_recognition_resnet_model_v1.dat.
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;
template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;
template <int N, typename SUBNET> using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET> using ares_down = relu<residual_down<block, N, affine, SUBNET>>;
template <typename SUBNET> using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET> using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET> using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET> using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET> using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;
using anet_type = loss_metric<fc_no_bias<128, avg_pool_everything<
    alevel0<alevel1<alevel2<alevel3<alevel4<
    max_pool<3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

// MMOD CNN face detector of mmod_human_face_detector.dat.
template <long F, typename SUBNET> using con5d = con<F, 5, 5, 2, 2, SUBNET>;
template <long F, typename SUBNET> using con5 = con<F, 5, 5, 1, 1, SUBNET>;
template <typename SUBNET> using downsampler =
    relu<affine<con5d<32, relu<affine<con5d<32, relu<affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET> using rcon5 = relu<affine<con5<45, SUBNET>>>;
using mmod_net_type = loss_mmod<con<1, 9, 9, 1, 1, rcon5<rcon5<rcon5<downsampler<
    input_rgb_image_pyramid<pyramid_down<6>>>>>>>>;

const long kDescriptorChipSize = 150;
const double kDescriptorPadding = 0.25;

rgb_view view_of(const uint8_t *rgb, int32_t width, int32_t height) {
    return rgb_view{reinterpret_cast<const rgb_pixel *>(rgb), height, width};
}

dlib::rectangle to_rect(const cdlib_rect &r) { return dlib::rectangle(r.left, r.top, r.right, r.bottom); }

cdlib_rect from_rect(const dlib::rectangle &r, double confidence) {
    return cdlib_rect{r.left(), r.top(), r.right(), r.bottom(), confidence};
}

full_object_detection shape_of(const cdlib_rect &rect, const cdlib_point *points) {
    std::vector<point> parts;
    for (int i = 0; i < 5; ++i) parts.emplace_back(points[i].x, points[i].y);
    return full_object_detection(to_rect(rect), parts);
}

// Shared exception-to-status translation for every entry point.
template <typename Body> int32_t guarded(cdlib_error *err, const char *what, Body body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return fail(err, CDLIB_ERR_NO_MEMORY, "out of memory");
    } catch (const dlib::serialization_error &e) {
        return fail(err, CDLIB_ERR_MODEL, e.what());
    } catch (const std::exception &e) {
        std::string msg = std::string(what) + ": " + e.what();
        return fail(err, CDLIB_ERR_INTERNAL, msg.c_str());
    } catch (...) {
        return fail(err, CDLIB_ERR_INTERNAL, what);
    }
}
} // namespace

struct cdlib_engine {
    dlib::frontal_face_detector hog = dlib::get_frontal_face_detector();
    dlib::shape_predictor predictor;
    anet_type recognizer;
    mmod_net_type cnn;
    bool has_cnn = false;
};

// ---------------------------------------------------------------- lifecycle

extern "C" cdlib_engine *cdlib_engine_create(const char *shape_predictor_path,
                                             const char *recognition_model_path,
                                             const char *cnn_detector_path, cdlib_error *err) {
    cdlib_engine *engine = nullptr;
    int32_t status = guarded(err, "loading models", [&]() -> int32_t {
        if (shape_predictor_path == nullptr || recognition_model_path == nullptr)
            return fail(err, CDLIB_ERR_ARGUMENT, "model paths must not be NULL");
        std::unique_ptr<cdlib_engine> e(new cdlib_engine());
        dlib::deserialize(shape_predictor_path) >> e->predictor;
        if (e->predictor.num_parts() != 5)
            return fail(err, CDLIB_ERR_MODEL, "shape predictor is not the 5-point model");
        dlib::deserialize(recognition_model_path) >> e->recognizer;
        if (cnn_detector_path != nullptr) {
            dlib::deserialize(cnn_detector_path) >> e->cnn;
            e->has_cnn = true;
        }
        engine = e.release();
        return ok(err);
    });
    return status == CDLIB_OK ? engine : nullptr;
}

extern "C" void cdlib_engine_destroy(cdlib_engine *engine) {
    try { delete engine; } catch (...) {}
}

extern "C" int32_t cdlib_engine_has_cnn(const cdlib_engine *engine) {
    return engine != nullptr && engine->has_cnn ? 1 : 0;
}

// ---------------------------------------------------------------- pipeline

extern "C" int32_t cdlib_detect(cdlib_engine *engine, const uint8_t *rgb, int32_t width,
                                int32_t height, int32_t detector, int32_t upsample,
                                cdlib_rect *out, int32_t capacity, int32_t *count,
                                cdlib_error *err) {
    return guarded(err, "face detection", [&]() -> int32_t {
        if (engine == nullptr || count == nullptr || !cdlib_detail::valid_rgb(rgb, width, height) ||
            upsample < 0 || upsample > 4 || capacity < 0 || (capacity > 0 && out == nullptr))
            return fail(err, CDLIB_ERR_ARGUMENT, "invalid detection arguments");
        const rgb_view img = view_of(rgb, width, height);
        pyramid_down<2> pyr;
        std::vector<cdlib_rect> found;
        if (detector == CDLIB_DETECTOR_HOG) {
            std::vector<rect_detection> dets;
            if (upsample == 0) {
                engine->hog(img, dets, 0.0);
            } else {
                array2d<rgb_pixel> up;
                pyramid_up(img, up, pyr);
                for (int level = 1; level < upsample; ++level) pyramid_up(up);
                engine->hog(up, dets, 0.0);
            }
            for (auto &d : dets)
                found.push_back(from_rect(pyr.rect_down(d.rect, upsample), d.detection_confidence));
        } else if (detector == CDLIB_DETECTOR_CNN) {
            if (!engine->has_cnn) return fail(err, CDLIB_ERR_NOT_LOADED, "CNN detector model not loaded");
            matrix<rgb_pixel> image;
            assign_image(image, img);
            for (int level = 0; level < upsample; ++level) pyramid_up(image, pyr);
            for (auto &d : engine->cnn(image))
                found.push_back(from_rect(pyr.rect_down(d.rect, upsample), d.detection_confidence));
        } else {
            return fail(err, CDLIB_ERR_ARGUMENT, "unknown detector");
        }
        *count = static_cast<int32_t>(found.size());
        for (size_t i = 0; i < found.size() && i < static_cast<size_t>(capacity); ++i) out[i] = found[i];
        return ok(err);
    });
}

extern "C" int32_t cdlib_landmarks(cdlib_engine *engine, const uint8_t *rgb, int32_t width,
                                   int32_t height, const cdlib_rect *rect, cdlib_point *out_points,
                                   cdlib_error *err) {
    return guarded(err, "landmark prediction", [&]() -> int32_t {
        if (engine == nullptr || rect == nullptr || out_points == nullptr ||
            !cdlib_detail::valid_rgb(rgb, width, height))
            return fail(err, CDLIB_ERR_ARGUMENT, "invalid landmark arguments");
        full_object_detection shape = engine->predictor(view_of(rgb, width, height), to_rect(*rect));
        if (shape.num_parts() != 5) return fail(err, CDLIB_ERR_MODEL, "shape predictor returned wrong part count");
        for (unsigned long i = 0; i < 5; ++i) out_points[i] = cdlib_point{shape.part(i).x(), shape.part(i).y()};
        return ok(err);
    });
}

// ---------------------------------------------------------------- dense landmarks

struct cdlib_landmarker {
    dlib::shape_predictor predictor;
};

extern "C" cdlib_landmarker *cdlib_landmarker_create(const char *model_path, cdlib_error *err) {
    cdlib_landmarker *made = nullptr;
    int32_t status = guarded(err, "loading landmark model", [&]() -> int32_t {
        if (model_path == nullptr) return fail(err, CDLIB_ERR_ARGUMENT, "model path must not be NULL");
        std::unique_ptr<cdlib_landmarker> l(new cdlib_landmarker());
        dlib::deserialize(model_path) >> l->predictor;
        if (l->predictor.num_parts() == 0) return fail(err, CDLIB_ERR_MODEL, "shape predictor has no parts");
        made = l.release();
        return ok(err);
    });
    return status == CDLIB_OK ? made : nullptr;
}

extern "C" void cdlib_landmarker_destroy(cdlib_landmarker *landmarker) {
    try { delete landmarker; } catch (...) {}
}

extern "C" int32_t cdlib_landmarker_parts(const cdlib_landmarker *landmarker) {
    return landmarker == nullptr ? 0 : static_cast<int32_t>(landmarker->predictor.num_parts());
}

extern "C" int32_t cdlib_landmarker_predict(cdlib_landmarker *landmarker, const uint8_t *rgb,
                                            int32_t width, int32_t height, const cdlib_rect *rect,
                                            cdlib_point *out_points, int32_t capacity,
                                            cdlib_error *err) {
    return guarded(err, "dense landmark prediction", [&]() -> int32_t {
        if (landmarker == nullptr || rect == nullptr || out_points == nullptr ||
            !cdlib_detail::valid_rgb(rgb, width, height) ||
            capacity < static_cast<int32_t>(landmarker->predictor.num_parts()))
            return fail(err, CDLIB_ERR_ARGUMENT, "invalid landmark arguments");
        full_object_detection shape = landmarker->predictor(view_of(rgb, width, height), to_rect(*rect));
        for (unsigned long i = 0; i < shape.num_parts(); ++i)
            out_points[i] = cdlib_point{shape.part(i).x(), shape.part(i).y()};
        return ok(err);
    });
}

extern "C" int32_t cdlib_face_chip(const uint8_t *rgb, int32_t width, int32_t height,
                                   const cdlib_rect *rect, const cdlib_point *points, int32_t size,
                                   double padding, uint8_t *out_rgb, cdlib_error *err) {
    return guarded(err, "face chip extraction", [&]() -> int32_t {
        if (rect == nullptr || points == nullptr || out_rgb == nullptr || size <= 0 || size > 4096 ||
            !(padding >= 0.0 && padding <= 4.0) || !cdlib_detail::valid_rgb(rgb, width, height))
            return fail(err, CDLIB_ERR_ARGUMENT, "invalid face chip arguments");
        chip_details details = get_face_chip_details(shape_of(*rect, points), size, padding);
        matrix<rgb_pixel> chip;
        extract_image_chip(view_of(rgb, width, height), details, chip);
        if (chip.nr() != size || chip.nc() != size) return fail(err, CDLIB_ERR_INTERNAL, "chip has unexpected size");
        std::memcpy(out_rgb, &chip(0, 0), static_cast<size_t>(size) * size * 3);
        return ok(err);
    });
}

extern "C" int32_t cdlib_descriptors(cdlib_engine *engine, const uint8_t *rgb, int32_t width,
                                     int32_t height, const cdlib_rect *rects,
                                     const cdlib_point *points, int32_t n, float *out,
                                     cdlib_error *err) {
    return guarded(err, "descriptor computation", [&]() -> int32_t {
        if (engine == nullptr || n < 0 || (n > 0 && (rects == nullptr || points == nullptr || out == nullptr)) ||
            !cdlib_detail::valid_rgb(rgb, width, height))
            return fail(err, CDLIB_ERR_ARGUMENT, "invalid descriptor arguments");
        const rgb_view img = view_of(rgb, width, height);
        for (int32_t i = 0; i < n; ++i) {
            chip_details details = get_face_chip_details(shape_of(rects[i], points + 5 * i),
                                                         kDescriptorChipSize, kDescriptorPadding);
            matrix<rgb_pixel> chip;
            extract_image_chip(img, details, chip);
            // One forward pass per face, as face_recognition.face_encodings does.
            matrix<float, 0, 1> d = engine->recognizer(chip);
            if (d.size() != 128) return fail(err, CDLIB_ERR_MODEL, "recognition model returned wrong size");
            std::memcpy(out + 128 * i, &d(0), 128 * sizeof(float));
        }
        return ok(err);
    });
}
