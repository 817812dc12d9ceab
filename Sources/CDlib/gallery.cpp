// BLAS kernel for FaceMatch's exact gallery search (Gallery+Search.swift).
//
// Kept in its own translation unit: it includes the system <cblas.h> (libblas-dev), which
// must not meet dlib's own BLAS declarations. With the OpenBLAS alternative installed this
// runs OpenBLAS's runtime-selected SIMD kernels; with netlib BLAS it is correct but slower.
#include "shim.hpp"

#include <cblas.h>

#include <algorithm>
#include <cstring>

#ifdef __AVX__
#include <immintrin.h>
#endif

namespace {
#ifdef __AVX__
/// Sum of the 8 lanes.
inline float lane_sum(__m256 v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    a = _mm_add_ss(a, _mm_shuffle_ps(a, a, 1));
    return _mm_cvtss_f32(a);
}
#endif

/// Smallest of `n` floats (the block values are always finite for valid galleries).
float minimum(const float *p, int32_t n) {
    int32_t j = 0;
    float m = p[0];
#ifdef __AVX__
    if (n >= 32) {
        __m256 a = _mm256_loadu_ps(p), b = _mm256_loadu_ps(p + 8);
        __m256 c = _mm256_loadu_ps(p + 16), d = _mm256_loadu_ps(p + 24);
        for (j = 32; j + 32 <= n; j += 32) {
            a = _mm256_min_ps(a, _mm256_loadu_ps(p + j));
            b = _mm256_min_ps(b, _mm256_loadu_ps(p + j + 8));
            c = _mm256_min_ps(c, _mm256_loadu_ps(p + j + 16));
            d = _mm256_min_ps(d, _mm256_loadu_ps(p + j + 24));
        }
        alignas(32) float lanes[8];
        _mm256_store_ps(lanes, _mm256_min_ps(_mm256_min_ps(a, b), _mm256_min_ps(c, d)));
        m = *std::min_element(lanes, lanes + 8);
    }
#endif
    for (; j < n; ++j) m = p[j] < m ? p[j] : m;
    return m;
}
} // namespace

extern "C" int32_t cdlib_squared_l2(const float *query, const float *rows, int32_t n, int32_t dim,
                                    float *out, float *block_min) {
    if (query == nullptr || rows == nullptr || out == nullptr || n <= 0 || dim <= 0) return CDLIB_ERR_ARGUMENT;
    for (int32_t i = 0; i < n; ++i) {
        const float *x = rows + static_cast<size_t>(i) * dim;
        int32_t j = 0;
        float d = 0.0f;
#ifdef __AVX__
        // Four independent accumulators keep the adds off the critical path; one query row
        // stays in registers/L1, the gallery streams from memory (this loop is memory-bound).
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (; j + 32 <= dim; j += 32) {
            __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(query + j));
            __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 8), _mm256_loadu_ps(query + j + 8));
            __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 16), _mm256_loadu_ps(query + j + 16));
            __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 24), _mm256_loadu_ps(query + j + 24));
            a0 = _mm256_add_ps(a0, _mm256_mul_ps(d0, d0));
            a1 = _mm256_add_ps(a1, _mm256_mul_ps(d1, d1));
            a2 = _mm256_add_ps(a2, _mm256_mul_ps(d2, d2));
            a3 = _mm256_add_ps(a3, _mm256_mul_ps(d3, d3));
        }
        d = lane_sum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
#endif
        for (; j < dim; ++j) {
            const float t = x[j] - query[j];
            d += t * t;
        }
        out[i] = d;
    }
    if (block_min != nullptr) *block_min = minimum(out, n);
    return CDLIB_OK;
}

extern "C" int32_t cdlib_partial_l2(const float *queries, int32_t nq, const float *rows,
                                    const float *row_norms, int32_t n, int32_t dim, float *out,
                                    float *block_min) {
    if (queries == nullptr || rows == nullptr || row_norms == nullptr || out == nullptr || nq <= 0 ||
        n <= 0 || dim <= 0)
        return CDLIB_ERR_ARGUMENT;
    // out = row_norms (broadcast per query) - 2 * queries * rows^T, in one BLAS call.
    for (int32_t q = 0; q < nq; ++q)
        std::memcpy(out + static_cast<size_t>(q) * n, row_norms, static_cast<size_t>(n) * sizeof(float));
    if (nq == 1) {
        cblas_sgemv(CblasRowMajor, CblasNoTrans, n, dim, -2.0f, rows, dim, queries, 1, 1.0f, out, 1);
    } else {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nq, n, dim, -2.0f, queries, dim, rows, dim,
                    1.0f, out, n);
    }
    if (block_min != nullptr)
        for (int32_t q = 0; q < nq; ++q) block_min[q] = minimum(out + static_cast<size_t>(q) * n, n);
    return CDLIB_OK;
}
