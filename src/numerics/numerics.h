// Bit-exact element numerics for the simulator: conversions between FP32 (the
// engines' compute type, spec §5.0) and every NKI storage dtype (spec §4.2),
// element and row load/store by dtype, and uninitialised-memory sentinels (§8).
//
// Reference semantics (checked bit-for-bit against ml_dtypes 0.6.0 / numpy 2.4
// `astype` on ~1e6 random and special fp32 values per format):
//  * All float narrowing is round-to-nearest-even (RNE); subnormals of every
//    format are exact (both directions, incl. fp32 subnormal inputs).
//  * Overflow (fp32 -> narrow), decided by RNE as if the exponent range were
//    unbounded, then:
//      bfloat16, float16, tfloat32, float8_e4m3, float8_e5m2 -> ±Inf (IEEE).
//        e4m3: |x| >= 248 -> Inf (248 is the tie 240|256, ties to the even Inf
//        code 0x78); e5m2: |x| >= 61440 -> Inf.
//      float8_e4m3fn (no Inf) -> ±NaN (S.1111.111), exactly as ml_dtypes:
//        |x| <= 464 rounds to 448 (464 is a tie and 448=0x7E is even),
//        |x| > 464 -> NaN, ±Inf -> ±NaN. (NOT saturating to 448; the
//        saturating OCP mode is not what ml_dtypes/NKI users compare against.)
//  * NaN (fp32 -> narrow): always a quiet NaN with the input's sign.
//      bfloat16 and fp8: canonical payload (ml_dtypes: 0x7FC0, e4m3 0x7C,
//        e4m3fn 0x7F, e5m2 0x7E, plus sign).
//      float16 and tfloat32: top payload bits kept, quiet bit forced (numpy
//        float16 keeps payload too but leaves signalling NaNs signalling; we
//        quiet them, as the brief requires: the only deviation from numpy).
//  * NaN (narrow -> fp32): bfloat16/float16 bit-exact widening (payload kept,
//    as ml_dtypes/numpy); fp8 NaNs widen to canonical ±0x7FC00000 (ml_dtypes).
//  * fp32 -> integer: RNE then saturate to the destination range; NaN -> 0.
//    integer -> fp32: RNE of the exact integer. bool: nonzero (incl. NaN) -> 1.
//  * tfloat32 is stored as fp32 bits with the low 13 mantissa bits zero;
//    loading returns the stored fp32 bits unchanged.
// Storage is little-endian (static_assert'ed); pointers need no alignment.
#pragma once

#include <cstdint>

#include "ir/dtype.h"

namespace nkic::numerics {

// ---- scalar float conversions (bit patterns of the narrow format) ----
float bf16_to_f32(uint16_t b);
uint16_t f32_to_bf16(float f);
float f16_to_f32(uint16_t b);
uint16_t f32_to_f16(float f);
float tf32_to_f32(uint32_t b);  // identity on the fp32 storage bits
uint32_t f32_to_tf32(float f);  // fp32 bits, mantissa RNE to 10 bits
float e4m3_to_f32(uint8_t b);   // float8_e4m3   (IEEE-like, bias 7, max 240)
uint8_t f32_to_e4m3(float f);
float e4m3fn_to_f32(uint8_t b);  // float8_e4m3fn (OCP, no Inf, max 448)
uint8_t f32_to_e4m3fn(float f);
float e5m2_to_f32(uint8_t b);  // float8_e5m2   (IEEE-like, bias 15, max 57344)
uint8_t f32_to_e5m2(float f);
float e8m0_to_f32(uint8_t b);  // float8_e8m0fnu (exponent only, bias 127, 0xFF = NaN; NKI 0.5.0)
uint8_t f32_to_e8m0(float f);  // as ml_dtypes: a mantissa >= 0.5 rounds the exponent up; <=0, Inf, NaN -> NaN

// ---- integers ----
// Round half to even in the default FP environment; NaN/Inf/huge returned as is.
float round_even(float v);
// RNE, saturate to [lo, hi], NaN -> 0.
int64_t f32_to_int_sat(float v, int64_t lo, int64_t hi);
// Exact RNE of the integer.
float i64_to_f32(int64_t v);
// Range of an integer dtype (Bool: [0, 1]); throws std::invalid_argument otherwise.
int64_t int_min(DType t);
int64_t int_max(DType t);

// ---- element access (non-packed dtypes; packed x4 types throw invalid_argument) ----
float load(DType t, const void* p);
void store(DType t, float v, void* p);
// The value `t` would hold after store(t, v): the engines' cast-on-write.
float quantize(DType t, float v);
// Exact int64 access. Integer dtypes and Bool read exactly; storing saturates
// (Bool: nonzero -> 1). Float dtypes: load = f32_to_int_sat to int64; store goes
// through fp32 (i64_to_f32) as the engines do.
int64_t load_i64(DType t, const void* p);
void store_i64(DType t, int64_t v, void* p);

// ---- row converters for hot loops; stride is in elements of t (any sign, 0 ok) ----
void load_row(DType t, const uint8_t* base, int64_t stride_elems, int64_t n, float* out);
void store_row(DType t, const float* in, int64_t n, uint8_t* base, int64_t stride_elems);
void load_row_i64(DType t, const uint8_t* base, int64_t stride_elems, int64_t n, int64_t* out);
void store_row_i64(DType t, const int64_t* in, int64_t n, uint8_t* base, int64_t stride_elems);

// ---- uninitialised-memory sentinels (AWS simulator, spec §8) ----
float sentinel_float();  // quiet NaN 0x7FC00000
// Fills n_elems elements of t: float types -> that format's canonical quiet NaN
// (f32/tf32 0x7FC00000, bf16 0x7FC0, f16 0x7E00, e4m3 0x7C, e4m3fn 0x7F,
// e5m2 0x7E; fp8 x4 packs: 4 NaN bytes); integer types -> the value 4;
// Bool -> 1 (what np.full(shape, 4, dtype=bool) stores); float4_e2m1fn_x4 has
// no NaN -> every nibble 0x7 (+6.0, its max finite), i.e. 0x7777.
void fill_sentinel(DType t, uint8_t* p, int64_t n_elems);

}  // namespace nkic::numerics
