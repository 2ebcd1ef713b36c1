#include "numerics/numerics.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace nkic::numerics {

static_assert(std::endian::native == std::endian::little, "storage is little-endian");

namespace {

// A binary float format narrower than (or as wide as) fp32 in both fields.
struct Fmt {
  int E;             // exponent bits
  int M;             // mantissa bits
  int bias;          // <= 127
  bool has_inf;      // IEEE-like: exponent all-ones is Inf/NaN. Else (fn): only S.1..1.1..1 is NaN
  bool nan_payload;  // keep NaN payload bits (else canonical quiet NaN)
};

constexpr Fmt kBF16{8, 7, 127, true, false};
constexpr Fmt kF16{5, 10, 15, true, true};
constexpr Fmt kTF32{8, 10, 127, true, true};  // code = fp32 bits >> 13
constexpr Fmt kE4M3{4, 3, 7, true, false};
constexpr Fmt kE4M3FN{4, 3, 7, false, false};
constexpr Fmt kE5M2{5, 2, 15, true, false};

constexpr uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }
constexpr float from_bits(uint32_t u) { return std::bit_cast<float>(u); }

// fp32 -> code of F (sign at bit E+M). RNE, exact subnormals; overflow goes to
// the first non-finite code (Inf if has_inf, else the NaN code), see header.
template <Fmt F>
constexpr uint32_t encode(float f) {
  static_assert(F.bias <= 127 && F.M >= 1 && F.M <= 22 && F.E <= 8);
  constexpr int SH = 23 - F.M;
  constexpr int32_t REBIAS = 127 - F.bias;
  constexpr uint32_t MAN_ALL = (1u << F.M) - 1;
  constexpr uint32_t INF = ((1u << F.E) - 1) << F.M;
  constexpr uint32_t QNAN = F.has_inf ? (INF | (1u << (F.M - 1))) : (INF | MAN_ALL);
  constexpr uint32_t LIMIT = F.has_inf ? INF : QNAN;  // first non-finite code
  const uint32_t x = bits(f);
  const uint32_t sign = (x >> 31) << (F.E + F.M);
  const uint32_t a = x & 0x7fffffffu;
  if (a >= 0x7f800000u) {
    if (a == 0x7f800000u) return sign | LIMIT;
    if constexpr (F.nan_payload) return sign | INF | (1u << (F.M - 1)) | ((a & 0x7fffffu) >> SH);
    return sign | QNAN;
  }
  const int32_t fe = static_cast<int32_t>(a >> 23);
  if (REBIAS == 0 || fe > REBIAS) {
    // Normal in the target (or same exponent range as fp32: the fp32 layout is
    // continuous through subnormals, so plain RNE on the bits is exact).
    uint32_t v = a - (static_cast<uint32_t>(REBIAS) << 23);
    v = (v + ((1u << (SH - 1)) - 1) + ((v >> SH) & 1)) >> SH;
    return sign | (v < LIMIT ? v : LIMIT);
  }
  // Subnormal (or zero) in the target: quantum 2^(1-bias-M).
  const uint32_t m = (a & 0x7fffffu) | (fe ? 0x800000u : 0u);
  const int sh = SH + 1 + REBIAS - (fe ? fe : 1);
  if (sh > 24) return sign;  // below half the smallest subnormal (m < 2^24)
  uint32_t r = m >> sh;
  const uint32_t rem = m & ((1u << sh) - 1), half = 1u << (sh - 1);
  if (rem > half || (rem == half && (r & 1))) ++r;  // may carry into the min normal: correct
  return sign | r;
}

template <Fmt F>
constexpr float decode(uint32_t c) {
  constexpr int SH = 23 - F.M;
  constexpr uint32_t REBIAS = 127 - F.bias;
  constexpr uint32_t EXP_ALL = (1u << F.E) - 1;
  constexpr uint32_t MAN_ALL = (1u << F.M) - 1;
  const uint32_t s = ((c >> (F.E + F.M)) & 1u) << 31;
  const uint32_t ex = (c >> F.M) & EXP_ALL;
  const uint32_t man = c & MAN_ALL;
  if (ex == EXP_ALL && (F.has_inf || man == MAN_ALL)) {
    if (F.has_inf && man == 0) return from_bits(s | 0x7f800000u);
    if constexpr (F.nan_payload) return from_bits(s | 0x7f800000u | (man << SH));
    return from_bits(s | 0x7fc00000u);
  }
  if (ex == 0 && REBIAS != 0) {
    // man * 2^(1-bias-M): exact in fp32 (the scale is a normal fp32 power of two).
    constexpr float scale = from_bits(static_cast<uint32_t>(127 + 1 - F.bias - F.M) << 23);
    const float v = static_cast<float>(man) * scale;
    return s ? -v : v;
  }
  return from_bits(s | ((ex + REBIAS) << 23) | (man << SH));
}

