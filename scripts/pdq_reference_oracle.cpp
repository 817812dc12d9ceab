// Test oracle: runs Meta's reference PDQ C++ (ThreatExchange pdq/cpp, compiled alongside this
// file by scripts/make_pdq_fixtures.py) on raw interleaved RGB bytes, so the reference and our
// Swift code see exactly the same pixels (no decoder differences).
//
// usage: pdq_reference_oracle FILE.rgb WIDTH HEIGHT [--bench N]
// prints: one JSON object {"hash": ..., "quality": ..., "dihedral": [8 hashes],
//         "dct": [256 floats of the 16x16 block, row-major, %.9g so they round-trip]}
//         with --bench N: {"seconds_per_hash": ...} after hashing the image N times.
#include <pdq/cpp/hashing/pdqhashing.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace facebook::pdq::hashing;

static std::vector<float> lumaOf(std::vector<uint8_t>& rgb, int w, int h) {
  std::vector<float> luma((size_t)w * h);
  fillFloatLumaFromRGB(&rgb[0], &rgb[1], &rgb[2], h, w, w * 3, 3, luma.data());
  return luma;
}

int main(int argc, char** argv) {
  if (argc != 4 && argc != 6) {
    fprintf(stderr, "usage: %s FILE.rgb WIDTH HEIGHT [--bench N]\n", argv[0]);
    return 2;
  }
  int w = atoi(argv[2]), h = atoi(argv[3]);
  FILE* f = fopen(argv[1], "rb");
  if (f == nullptr || w <= 0 || h <= 0) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  std::vector<uint8_t> rgb((size_t)w * h * 3);
  size_t got = fread(rgb.data(), 1, rgb.size(), f);
  fclose(f);
  if (got != rgb.size()) {
    fprintf(stderr, "%s: expected %zu bytes, got %zu\n", argv[1], rgb.size(), got);
    return 2;
  }
  float b64[64][64], b16x64[16][64], b16[16][16], b16aux[16][16];
  std::vector<float> scratch((size_t)w * h);

  if (argc == 6) {
    int n = atoi(argv[5]);
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; i++) {
      // Luma conversion is part of the per-image cost, as in pdq-photo-hasher.
      std::vector<float> luma = lumaOf(rgb, w, h);
      Hash256 hash;
      int quality = 0;
      pdqHash256FromFloatLuma(luma.data(), scratch.data(), h, w, b64, b16x64, b16, hash, quality);
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    printf("{\"seconds_per_hash\": %.9f}\n", s / n);
    return 0;
  }

  std::vector<float> luma = lumaOf(rgb, w, h);
  Hash256 hash;
  int quality = 0;
  pdqHash256FromFloatLuma(luma.data(), scratch.data(), h, w, b64, b16x64, b16, hash, quality);

  // The dihedral entry point filters in place, so it gets a fresh luma buffer.
  std::vector<float> luma2 = lumaOf(rgb, w, h);
  Hash256 d[8];
  int quality2 = 0;
  pdqDihedralHash256esFromFloatLuma(luma2.data(), scratch.data(), h, w, b64, b16x64, b16, b16aux,
                                    &d[0], &d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7], quality2);
  printf("{\"hash\": \"%s\", \"quality\": %d, \"dihedral\": [", hash.format().c_str(), quality);
  for (int i = 0; i < 8; i++) {
    printf("%s\"%s\"", i ? ", " : "", d[i].format().c_str());
  }
  printf("], \"dct\": [");
  if (w >= 5 && h >= 5) {  // below 5 px the reference hashes without a DCT
    std::vector<float> luma3 = lumaOf(rgb, w, h);
    int quality3 = 0;
    pdqFloat256FromFloatLuma(luma3.data(), scratch.data(), h, w, b64, b16x64, b16, quality3);
    for (int k = 0; k < 256; k++) {
      printf("%s%.9g", k ? ", " : "", b16[k / 16][k % 16]);
    }
  }
  printf("]}\n");
  return 0;
}
