// Native versions of Visage's three hot pixel loops (src/adapters/image/box-downsample.ts and
// pixel-ops.ts): the box-filter shrink of big photos, and the bilinear warps into CHW float
// tensors; and the address/view/release trio with which the worker pool hands a photo to a worker
// without copying it (worker-pool.analyzer.ts). They compute exactly what the JS loops compute: the same samples, the same double
// arithmetic in the same order (built with -ffp-contract=off, so no fused multiply-adds), the
// same rounding to bytes and to float32. The JS loops stay as the fallback and as the reference
// the tests compare against (test/adapters/image/native-kernels.test.ts).
//
// Every entry point checks its arguments and array lengths before touching memory, and throws a
// RangeError instead; the JS callers (pixel-ops.ts, box-downsample.ts) never send bad ones.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace {

struct U8 {
  uint8_t* data = nullptr;
  size_t length = 0;
};
struct F32 {
  float* data = nullptr;
  size_t length = 0;
};

bool Fail(napi_env env, const char* message) {
  napi_throw_range_error(env, nullptr, message);
  return false;
}

// The typed array `v` as a pointer and element count, if its type is one of `types`.
template <typename T>
bool GetTyped(napi_env env, napi_value v, std::initializer_list<napi_typedarray_type> types, const char* what, T** data, size_t* length) {
  bool is = false;
  napi_typedarray_type t;
  void* p;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is || napi_get_typedarray_info(env, v, &t, length, &p, nullptr, nullptr) != napi_ok)
    return Fail(env, what);
  for (const auto ok : types)
    if (t == ok) {
      *data = static_cast<T*>(p);
      return true;
    }
  return Fail(env, what);
}

bool GetU8(napi_env env, napi_value v, U8* out) {
  return GetTyped(env, v, {napi_uint8_array, napi_uint8_clamped_array}, "expected a Uint8Array", &out->data, &out->length);
}

bool GetF32(napi_env env, napi_value v, F32* out) {
  return GetTyped(env, v, {napi_float32_array}, "expected a Float32Array", &out->data, &out->length);
}

bool GetInt(napi_env env, napi_value v, int64_t lo, int64_t hi, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !std::isfinite(d) || d != std::floor(d) || d < lo || d > hi)
    return Fail(env, "expected an integer in range");
  *out = static_cast<int64_t>(d);
  return true;
}

bool GetDouble(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok || !std::isfinite(*out)) return Fail(env, "expected a finite number");
  return true;
}

bool Args(napi_env env, napi_callback_info info, size_t want, napi_value* argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < want) return Fail(env, "missing arguments");
  return true;
}

constexpr int64_t kMaxSide = 1 << 20;

// ⌊v⌋ for any finite double, as JS Math.floor, without a call into libm (x86-64's baseline has no
// rounding instruction, and the warps floor two coordinates per pixel): truncate, step down for
// negatives; from 2^52 on every double is already whole. (−0 comes out +0, which changes no sum.)
inline double Floor(double v) {
  if (!(std::fabs(v) < 4503599627370496.0)) return v;
  const double t = static_cast<double>(static_cast<int64_t>(v));
  return t > v ? t - 1 : t;
}
inline int64_t FloorToInt(double v) { return static_cast<int64_t>(Floor(v)); }
inline int64_t Clamp(int64_t v, int64_t size) { return v < 0 ? 0 : v >= size ? size - 1 : v; }
// ⌊v⌋ (already floored) as an index; anything far outside any image clamps the same way JS's
// comparisons would.
inline int64_t ToIndex(double floored) {
  return floored < -1e12 ? INT64_C(-1000000000000) : floored > 1e12 ? INT64_C(1000000000000) : static_cast<int64_t>(floored);
}