template <Fmt F>
constexpr std::array<float, 256> make_table() {
  std::array<float, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) t[i] = decode<F>(i);
  return t;
}
constexpr std::array<float, 256> kE4M3Tab = make_table<kE4M3>();
constexpr std::array<float, 256> kE4M3FNTab = make_table<kE4M3FN>();
constexpr std::array<float, 256> kE5M2Tab = make_table<kE5M2>();

// ---- integer helpers ----
template <class I>
inline I sat_cast(float v) {
  float r = round_even(v);
  if constexpr (sizeof(I) < 4) {
    // Saturation of ordinary out-of-range values (e.g. negatives to uint8) is
    // data-dependent, so clamp in the integer domain (cmov); the float guard only
    // catches |r| > 2^16 and NaN, which are rare and predictable.
    if (!(std::fabs(r) <= 65536.0f)) r = r == r ? std::copysign(65536.0f, r) : 0.0f;
    const int32_t i = static_cast<int32_t>(r);
    return static_cast<I>(std::clamp<int32_t>(i, std::numeric_limits<I>::min(), std::numeric_limits<I>::max()));
  } else {
    constexpr float LO = static_cast<float>(std::numeric_limits<I>::min());                 // exact
    constexpr float HI = 2.0f * static_cast<float>(std::numeric_limits<I>::max() / 2 + 1);  // max+1
    if (!(r == r)) return 0;
    if (r >= HI) return std::numeric_limits<I>::max();
    if (r <= LO) return std::numeric_limits<I>::min();
    return static_cast<I>(r);
  }
}

template <class I>
inline I sat_i64(int64_t v) {
  if constexpr (std::is_same_v<I, int64_t>) {
    return v;
  } else {
    return static_cast<I>(std::clamp<int64_t>(v, std::numeric_limits<I>::min(), std::numeric_limits<I>::max()));
  }
}

template <class S>
inline S ld(const uint8_t* p) {
  S s;
  std::memcpy(&s, p, sizeof s);
  return s;
}
template <class S>
inline void st(uint8_t* p, S s) {
  std::memcpy(p, &s, sizeof s);
}

[[noreturn]] void bad_dtype(DType t, const char* what) {
  throw std::invalid_argument(std::string("numerics::") + what + ": unsupported dtype " + std::string(name_of(t)));
}

// The dispatch table: calls fn(tag) with a storage type S and conversions for t.
// Used by every element/row routine so the switch sits outside the loops.
template <class S, float (*Dec)(S), S (*Enc)(float)>
struct FloatCodec {
  using Storage = S;
  static constexpr bool kInt = false;
  static float dec(S s) { return Dec(s); }
  static S enc(float v) { return Enc(v); }
};
inline float f32_dec(uint32_t b) { return from_bits(b); }
inline uint32_t f32_enc(float f) { return bits(f); }

template <class I>
struct IntCodec {
  using Storage = I;
  static constexpr bool kInt = true;
  static float dec(I s) { return static_cast<float>(s); }  // RNE (default FP environment)
  static I enc(float v) { return sat_cast<I>(v); }
};
struct BoolCodec {
  using Storage = uint8_t;
  static constexpr bool kInt = false;
  static float dec(uint8_t s) { return s != 0 ? 1.0f : 0.0f; }
  static uint8_t enc(float v) { return v != 0.0f ? 1 : 0; }  // NaN != 0 -> 1
};

template <class Fn>
decltype(auto) dispatch(DType t, const char* what, Fn&& fn) {
  switch (t) {
    case DType::Bool: return fn(BoolCodec{});
    case DType::Int8: return fn(IntCodec<int8_t>{});
    case DType::UInt8: return fn(IntCodec<uint8_t>{});
    case DType::Int16: return fn(IntCodec<int16_t>{});
    case DType::UInt16: return fn(IntCodec<uint16_t>{});
    case DType::Int32: return fn(IntCodec<int32_t>{});
    case DType::UInt32: return fn(IntCodec<uint32_t>{});
    case DType::Int64: return fn(IntCodec<int64_t>{});
    case DType::Float16: return fn(FloatCodec<uint16_t, f16_to_f32, f32_to_f16>{});
    case DType::BFloat16: return fn(FloatCodec<uint16_t, bf16_to_f32, f32_to_bf16>{});
    case DType::TFloat32: return fn(FloatCodec<uint32_t, f32_dec, f32_to_tf32>{});
    case DType::Float32: return fn(FloatCodec<uint32_t, f32_dec, f32_enc>{});
    case DType::Float8E4M3: return fn(FloatCodec<uint8_t, e4m3_to_f32, f32_to_e4m3>{});
    case DType::Float8E4M3FN: return fn(FloatCodec<uint8_t, e4m3fn_to_f32, f32_to_e4m3fn>{});
    case DType::Float8E5M2: return fn(FloatCodec<uint8_t, e5m2_to_f32, f32_to_e5m2>{});
    case DType::Float8E8M0FNU: return fn(FloatCodec<uint8_t, e8m0_to_f32, f32_to_e8m0>{});
    default: break;
  }
  bad_dtype(t, what);
}

template <class C>
constexpr bool is_int_codec = C::kInt;

}  // namespace

// ---- scalar conversions ----
float bf16_to_f32(uint16_t b) { return from_bits(static_cast<uint32_t>(b) << 16); }
uint16_t f32_to_bf16(float f) { return static_cast<uint16_t>(encode<kBF16>(f)); }
float f16_to_f32(uint16_t b) { return decode<kF16>(b); }
uint16_t f32_to_f16(float f) { return static_cast<uint16_t>(encode<kF16>(f)); }
float tf32_to_f32(uint32_t b) { return from_bits(b); }
uint32_t f32_to_tf32(float f) { return encode<kTF32>(f) << 13; }
float e4m3_to_f32(uint8_t b) { return kE4M3Tab[b]; }
uint8_t f32_to_e4m3(float f) { return static_cast<uint8_t>(encode<kE4M3>(f)); }
float e4m3fn_to_f32(uint8_t b) { return kE4M3FNTab[b]; }
uint8_t f32_to_e4m3fn(float f) { return static_cast<uint8_t>(encode<kE4M3FN>(f)); }
float e5m2_to_f32(uint8_t b) { return kE5M2Tab[b]; }
uint8_t f32_to_e5m2(float f) { return static_cast<uint8_t>(encode<kE5M2>(f)); }
float e8m0_to_f32(uint8_t b) { return b == 0xFF ? std::numeric_limits<float>::quiet_NaN() : std::ldexp(1.0f, b - 127); }
uint8_t f32_to_e8m0(float f) {
  if (std::isnan(f) || std::isinf(f) || f <= 0) return 0xFF;  // no zero, no sign: NaN (as ml_dtypes)
  uint32_t b = bits(f), e = b >> 23 & 0xFF;
  if (e == 0) return 0;  // zero and fp32 subnormals: the smallest scale
  if ((b & 0x7FFFFF) >= 0x400000) ++e;
  return static_cast<uint8_t>(e >= 0xFF ? 0xFF : e);
}

// ---- integers ----
// Needs IEEE fp32 arithmetic in the default rounding mode: do not build this
// file with -ffast-math / -fassociative-math.
float round_even(float v) {
  const float a = std::fabs(v);
  if (!(a < 8388608.0f)) return v;                         // >= 2^23 is integral already; NaN/Inf pass through
  return std::copysign((a + 8388608.0f) - 8388608.0f, v);  // RNE via the fp add
}

int64_t f32_to_int_sat(float v, int64_t lo, int64_t hi) {
  const float r = round_even(v);
  if (!(r == r)) return 0;
  if (r >= 9223372036854775808.0f) return hi;
  if (r <= -9223372036854775808.0f) return lo;
  return std::clamp<int64_t>(static_cast<int64_t>(r), lo, hi);
}

float i64_to_f32(int64_t v) { return static_cast<float>(v); }

int64_t int_min(DType t) {
  if (t == DType::Bool) return 0;
  return dispatch(t, "int_min", [&](auto c) -> int64_t {
    using C = decltype(c);
    if constexpr (is_int_codec<C>) return std::numeric_limits<typename C::Storage>::min();
    bad_dtype(t, "int_min");
  });
}
int64_t int_max(DType t) {
  if (t == DType::Bool) return 1;
  return dispatch(t, "int_max", [&](auto c) -> int64_t {
    using C = decltype(c);
    if constexpr (is_int_codec<C>) return std::numeric_limits<typename C::Storage>::max();
    bad_dtype(t, "int_max");
  });
}

// ---- element access ----
float load(DType t, const void* p) {
  return dispatch(t, "load", [&](auto c) {
    using C = decltype(c);
    return C::dec(ld<typename C::Storage>(static_cast<const uint8_t*>(p)));
  });
}
void store(DType t, float v, void* p) {
  dispatch(t, "store", [&](auto c) {
    using C = decltype(c);
    st(static_cast<uint8_t*>(p), C::enc(v));
  });
}
float quantize(DType t, float v) {
  return dispatch(t, "quantize", [&](auto c) {
    using C = decltype(c);
    return C::dec(C::enc(v));
  });
}