// boxDownsample(src, width, height, f, taps, out): out is ⌊width/f⌋ × ⌊height/f⌋ RGB bytes, each
// the mean of taps × taps samples of its f × f block (box-downsample.ts).
napi_value BoxDownsample(napi_env env, napi_callback_info info) {
  napi_value a[6];
  if (!Args(env, info, 6, a)) return nullptr;
  U8 src, out;
  int64_t W, H, f, taps;
  if (!GetU8(env, a[0], &src) || !GetInt(env, a[1], 1, kMaxSide, &W) || !GetInt(env, a[2], 1, kMaxSide, &H) ||
      !GetInt(env, a[3], 2, kMaxSide, &f) || !GetInt(env, a[4], 1, 64, &taps) || !GetU8(env, a[5], &out))
    return nullptr;
  if (taps > f) return Fail(env, "taps > factor"), nullptr;
  const int64_t w = W / f, h = H / f;
  if (static_cast<uint64_t>(W * H * 3) > src.length) return Fail(env, "source shorter than width × height × 3"), nullptr;
  if (static_cast<uint64_t>(w * h * 3) > out.length) return Fail(env, "output too short"), nullptr;
  const int64_t stride = W * 3;
  // Offsets of the sampled rows/columns inside a block: centres of `taps` equal slices.
  std::vector<int64_t> offs(taps);
  for (int64_t k = 0; k < taps; k++) offs[k] = FloorToInt(((k + 0.5) * f) / taps);
  const uint8_t* s = src.data;
  uint8_t* o = out.data;
  if (taps == 4) {
    // round(sum / 16) = (sum + 8) >> 4 (box-downsample.ts, boxDownsample4).
    const int64_t c1 = (offs[1] - offs[0]) * 3, c2 = (offs[2] - offs[0]) * 3, c3 = (offs[3] - offs[0]) * 3;
    const int64_t d[4] = {0, (offs[1] - offs[0]) * stride, (offs[2] - offs[0]) * stride, (offs[3] - offs[0]) * stride};
    const int64_t step = f * 3;
    for (int64_t y = 0; y < h; y++) {
      const uint8_t* row = s + (y * f + offs[0]) * stride + offs[0] * 3;
      for (int64_t x = 0; x < w; x++, row += step) {
        int r = 0, g = 0, b = 0;
        for (int k = 0; k < 4; k++) {
          const uint8_t* j = row + d[k];
          r += j[0] + j[c1] + j[c2] + j[c3];
          g += j[1] + j[1 + c1] + j[1 + c2] + j[1 + c3];
          b += j[2] + j[2 + c1] + j[2 + c2] + j[2 + c3];
        }
        *o++ = static_cast<uint8_t>((r + 8) >> 4);
        *o++ = static_cast<uint8_t>((g + 8) >> 4);
        *o++ = static_cast<uint8_t>((b + 8) >> 4);
      }
    }
    return nullptr;
  }
  // General case: Math.round(sum · (1 / taps²)), Math.round(v) = ⌊v + 0.5⌋.
  const double inv = 1.0 / static_cast<double>(taps * taps);
  for (int64_t y = 0; y < h; y++) {
    for (int64_t x = 0; x < w; x++) {
      int r = 0, g = 0, b = 0;
      for (int64_t ky = 0; ky < taps; ky++) {
        const uint8_t* row = s + (y * f + offs[ky]) * stride;
        for (int64_t k = 0; k < taps; k++) {
          const uint8_t* j = row + (x * f + offs[k]) * 3;
          r += j[0];
          g += j[1];
          b += j[2];
        }
      }
      *o++ = static_cast<uint8_t>(Floor(r * inv + 0.5));
      *o++ = static_cast<uint8_t>(Floor(g * inv + 0.5));
      *o++ = static_cast<uint8_t>(Floor(b * inv + 0.5));
    }
  }
  return nullptr;
}

// Shared arguments of both warps: (src, sw, sh, m0..m5, W, H, channels, s0, s1, s2, mean0..2,
// inv0..2, out, offset). s· is the source channel written to tensor channel · (BGR: 2, 1, 0);
// channels 1 means grey (0.299R + 0.587G + 0.114B, mean0 and inv0 apply).
struct Warp {
  U8 src;
  int64_t sw, sh, W, H, channels, order[3], offset;
  double m[6], mean[3], inv[3];
  F32 out;
};

bool GetWarp(napi_env env, napi_callback_info info, Warp* w) {
  napi_value a[23];
  if (!Args(env, info, 23, a)) return false;
  if (!GetU8(env, a[0], &w->src) || !GetInt(env, a[1], 1, kMaxSide, &w->sw) || !GetInt(env, a[2], 1, kMaxSide, &w->sh)) return false;
  for (int k = 0; k < 6; k++)
    if (!GetDouble(env, a[3 + k], &w->m[k])) return false;
  if (!GetInt(env, a[9], 1, 1 << 16, &w->W) || !GetInt(env, a[10], 1, 1 << 16, &w->H) || !GetInt(env, a[11], 1, 3, &w->channels)) return false;
  for (int k = 0; k < 3; k++)
    if (!GetInt(env, a[12 + k], 0, 2, &w->order[k]) || !GetDouble(env, a[15 + k], &w->mean[k]) || !GetDouble(env, a[18 + k], &w->inv[k])) return false;
  if (!GetF32(env, a[21], &w->out) || !GetInt(env, a[22], 0, INT64_C(1) << 40, &w->offset)) return false;
  if (w->channels != 1 && w->channels != 3) return Fail(env, "channels must be 1 or 3");
  if (static_cast<uint64_t>(w->sw * w->sh * 3) > w->src.length) return Fail(env, "source shorter than width × height × 3");
  if (static_cast<uint64_t>(w->offset + w->channels * w->W * w->H) > w->out.length) return Fail(env, "output too short");
  return true;
}

// One axis of an axis-aligned warp: clamped neighbours and fraction of s = scale·k + shift.
struct Axis {
  std::vector<int64_t> i0, i1;
  std::vector<double> f;
  Axis(int64_t n, double scale, double shift, int64_t size) : i0(n), i1(n), f(n) {
    for (int64_t k = 0; k < n; k++) {
      const double s = scale * static_cast<double>(k) + shift;
      const double lo = Floor(s);
      f[k] = s - lo;
      const int64_t l = ToIndex(lo);
      i0[k] = Clamp(l, size);
      i1[k] = Clamp(l + 1, size);
    }
  }
};

// One output row of the separable warp: base0/base1 point at its two source rows, out at its
// three output planes; SepCols holds what every row shares (column byte offsets c0/c1 in a row,
// fractions fx, channel order, normalisation).
struct SepRow {
  const uint8_t* base0;
  const uint8_t* base1;
  double fy, gy;
  float* out[3];
};
struct SepCols {
  std::vector<int32_t> c0, c1;  // byte offsets: source column × 3
  std::vector<double> fx;
  int s[3];
  double mean[3], inv[3];
};