namespace {
// Integer-exact codec view of any dtype.
template <class C>
int64_t dec_i64(typename C::Storage s) {
  if constexpr (is_int_codec<C>)
    return static_cast<int64_t>(s);
  else if constexpr (std::is_same_v<C, BoolCodec>)
    return s != 0;
  else
    return f32_to_int_sat(C::dec(s), INT64_MIN, INT64_MAX);
}
template <class C>
typename C::Storage enc_i64(int64_t v) {
  if constexpr (is_int_codec<C>)
    return sat_i64<typename C::Storage>(v);
  else if constexpr (std::is_same_v<C, BoolCodec>)
    return v != 0;
  else
    return C::enc(i64_to_f32(v));
}
}  // namespace

int64_t load_i64(DType t, const void* p) {
  return dispatch(t, "load_i64", [&](auto c) {
    using C = decltype(c);
    return dec_i64<C>(ld<typename C::Storage>(static_cast<const uint8_t*>(p)));
  });
}
void store_i64(DType t, int64_t v, void* p) {
  dispatch(t, "store_i64", [&](auto c) {
    using C = decltype(c);
    st(static_cast<uint8_t*>(p), enc_i64<C>(v));
  });
}

// ---- rows: switch once, then a tight loop per storage type ----
void load_row(DType t, const uint8_t* base, int64_t stride, int64_t n, float* out) {
  if (t == DType::Float32 || t == DType::TFloat32) {
    if (stride == 1) {
      std::memcpy(out, base, static_cast<size_t>(n) * 4);
      return;
    }
  }
  dispatch(t, "load_row", [&](auto c) {
    using C = decltype(c);
    using S = typename C::Storage;
    const int64_t step = stride * static_cast<int64_t>(sizeof(S));
    if (stride == 1) {
      for (int64_t i = 0; i < n; ++i) out[i] = C::dec(ld<S>(base + i * static_cast<int64_t>(sizeof(S))));
    } else {
      for (int64_t i = 0; i < n; ++i) out[i] = C::dec(ld<S>(base + i * step));
    }
  });
}

void store_row(DType t, const float* in, int64_t n, uint8_t* base, int64_t stride) {
  if (t == DType::Float32 && stride == 1) {
    std::memcpy(base, in, static_cast<size_t>(n) * 4);
    return;
  }
  dispatch(t, "store_row", [&](auto c) {
    using C = decltype(c);
    using S = typename C::Storage;
    const int64_t step = stride * static_cast<int64_t>(sizeof(S));
    if (stride == 1) {
      for (int64_t i = 0; i < n; ++i) st(base + i * static_cast<int64_t>(sizeof(S)), C::enc(in[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) st(base + i * step, C::enc(in[i]));
    }
  });
}

void load_row_i64(DType t, const uint8_t* base, int64_t stride, int64_t n, int64_t* out) {
  dispatch(t, "load_row_i64", [&](auto c) {
    using C = decltype(c);
    using S = typename C::Storage;
    const int64_t step = stride * static_cast<int64_t>(sizeof(S));
    for (int64_t i = 0; i < n; ++i) out[i] = dec_i64<C>(ld<S>(base + i * step));
  });
}

void store_row_i64(DType t, const int64_t* in, int64_t n, uint8_t* base, int64_t stride) {
  dispatch(t, "store_row_i64", [&](auto c) {
    using C = decltype(c);
    using S = typename C::Storage;
    const int64_t step = stride * static_cast<int64_t>(sizeof(S));
    for (int64_t i = 0; i < n; ++i) st(base + i * step, enc_i64<C>(in[i]));
  });
}

// ---- sentinels ----
float sentinel_float() { return from_bits(0x7fc00000u); }

void fill_sentinel(DType t, uint8_t* p, int64_t n) {
  uint8_t pat[4];
  int w = size_of(t);
  switch (t) {
    case DType::Float8E5M2x4: std::memset(pat, 0x7e, 4); break;
    case DType::Float8E4M3FNx4: std::memset(pat, 0x7f, 4); break;
    case DType::Float4E2M1FNx4: std::memset(pat, 0x77, 2); break;
    case DType::Bool: pat[0] = 1; break;
    default:
      if (is_float(t))
        store(t, sentinel_float(), pat);
      else
        store_i64(t, 4, pat);
  }
  if (w == 1) {
    std::memset(p, pat[0], static_cast<size_t>(n));
    return;
  }
  if (n <= 0) return;
  // One element, then doubling copies of what is filled so far (a few dozen memcpy calls for any n).
  size_t bytes = static_cast<size_t>(n) * static_cast<size_t>(w), done = static_cast<size_t>(w);
  std::memcpy(p, pat, done);
  while (done < bytes) {
    size_t k = std::min(done, bytes - done);
    std::memcpy(p + done, p, k);
    done += k;
  }
}

}  // namespace nkic::numerics