// Pixels [x0, x1) of a row: what the JS loop computes per pixel.
void SepRowScalar(const SepRow& r, const SepCols& k, int64_t x0, int64_t x1) {
  for (int64_t x = x0; x < x1; x++) {
    const double fx = k.fx[x];
    const uint8_t* q00 = r.base0 + k.c0[x];
    const uint8_t* q01 = r.base0 + k.c1[x];
    const uint8_t* q10 = r.base1 + k.c0[x];
    const uint8_t* q11 = r.base1 + k.c1[x];
    const double w00 = (1 - fx) * r.gy, w01 = fx * r.gy, w10 = (1 - fx) * r.fy, w11 = fx * r.fy;
    for (int c = 0; c < 3; c++) {
      const int s = k.s[c];
      r.out[c][x] = static_cast<float>((q00[s] * w00 + q01[s] * w01 + q10[s] * w10 + q11[s] * w11 - k.mean[c]) * k.inv[c]);
    }
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// Eight pixels at a time with AVX2: the same double operations in the same order, lane by lane
// (no FMA: each product is rounded before its sum, as in JS), so the same floats. One 4-byte
// gather per corner brings a pixel's R, G and B together; its fourth byte belongs to the next
// pixel, so a row that reads the photo's last row is left to the scalar loop (it could reach
// one byte past the end). Returns how many pixels it did.
// One channel's byte of each gathered pixel, lanes 4h to 4h + 3, as doubles.
__attribute__((target("avx2"))) inline __m256d Channel(__m256i g, __m128i shift, __m256i bytes, int h) {
  const __m256i v = _mm256_and_si256(_mm256_srl_epi32(g, shift), bytes);
  return _mm256_cvtepi32_pd(h == 0 ? _mm256_castsi256_si128(v) : _mm256_extracti128_si256(v, 1));
}

__attribute__((target("avx2"))) int64_t SepRowAvx2(const SepRow& r, const SepCols& k, int64_t W) {
  const int64_t n = W & ~int64_t{7};
  const __m256d fy = _mm256_set1_pd(r.fy), gy = _mm256_set1_pd(r.gy), one = _mm256_set1_pd(1.0);
  const __m256i bytes = _mm256_set1_epi32(0xFF);
  const int* b0 = reinterpret_cast<const int*>(r.base0);
  const int* b1 = reinterpret_cast<const int*>(r.base1);
  for (int64_t x = 0; x < n; x += 8) {
    const __m256i i0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&k.c0[x]));
    const __m256i i1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(&k.c1[x]));
    const __m256i g00 = _mm256_i32gather_epi32(b0, i0, 1), g01 = _mm256_i32gather_epi32(b0, i1, 1);
    const __m256i g10 = _mm256_i32gather_epi32(b1, i0, 1), g11 = _mm256_i32gather_epi32(b1, i1, 1);
    for (int h = 0; h < 2; h++) {
      const __m256d fx = _mm256_loadu_pd(&k.fx[x + 4 * h]);
      const __m256d omf = _mm256_sub_pd(one, fx);
      const __m256d w00 = _mm256_mul_pd(omf, gy), w01 = _mm256_mul_pd(fx, gy);
      const __m256d w10 = _mm256_mul_pd(omf, fy), w11 = _mm256_mul_pd(fx, fy);
      for (int c = 0; c < 3; c++) {
        const __m128i shift = _mm_cvtsi32_si128(8 * k.s[c]);
        __m256d v = _mm256_mul_pd(Channel(g00, shift, bytes, h), w00);
        v = _mm256_add_pd(v, _mm256_mul_pd(Channel(g01, shift, bytes, h), w01));
        v = _mm256_add_pd(v, _mm256_mul_pd(Channel(g10, shift, bytes, h), w10));
        v = _mm256_add_pd(v, _mm256_mul_pd(Channel(g11, shift, bytes, h), w11));
        v = _mm256_mul_pd(_mm256_sub_pd(v, _mm256_set1_pd(k.mean[c])), _mm256_set1_pd(k.inv[c]));
        _mm_storeu_ps(r.out[c] + x + 4 * h, _mm256_cvtpd_ps(v));
      }
    }
  }
  return n;
}
// (cpu_init first: this runs as the library loads, maybe before libgcc has looked at the CPU.)
const bool kAvx2 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") != 0;
}();
#else
int64_t SepRowAvx2(const SepRow&, const SepCols&, int64_t) { return 0; }
const bool kAvx2 = false;
#endif

// separableWarp(…): pixel-ops.ts separableWarpToTensor (m1 = m3 = 0, three channels).
napi_value SeparableWarp(napi_env env, napi_callback_info info) {
  Warp w;
  if (!GetWarp(env, info, &w)) return nullptr;
  if (w.channels != 3 || w.m[1] != 0 || w.m[3] != 0) return Fail(env, "not an axis-aligned colour warp"), nullptr;
  const Axis cols(w.W, w.m[0], w.m[2], w.sw), rows(w.H, w.m[4], w.m[5], w.sh);
  SepCols k;
  k.c0.resize(w.W);
  k.c1.resize(w.W);
  for (int64_t x = 0; x < w.W; x++) {
    k.c0[x] = static_cast<int32_t>(cols.i0[x] * 3);
    k.c1[x] = static_cast<int32_t>(cols.i1[x] * 3);
  }
  k.fx = cols.f;
  for (int c = 0; c < 3; c++) {
    k.s[c] = static_cast<int>(w.order[c]);
    k.mean[c] = w.mean[c];
    k.inv[c] = w.inv[c];
  }
  const int64_t plane = w.W * w.H;
  for (int64_t y = 0; y < w.H; y++) {
    SepRow r;
    r.base0 = w.src.data + rows.i0[y] * w.sw * 3;
    r.base1 = w.src.data + rows.i1[y] * w.sw * 3;
    r.fy = rows.f[y];
    r.gy = 1 - r.fy;
    for (int c = 0; c < 3; c++) r.out[c] = w.out.data + w.offset + c * plane + y * w.W;
    const bool lastRow = rows.i1[y] == w.sh - 1;
    const int64_t done = kAvx2 && !lastRow && w.sw * 3 < (INT64_C(1) << 31) ? SepRowAvx2(r, k, w.W) : 0;
    SepRowScalar(r, k, done, w.W);
  }
  return nullptr;
}

// One output row of the affine warp, pixels [xa, xb): what the JS loop computes per pixel.
const double kGrey[3] = {0.299, 0.587, 0.114};

void AffineRowScalar(const Warp& w, int64_t y, int64_t xa, int64_t xb) {
  const int64_t plane = w.W * w.H, sw = w.sw, sh = w.sh;
  const double* m = w.m;
  const uint8_t* src = w.src.data;
  float* t = w.out.data + w.offset;
  for (int64_t x = xa; x < xb; x++) {
    const double sx = m[0] * x + m[1] * y + m[2];
    const double sy = m[3] * x + m[4] * y + m[5];
    const double flx = Floor(sx), fly = Floor(sy);
    const double fx = sx - flx, fy = sy - fly;
    const int64_t ix = ToIndex(flx), iy = ToIndex(fly);
    const int64_t x0 = Clamp(ix, sw), x1 = Clamp(ix + 1, sw);
    const int64_t y0 = Clamp(iy, sh), y1 = Clamp(iy + 1, sh);
    const uint8_t* q00 = src + (y0 * sw + x0) * 3;
    const uint8_t* q01 = src + (y0 * sw + x1) * 3;
    const uint8_t* q10 = src + (y1 * sw + x0) * 3;
    const uint8_t* q11 = src + (y1 * sw + x1) * 3;
    const double w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
    const int64_t p = y * w.W + x;
    if (w.channels == 1) {
      double g = 0;
      for (int c = 0; c < 3; c++) g += kGrey[c] * (q00[c] * w00 + q01[c] * w01 + q10[c] * w10 + q11[c] * w11);
      t[p] = static_cast<float>((g - w.mean[0]) * w.inv[0]);
    } else {
      for (int c = 0; c < 3; c++) {
        const int64_t s = w.order[c];
        const double v = q00[s] * w00 + q01[s] * w01 + q10[s] * w10 + q11[s] * w11;
        t[c * plane + p] = static_cast<float>((v - w.mean[c]) * w.inv[c]);
      }
    }
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// One channel of four gathered pixels as doubles: byte (8·s + extra) / 8 of each lane.
__attribute__((target("avx2"))) inline __m256d Byte4(__m128i g, __m128i shift) {
  return _mm256_cvtepi32_pd(_mm_and_si128(_mm_srlv_epi32(g, shift), _mm_set1_epi32(0xFF)));
}

// Four pixels at a time with AVX2, the scalar row's operations in its order, lane by lane (so the
// same floats): coordinates, floor, clamped neighbours, weights, four 4-byte gathers. A gather at
// the photo's last pixel would read one byte past its end, so that lane reads from one byte
// earlier and shifts one byte further. Needs at least two pixels and offsets that fit in 31 bits.
__attribute__((target("avx2"))) int64_t AffineRowAvx2(const Warp& w, int64_t y) {
  const int64_t n = w.W & ~int64_t{3};
  const double* m = w.m;
  const int* src = reinterpret_cast<const int*>(w.src.data);
  const int64_t plane = w.W * w.H;
  float* t = w.out.data + w.offset + y * w.W;
  const __m256d m0 = _mm256_set1_pd(m[0]), m3 = _mm256_set1_pd(m[3]);
  const __m256d by = _mm256_set1_pd(m[1] * y), ey = _mm256_set1_pd(m[4] * y);
  const __m256d m2 = _mm256_set1_pd(m[2]), m5 = _mm256_set1_pd(m[5]);
  const __m256d one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
  const __m256d maxX = _mm256_set1_pd(static_cast<double>(w.sw - 1)), maxY = _mm256_set1_pd(static_cast<double>(w.sh - 1));
  const __m128i sw = _mm_set1_epi32(static_cast<int>(w.sw)), three = _mm_set1_epi32(3);
  const __m128i beforeLast = _mm_set1_epi32(static_cast<int>((w.sw * w.sh - 1) * 3 - 1));
  for (int64_t x = 0; x < n; x += 4) {
    const __m256d xv = _mm256_set_pd(static_cast<double>(x + 3), static_cast<double>(x + 2), static_cast<double>(x + 1), static_cast<double>(x));
    const __m256d sx = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(m0, xv), by), m2);
    const __m256d sy = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(m3, xv), ey), m5);
    const __m256d flx = _mm256_floor_pd(sx), fly = _mm256_floor_pd(sy);
    const __m256d fx = _mm256_sub_pd(sx, flx), fy = _mm256_sub_pd(sy, fly);
    // Clamping in doubles gives the scalar Clamp's indices for every finite coordinate.
    auto clampTo = [](__m256d v, __m256d hi) __attribute__((target("avx2"))) {
      return _mm256_cvttpd_epi32(_mm256_min_pd(_mm256_max_pd(v, _mm256_setzero_pd()), hi));
    };
    const __m128i x0 = clampTo(flx, maxX), x1 = clampTo(_mm256_add_pd(flx, one), maxX);
    const __m128i r0 = _mm_mullo_epi32(clampTo(fly, maxY), sw), r1 = _mm_mullo_epi32(clampTo(_mm256_add_pd(fly, one), maxY), sw);
    __m128i off[4] = {_mm_add_epi32(r0, x0), _mm_add_epi32(r0, x1), _mm_add_epi32(r1, x0), _mm_add_epi32(r1, x1)};
    __m128i g[4], extra[4];
    for (int k = 0; k < 4; k++) {
      off[k] = _mm_mullo_epi32(off[k], three);
      const __m128i safe = _mm_min_epi32(off[k], beforeLast);
      extra[k] = _mm_slli_epi32(_mm_sub_epi32(off[k], safe), 3);
      g[k] = _mm_i32gather_epi32(src, safe, 1);
    }
    const __m256d omfx = _mm256_sub_pd(one, fx), omfy = _mm256_sub_pd(one, fy);
    const __m256d w00 = _mm256_mul_pd(omfx, omfy), w01 = _mm256_mul_pd(fx, omfy);
    const __m256d w10 = _mm256_mul_pd(omfx, fy), w11 = _mm256_mul_pd(fx, fy);
    auto sample = [&](int s) __attribute__((target("avx2"))) {
      const __m128i sh = _mm_set1_epi32(8 * s);
      __m256d v = _mm256_mul_pd(Byte4(g[0], _mm_add_epi32(sh, extra[0])), w00);
      v = _mm256_add_pd(v, _mm256_mul_pd(Byte4(g[1], _mm_add_epi32(sh, extra[1])), w01));
      v = _mm256_add_pd(v, _mm256_mul_pd(Byte4(g[2], _mm_add_epi32(sh, extra[2])), w10));
      return _mm256_add_pd(v, _mm256_mul_pd(Byte4(g[3], _mm_add_epi32(sh, extra[3])), w11));
    };
    if (w.channels == 1) {
      __m256d gr = _mm256_add_pd(zero, _mm256_mul_pd(_mm256_set1_pd(kGrey[0]), sample(0)));
      gr = _mm256_add_pd(gr, _mm256_mul_pd(_mm256_set1_pd(kGrey[1]), sample(1)));
      gr = _mm256_add_pd(gr, _mm256_mul_pd(_mm256_set1_pd(kGrey[2]), sample(2)));
      const __m256d v = _mm256_mul_pd(_mm256_sub_pd(gr, _mm256_set1_pd(w.mean[0])), _mm256_set1_pd(w.inv[0]));
      _mm_storeu_ps(t + x, _mm256_cvtpd_ps(v));
    } else {
      for (int c = 0; c < 3; c++) {
        const __m256d v = _mm256_mul_pd(_mm256_sub_pd(sample(static_cast<int>(w.order[c])), _mm256_set1_pd(w.mean[c])), _mm256_set1_pd(w.inv[c]));
        _mm_storeu_ps(t + c * plane + x, _mm256_cvtpd_ps(v));
      }
    }
  }
  return n;
}
#else
int64_t AffineRowAvx2(const Warp&, int64_t) { return 0; }
#endif

// affineWarp(…): pixel-ops.ts affineWarpToTensor, any affine, colour or grey.
napi_value AffineWarp(napi_env env, napi_callback_info info) {
  Warp w;
  if (!GetWarp(env, info, &w)) return nullptr;
  const int64_t pixels = w.sw * w.sh;
  const bool vector = kAvx2 && pixels >= 2 && pixels * 3 < (INT64_C(1) << 31);
  for (int64_t y = 0; y < w.H; y++) AffineRowScalar(w, y, vector ? AffineRowAvx2(w, y) : 0, w.W);
  return nullptr;
}

// address(typedArray): the address of its first byte, as a BigInt (worker-pool.analyzer.ts hands
// a photo to a worker this way instead of copying it; the pool keeps the array alive meanwhile).
napi_value Address(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!Args(env, info, 1, a)) return nullptr;
  U8 arr;
  if (!GetU8(env, a[0], &arr)) return nullptr;
  if (arr.length == 0 || arr.data == nullptr) return Fail(env, "empty array"), nullptr;
  napi_value out;
  if (napi_create_bigint_uint64(env, reinterpret_cast<uint64_t>(arr.data), &out) != napi_ok) return nullptr;
  return out;
}

// view(address, length): a Uint8Array over `length` bytes at `address`, memory this thread does
// not own (no finalizer): valid only while the thread that owns it keeps it alive and unchanged.
napi_value View(napi_env env, napi_callback_info info) {
  napi_value a[2];
  if (!Args(env, info, 2, a)) return nullptr;
  uint64_t address = 0;
  bool lossless = false;
  if (napi_get_value_bigint_uint64(env, a[0], &address, &lossless) != napi_ok || !lossless || address == 0)
    return Fail(env, "expected an address"), nullptr;
  int64_t length;
  if (!GetInt(env, a[1], 1, INT64_C(1) << 40, &length)) return nullptr;
  napi_value ab, view;
  if (napi_create_external_arraybuffer(env, reinterpret_cast<void*>(address), static_cast<size_t>(length), nullptr, nullptr, &ab) != napi_ok)
    return nullptr;
  if (napi_create_typedarray(env, napi_uint8_array, static_cast<size_t>(length), ab, 0, &view) != napi_ok) return nullptr;
  return view;
}

// release(view): detaches a view made by `view`, so nothing in this thread can read that memory
// after its owner is told it may free it (a stale reference then sees zero bytes).
napi_value Release(napi_env env, napi_callback_info info) {
  napi_value a[1];
  if (!Args(env, info, 1, a)) return nullptr;
  bool is = false;
  napi_value ab;
  if (napi_is_typedarray(env, a[0], &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, a[0], nullptr, nullptr, nullptr, &ab, nullptr) != napi_ok)
    return Fail(env, "expected a view"), nullptr;
  if (napi_detach_arraybuffer(env, ab) != napi_ok) return Fail(env, "cannot detach"), nullptr;
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"boxDownsample", BoxDownsample}, {"separableWarp", SeparableWarp}, {"affineWarp", AffineWarp}, {"address", Address}, {"view", View}, {"release", Release}};
  for (const auto& f : fns) {
    napi_value v;
    if (napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v) != napi_ok) return nullptr;
    if (napi_set_named_property(env, exports, f.name, v) != napi_ok) return nullptr;
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
