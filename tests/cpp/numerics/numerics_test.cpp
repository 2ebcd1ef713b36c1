#include "numerics/numerics.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

using namespace nkic;
using namespace nkic::numerics;

namespace {

float F(uint32_t b) { return std::bit_cast<float>(b); }
uint32_t B(float f) { return std::bit_cast<uint32_t>(f); }
constexpr float kInf = std::numeric_limits<float>::infinity();
const float kNaN = F(0x7fc00000u);

// Checks both directions for an exactly representable value: decode(code) has
// fp32 bits `f32bits`, and encode of that value gives `code` back.
#define EXPECT_PAIR(enc, dec, code, f32bits)     \
  do {                                           \
    EXPECT_EQ(B(dec(code)), (f32bits)) << #code; \
    EXPECT_EQ(enc(F(f32bits)), (code)) << #code; \
  } while (0)

}  // namespace

// ---------------- bfloat16 (1,8,7) ----------------
TEST(Bf16, SpecialValues) {
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x0000, 0x00000000u);  // +0
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x8000, 0x80000000u);  // -0
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x0001, 0x00010000u);  // min subnormal 2^-133
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x007F, 0x007F0000u);  // max subnormal
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x0080, 0x00800000u);  // min normal 2^-126
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x7F7F, 0x7F7F0000u);  // max finite
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x3F80, 0x3F800000u);  // 1
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0xC000, 0xC0000000u);  // -2
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0x7F80, 0x7F800000u);  // +Inf
  EXPECT_PAIR(f32_to_bf16, bf16_to_f32, 0xFF80, 0xFF800000u);  // -Inf
  EXPECT_EQ(f32_to_bf16(F(0x7F7F7FFFu)), 0x7F7F);              // just below overflow
  EXPECT_EQ(f32_to_bf16(F(0x7F7F8000u)), 0x7F80);              // max + half ulp: tie -> even = Inf
  EXPECT_EQ(f32_to_bf16(F(0xFF7FFFFFu)), 0xFF80);              // FLT_MAX -> -Inf
}

TEST(Bf16, RoundingTiesToEven) {
  EXPECT_EQ(f32_to_bf16(F(0x3F808000u)), 0x3F80);  // tie, even stays
  EXPECT_EQ(f32_to_bf16(F(0x3F818000u)), 0x3F82);  // tie, odd rounds up
  EXPECT_EQ(f32_to_bf16(F(0x3F808001u)), 0x3F81);  // above tie
  EXPECT_EQ(f32_to_bf16(F(0x3F817FFFu)), 0x3F81);  // below tie
  EXPECT_EQ(f32_to_bf16(F(0xBF818000u)), 0xBF82);  // negative tie
  EXPECT_EQ(f32_to_bf16(F(0xBF808000u)), 0xBF80);
  EXPECT_EQ(f32_to_bf16(F(0x00008000u)), 0x0000);  // subnormal tie to 0
  EXPECT_EQ(f32_to_bf16(F(0x00018000u)), 0x0002);  // subnormal tie up
  EXPECT_EQ(f32_to_bf16(F(0x007F8000u)), 0x0080);  // max subnormal tie carries into min normal
  EXPECT_EQ(f32_to_bf16(F(0x3FFFFFFFu)), 0x4000);  // mantissa carry into exponent
}

TEST(Bf16, NaN) {
  EXPECT_EQ(f32_to_bf16(F(0x7FC00000u)), 0x7FC0);
  EXPECT_EQ(f32_to_bf16(F(0xFFC00000u)), 0xFFC0);
  EXPECT_EQ(f32_to_bf16(F(0x7F800001u)), 0x7FC0);  // signalling, payload lost: still NaN, quiet
  EXPECT_EQ(f32_to_bf16(F(0x7FFFFFFFu)), 0x7FC0);  // canonical (ml_dtypes)
  EXPECT_EQ(f32_to_bf16(F(0xFF812345u)), 0xFFC0);
  EXPECT_EQ(B(bf16_to_f32(0x7F81)), 0x7F810000u);  // widening is bit-exact
  EXPECT_EQ(B(bf16_to_f32(0xFFC0)), 0xFFC00000u);
}

// ---------------- float16 (1,5,10), bias 15 ----------------
TEST(F16, SpecialValues) {
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x0000, 0x00000000u);
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x8000, 0x80000000u);
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x0001, 0x33800000u);  // 2^-24
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x8001, 0xB3800000u);  // -2^-24
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x0002, 0x34000000u);  // 2^-23
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x03FF, 0x387FC000u);  // max subnormal 1023*2^-24
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x0400, 0x38800000u);  // min normal 2^-14
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x3C00, 0x3F800000u);  // 1
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0xC000, 0xC0000000u);  // -2
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x7BFF, 0x477FE000u);  // max finite 65504
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0xFBFF, 0xC77FE000u);  // -65504
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0x7C00, 0x7F800000u);  // +Inf
  EXPECT_PAIR(f32_to_f16, f16_to_f32, 0xFC00, 0xFF800000u);  // -Inf
  EXPECT_EQ(f32_to_f16(F(0x477FEFFFu)), 0x7BFF);             // 65519.998 -> 65504
  EXPECT_EQ(f32_to_f16(65520.0f), 0x7C00);                   // tie -> even = Inf
  EXPECT_EQ(f32_to_f16(-1e10f), 0xFC00);
  EXPECT_EQ(f32_to_f16(F(0x00000001u)), 0x0000);  // fp32 subnormal underflows
  EXPECT_EQ(f32_to_f16(F(0x80000001u)), 0x8000);  // ... keeping the sign
}

TEST(F16, RoundingTiesToEven) {
  EXPECT_EQ(f32_to_f16(F(0x3F801000u)), 0x3C00);  // 1 + 2^-11: tie, even stays
  EXPECT_EQ(f32_to_f16(F(0x3F803000u)), 0x3C02);  // 1 + 3*2^-11: tie, odd rounds up
  EXPECT_EQ(f32_to_f16(F(0x3F801001u)), 0x3C01);
  EXPECT_EQ(f32_to_f16(F(0xBF803000u)), 0xBC02);
  EXPECT_EQ(f32_to_f16(F(0x33000000u)), 0x0000);  // 2^-25: tie between 0 and min subnormal -> 0
  EXPECT_EQ(f32_to_f16(F(0x33000001u)), 0x0001);  // just above -> min subnormal
  EXPECT_EQ(f32_to_f16(F(0x32FFFFFFu)), 0x0000);
  EXPECT_EQ(f32_to_f16(F(0x33C00000u)), 0x0002);  // 3*2^-25: tie, odd 1 rounds up to 2
  EXPECT_EQ(f32_to_f16(F(0xB3C00000u)), 0x8002);
  EXPECT_EQ(f32_to_f16(F(0x387FE000u)), 0x0400);  // 1023.5*2^-24: tie carries into min normal
}

TEST(F16, NaN) {
  EXPECT_EQ(f32_to_f16(F(0x7FC00000u)), 0x7E00);
  EXPECT_EQ(f32_to_f16(F(0xFFC00000u)), 0xFE00);
  EXPECT_EQ(f32_to_f16(F(0x7F800001u)), 0x7E00);  // sNaN, payload below f16 precision: quieted
  EXPECT_EQ(f32_to_f16(F(0x7FA00000u)), 0x7F00);  // top payload bits kept, quiet bit forced
  EXPECT_EQ(f32_to_f16(F(0x7FC12345u)), 0x7E09);  // as numpy float16
  EXPECT_EQ(B(f16_to_f32(0x7C01)), 0x7F802000u);  // widening is bit-exact
  EXPECT_EQ(B(f16_to_f32(0xFE00)), 0xFFC00000u);
}

// ---------------- tfloat32 (1,8,10) in fp32 storage ----------------
TEST(Tf32, Conversions) {
  EXPECT_EQ(f32_to_tf32(1.0f), 0x3F800000u);
  EXPECT_EQ(f32_to_tf32(-0.0f), 0x80000000u);
  EXPECT_EQ(f32_to_tf32(F(0x3F801000u)), 0x3F800000u);  // tie, even stays
  EXPECT_EQ(f32_to_tf32(F(0x3F803000u)), 0x3F804000u);  // tie, odd rounds up
  EXPECT_EQ(f32_to_tf32(F(0x3F801001u)), 0x3F802000u);
  EXPECT_EQ(f32_to_tf32(F(0xBF803000u)), 0xBF804000u);
  EXPECT_EQ(f32_to_tf32(F(0x00002000u)), 0x00002000u);  // min subnormal
  EXPECT_EQ(f32_to_tf32(F(0x00001000u)), 0x00000000u);  // tie to 0
  EXPECT_EQ(f32_to_tf32(F(0x00003000u)), 0x00004000u);
  EXPECT_EQ(f32_to_tf32(F(0x007FF000u)), 0x00800000u);  // carry into min normal
  EXPECT_EQ(f32_to_tf32(F(0x7F7FE000u)), 0x7F7FE000u);  // max finite
  EXPECT_EQ(f32_to_tf32(F(0x7F7FEFFFu)), 0x7F7FE000u);
  EXPECT_EQ(f32_to_tf32(F(0x7F7FF000u)), 0x7F800000u);  // overflow tie -> Inf
  EXPECT_EQ(f32_to_tf32(-kInf), 0xFF800000u);
  EXPECT_EQ(f32_to_tf32(F(0x7FC00001u)), 0x7FC00000u);
  EXPECT_EQ(f32_to_tf32(F(0x7F800001u)), 0x7FC00000u);  // quieted
  EXPECT_EQ(f32_to_tf32(F(0xFFA12345u)), 0xFFE12000u);  // payload truncated, quiet forced
  EXPECT_EQ(B(tf32_to_f32(0x3F804000u)), 0x3F804000u);
}

// ---------------- float8_e4m3 (IEEE-like, bias 7, Inf 0x78, max 240) ----------------
TEST(E4M3, SpecialValues) {
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x00, B(0.0f));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x80, B(-0.0f));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x01, B(0.001953125f));  // 2^-9
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x81, B(-0.001953125f));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x07, B(0.013671875f));  // 7*2^-9
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x08, B(0.015625f));     // 2^-6
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x38, B(1.0f));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0xC0, B(-2.0f));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x77, B(240.0f));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0xF7, B(-240.0f));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0x78, B(kInf));
  EXPECT_PAIR(f32_to_e4m3, e4m3_to_f32, 0xF8, B(-kInf));
  // Overflow -> Inf by IEEE RNE: 248 is the tie 240|256 and goes to the even (Inf) code.
  EXPECT_EQ(f32_to_e4m3(247.99998f), 0x77);
  EXPECT_EQ(f32_to_e4m3(248.0f), 0x78);
  EXPECT_EQ(f32_to_e4m3(448.0f), 0x78);
  EXPECT_EQ(f32_to_e4m3(-1e9f), 0xF8);
}

TEST(E4M3, RoundingAndNaN) {
  EXPECT_EQ(f32_to_e4m3(1.0625f), 0x38);  // tie 1|1.125 -> even
  EXPECT_EQ(f32_to_e4m3(1.1875f), 0x3A);  // tie 1.125|1.25 -> even (up)
  EXPECT_EQ(f32_to_e4m3(-1.1875f), 0xBA);
  EXPECT_EQ(f32_to_e4m3(0.0009765625f), 0x00);   // 2^-10 tie -> 0
  EXPECT_EQ(f32_to_e4m3(F(0x3A800001u)), 0x01);  // just above 2^-10
  EXPECT_EQ(f32_to_e4m3(0.0029296875f), 0x02);   // 3*2^-10 tie -> 2
  EXPECT_EQ(f32_to_e4m3(0.0146484375f), 0x08);   // 7.5*2^-9 tie -> min normal
  EXPECT_EQ(f32_to_e4m3(kNaN), 0x7C);
  EXPECT_EQ(f32_to_e4m3(-kNaN), 0xFC);
  EXPECT_EQ(f32_to_e4m3(F(0x7F800001u)), 0x7C);
  for (int c = 0x79; c <= 0x7F; ++c) {
    EXPECT_EQ(B(e4m3_to_f32(uint8_t(c))), 0x7FC00000u);
    EXPECT_EQ(B(e4m3_to_f32(uint8_t(c | 0x80))), 0xFFC00000u);
  }
}

// ---------------- float8_e4m3fn (OCP: no Inf, NaN S.1111.111, max 448) ----------------
TEST(E4M3FN, SpecialValues) {
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x00, B(0.0f));
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x80, B(-0.0f));
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x01, B(0.001953125f));
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x07, B(0.013671875f));
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x08, B(0.015625f));
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x38, B(1.0f));
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x77, B(240.0f));
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x78, B(256.0f));  // finite here (Inf in e4m3)
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0x7E, B(448.0f));  // max finite
  EXPECT_PAIR(f32_to_e4m3fn, e4m3fn_to_f32, 0xFE, B(-448.0f));
  EXPECT_EQ(B(e4m3fn_to_f32(0x7F)), 0x7FC00000u);
  EXPECT_EQ(B(e4m3fn_to_f32(0xFF)), 0xFFC00000u);
  // Overflow (ml_dtypes astype): RNE as if 0x7F were 480; that code is NaN. No saturation.
  EXPECT_EQ(f32_to_e4m3fn(464.0f), 0x7E);          // tie 448|480 -> even 448
  EXPECT_EQ(f32_to_e4m3fn(F(0x43E80001u)), 0x7F);  // just above 464 -> NaN
  EXPECT_EQ(f32_to_e4m3fn(480.0f), 0x7F);
  EXPECT_EQ(f32_to_e4m3fn(-1e9f), 0xFF);
  EXPECT_EQ(f32_to_e4m3fn(kInf), 0x7F);  // no Inf: -> NaN
  EXPECT_EQ(f32_to_e4m3fn(-kInf), 0xFF);
  EXPECT_EQ(f32_to_e4m3fn(kNaN), 0x7F);
  EXPECT_EQ(f32_to_e4m3fn(-kNaN), 0xFF);
  EXPECT_EQ(f32_to_e4m3fn(1.1875f), 0x3A);
  EXPECT_EQ(f32_to_e4m3fn(0.0009765625f), 0x00);
}

// ---------------- float8_e5m2 (IEEE-like, bias 15, max 57344) ----------------
TEST(E5M2, SpecialValues) {
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x00, B(0.0f));
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x80, B(-0.0f));
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x01, 0x37800000u);  // 2^-16
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x03, 0x38400000u);  // 3*2^-16
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x04, 0x38800000u);  // 2^-14
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x3C, B(1.0f));
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0xC0, B(-2.0f));
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x7B, B(57344.0f));
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0xFB, B(-57344.0f));
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0x7C, B(kInf));
  EXPECT_PAIR(f32_to_e5m2, e5m2_to_f32, 0xFC, B(-kInf));
  EXPECT_EQ(f32_to_e5m2(61439.996f), 0x7B);
  EXPECT_EQ(f32_to_e5m2(61440.0f), 0x7C);  // tie 57344|65536 -> even = Inf
  EXPECT_EQ(f32_to_e5m2(-1e30f), 0xFC);
  EXPECT_EQ(f32_to_e5m2(1.125f), 0x3C);  // tie -> even
  EXPECT_EQ(f32_to_e5m2(1.375f), 0x3E);  // tie -> even (up)
  EXPECT_EQ(f32_to_e5m2(-1.375f), 0xBE);
  EXPECT_EQ(f32_to_e5m2(F(0x37000000u)), 0x00);  // 2^-17 tie -> 0
  EXPECT_EQ(f32_to_e5m2(F(0x37C00000u)), 0x02);  // 3*2^-17 tie -> 2
  EXPECT_EQ(f32_to_e5m2(kNaN), 0x7E);
  EXPECT_EQ(f32_to_e5m2(-kNaN), 0xFE);
  for (int c : {0x7D, 0x7E, 0x7F}) EXPECT_EQ(B(e5m2_to_f32(uint8_t(c))), 0x7FC00000u);
}

// ---------------- structural RNE check over every code pair ----------------
// For consecutive finite positive codes c, c+1: values strictly between round to
// the nearer one, and the exact midpoint rounds to the even code.
template <class Enc, class Dec>
void check_midpoints(int ncodes, Enc enc, Dec dec) {
  for (int c = 0; c + 1 < ncodes / 2; ++c) {
    float lo = dec(uint32_t(c)), hi = dec(uint32_t(c + 1));
    if (!std::isfinite(lo) || !std::isfinite(hi)) continue;
    float mid = float((double(lo) + double(hi)) / 2);  // exact in fp32 for these formats
    ASSERT_EQ(uint32_t(enc(mid)), uint32_t((c & 1) ? c + 1 : c)) << "code " << c;
    ASSERT_EQ(uint32_t(enc(std::nextafter(mid, 0.0f))), uint32_t(c)) << "code " << c;
    ASSERT_EQ(uint32_t(enc(std::nextafter(mid, kInf))), uint32_t(c + 1)) << "code " << c;
    ASSERT_EQ(uint32_t(enc(-mid)), uint32_t(ncodes / 2 + ((c & 1) ? c + 1 : c))) << "code " << c;
  }
}

TEST(AllFormats, MidpointsRoundToEven) {
  check_midpoints(1 << 16, f32_to_bf16, [](uint32_t c) { return bf16_to_f32(uint16_t(c)); });
  check_midpoints(1 << 16, f32_to_f16, [](uint32_t c) { return f16_to_f32(uint16_t(c)); });
  check_midpoints(256, f32_to_e4m3, [](uint32_t c) { return e4m3_to_f32(uint8_t(c)); });
  check_midpoints(256, f32_to_e4m3fn, [](uint32_t c) { return e4m3fn_to_f32(uint8_t(c)); });
  check_midpoints(256, f32_to_e5m2, [](uint32_t c) { return e5m2_to_f32(uint8_t(c)); });
}

// ---------------- exhaustive round trips ----------------
template <class Enc, class Dec>
void check_roundtrip(uint32_t ncodes, Enc enc, Dec dec) {
  const uint32_t sign_bit = ncodes / 2;
  for (uint32_t c = 0; c < ncodes; ++c) {
    float v = dec(c);
    uint32_t back = enc(v);
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(dec(back))) << std::hex << c;
      ASSERT_EQ(back & sign_bit, c & sign_bit) << std::hex << c;
    } else {
      ASSERT_EQ(back, c) << std::hex << c;
    }
  }
}

TEST(AllFormats, ExhaustiveRoundTrip) {
  check_roundtrip(1u << 16, f32_to_bf16, [](uint32_t c) { return bf16_to_f32(uint16_t(c)); });
  check_roundtrip(1u << 16, f32_to_f16, [](uint32_t c) { return f16_to_f32(uint16_t(c)); });
  check_roundtrip(256, f32_to_e4m3, [](uint32_t c) { return e4m3_to_f32(uint8_t(c)); });
  check_roundtrip(256, f32_to_e4m3fn, [](uint32_t c) { return e4m3fn_to_f32(uint8_t(c)); });
  check_roundtrip(256, f32_to_e5m2, [](uint32_t c) { return e5m2_to_f32(uint8_t(c)); });
  check_roundtrip(
      1u << 19, [](float f) { return f32_to_tf32(f) >> 13; }, [](uint32_t c) { return tf32_to_f32(c << 13); });
}

TEST(AllFormats, NaNCountsPerFormat) {
  auto count = [](uint32_t n, auto dec) {
    int k = 0;
    for (uint32_t c = 0; c < n; ++c) k += std::isnan(dec(c));
    return k;
  };
  EXPECT_EQ(count(256, [](uint32_t c) { return e4m3_to_f32(uint8_t(c)); }), 14);
  EXPECT_EQ(count(256, [](uint32_t c) { return e4m3fn_to_f32(uint8_t(c)); }), 2);
  EXPECT_EQ(count(256, [](uint32_t c) { return e5m2_to_f32(uint8_t(c)); }), 6);
  EXPECT_EQ(count(1u << 16, [](uint32_t c) { return f16_to_f32(uint16_t(c)); }), 2046);
  EXPECT_EQ(count(1u << 16, [](uint32_t c) { return bf16_to_f32(uint16_t(c)); }), 254);
}

// ---------------- integers ----------------
TEST(Int, RoundEvenAndSaturate) {
  EXPECT_EQ(f32_to_int_sat(2.5f, INT32_MIN, INT32_MAX), 2);
  EXPECT_EQ(f32_to_int_sat(3.5f, INT32_MIN, INT32_MAX), 4);
  EXPECT_EQ(f32_to_int_sat(-2.5f, INT32_MIN, INT32_MAX), -2);
  EXPECT_EQ(f32_to_int_sat(-3.5f, INT32_MIN, INT32_MAX), -4);
  EXPECT_EQ(f32_to_int_sat(0.5f, INT32_MIN, INT32_MAX), 0);
  EXPECT_EQ(f32_to_int_sat(1.5f, INT32_MIN, INT32_MAX), 2);
  EXPECT_EQ(f32_to_int_sat(2.4999998f, INT32_MIN, INT32_MAX), 2);
  EXPECT_EQ(f32_to_int_sat(8388607.5f, INT32_MIN, INT32_MAX), 8388608);  // 2^23 - 0.5
  EXPECT_EQ(f32_to_int_sat(4194304.5f, INT32_MIN, INT32_MAX), 4194304);
  EXPECT_EQ(f32_to_int_sat(1e10f, INT32_MIN, INT32_MAX), INT32_MAX);
  EXPECT_EQ(f32_to_int_sat(-1e10f, INT32_MIN, INT32_MAX), INT32_MIN);
  EXPECT_EQ(f32_to_int_sat(kNaN, INT32_MIN, INT32_MAX), 0);
  EXPECT_EQ(f32_to_int_sat(kInf, 0, 255), 255);
  EXPECT_EQ(f32_to_int_sat(-kInf, -128, 127), -128);
  EXPECT_EQ(f32_to_int_sat(1e30f, INT64_MIN, INT64_MAX), INT64_MAX);
  EXPECT_EQ(f32_to_int_sat(-9.223372e18f, INT64_MIN, INT64_MAX), INT64_MIN);

  uint8_t buf[8];
  auto st = [&](DType t, float v) {
    store(t, v, buf);
    return load_i64(t, buf);
  };
  EXPECT_EQ(st(DType::UInt8, -1.0f), 0);
  EXPECT_EQ(st(DType::UInt8, 300.0f), 255);
  EXPECT_EQ(st(DType::UInt8, 254.5f), 254);
  EXPECT_EQ(st(DType::UInt8, 255.5f), 255);  // RNE gives 256 -> saturates
  EXPECT_EQ(st(DType::Int8, 127.5f), 127);
  EXPECT_EQ(st(DType::Int8, -128.5f), -128);
  EXPECT_EQ(st(DType::Int8, -129.0f), -128);
  EXPECT_EQ(st(DType::Int16, 40000.0f), 32767);
  EXPECT_EQ(st(DType::Int16, -32768.0f), -32768);
  EXPECT_EQ(st(DType::UInt16, 65535.4f), 65535);
  EXPECT_EQ(st(DType::UInt16, -0.4f), 0);
  EXPECT_EQ(st(DType::Int32, 2147483520.0f), 2147483520);  // largest fp32 below 2^31
  EXPECT_EQ(st(DType::Int32, 2147483648.0f), INT32_MAX);
  EXPECT_EQ(st(DType::Int32, -2147483648.0f), INT32_MIN);
  EXPECT_EQ(st(DType::Int32, kNaN), 0);
  EXPECT_EQ(st(DType::UInt32, 4294967040.0f), 4294967040);  // largest fp32 below 2^32
  EXPECT_EQ(st(DType::UInt32, 4294967296.0f), 4294967295);
  EXPECT_EQ(st(DType::UInt32, -5.0f), 0);
}

TEST(Int, ToFloatIsRne) {
  EXPECT_EQ(i64_to_f32(16777217), 16777216.0f);  // tie -> even
  EXPECT_EQ(i64_to_f32(16777219), 16777220.0f);  // tie -> even (up)
  EXPECT_EQ(i64_to_f32(-16777219), -16777220.0f);
  EXPECT_EQ(i64_to_f32(16777218), 16777218.0f);
  uint8_t buf[4];
  int32_t i = INT32_MAX;
  std::memcpy(buf, &i, 4);
  EXPECT_EQ(load(DType::Int32, buf), 2147483648.0f);
  i = 16777217;
  std::memcpy(buf, &i, 4);
  EXPECT_EQ(load(DType::Int32, buf), 16777216.0f);
  uint32_t u = 0xFFFFFFFFu;
  std::memcpy(buf, &u, 4);
  EXPECT_EQ(load(DType::UInt32, buf), 4294967296.0f);
  EXPECT_EQ(load_i64(DType::UInt32, buf), 4294967295);
  buf[0] = 0x80;
  EXPECT_EQ(load(DType::Int8, buf), -128.0f);
  EXPECT_EQ(load(DType::UInt8, buf), 128.0f);
  EXPECT_EQ(int_min(DType::Int16), -32768);
  EXPECT_EQ(int_max(DType::UInt32), 4294967295);
  EXPECT_EQ(int_max(DType::Bool), 1);
  EXPECT_THROW(int_max(DType::Float32), std::invalid_argument);
}

TEST(Bool, StoreLoad) {
  uint8_t b = 0xAA;
  store(DType::Bool, 0.5f, &b);
  EXPECT_EQ(b, 1);
  store(DType::Bool, -0.0f, &b);
  EXPECT_EQ(b, 0);
  store(DType::Bool, kNaN, &b);
  EXPECT_EQ(b, 1);
  b = 4;
  EXPECT_EQ(load(DType::Bool, &b), 1.0f);
  EXPECT_EQ(load_i64(DType::Bool, &b), 1);
  store_i64(DType::Bool, -7, &b);
  EXPECT_EQ(b, 1);
  store_i64(DType::Bool, 0, &b);
  EXPECT_EQ(b, 0);
}

// ---------------- element access ----------------
TEST(Element, LoadStoreEveryDtype) {
  const DType all[] = {DType::Bool,    DType::Int8,       DType::UInt8,        DType::Int16,     DType::UInt16,
                       DType::Int32,   DType::UInt32,     DType::Float16,      DType::BFloat16,  DType::TFloat32,
                       DType::Float32, DType::Float8E4M3, DType::Float8E4M3FN, DType::Float8E5M2};
  for (DType t : all) {
    uint8_t buf[8] = {};
    store(t, 1.0f, buf + 1);  // unaligned
    EXPECT_EQ(load(t, buf + 1), 1.0f) << name_of(t);
    store(t, 3.0f, buf + 1);
    EXPECT_EQ(load(t, buf + 1), t == DType::Bool ? 1.0f : 3.0f) << name_of(t);
    EXPECT_EQ(quantize(t, 3.0f), t == DType::Bool ? 1.0f : 3.0f) << name_of(t);
  }
  uint8_t buf[4];
  store(DType::BFloat16, 1.00390625f, buf);  // 1 + 2^-8: tie -> 1.0
  EXPECT_EQ(buf[0] | buf[1] << 8, 0x3F80);
  store(DType::TFloat32, F(0x3F803000u), buf);
  uint32_t u;
  std::memcpy(&u, buf, 4);
  EXPECT_EQ(u, 0x3F804000u);
  EXPECT_EQ(quantize(DType::Float8E4M3, 300.0f), kInf);
  EXPECT_TRUE(std::isnan(quantize(DType::Float8E4M3FN, 500.0f)));
  EXPECT_EQ(quantize(DType::Float16, 65520.0f), kInf);
  EXPECT_EQ(quantize(DType::Int8, 3.5f), 4.0f);
}

TEST(Element, PackedTypesThrow) {
  uint8_t buf[8] = {};
  float f[2];
  int64_t i[2];
  for (DType t : {DType::Float8E5M2x4, DType::Float8E4M3FNx4, DType::Float4E2M1FNx4}) {
    EXPECT_THROW(load(t, buf), std::invalid_argument);
    EXPECT_THROW(store(t, 1.0f, buf), std::invalid_argument);
    EXPECT_THROW(load_i64(t, buf), std::invalid_argument);
    EXPECT_THROW(load_row(t, buf, 1, 1, f), std::invalid_argument);
    EXPECT_THROW(store_row(t, f, 1, buf, 1), std::invalid_argument);
    EXPECT_THROW(load_row_i64(t, buf, 1, 1, i), std::invalid_argument);
    EXPECT_THROW(store_row_i64(t, i, 1, buf, 1), std::invalid_argument);
  }
}

// ---------------- rows ----------------
TEST(Rows, LoadStrided) {
  // bf16 values 1, 2, 3 at element stride 2 (garbage between).
  const uint16_t raw[] = {0x3F80, 0xFFFF, 0x4000, 0xFFFF, 0x4040, 0xFFFF};
  float out[3];
  load_row(DType::BFloat16, reinterpret_cast<const uint8_t*>(raw), 2, 3, out);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], 2.0f);
  EXPECT_EQ(out[2], 3.0f);
  // Negative stride reads backwards; stride 0 broadcasts.
  load_row(DType::BFloat16, reinterpret_cast<const uint8_t*>(raw + 4), -2, 3, out);
  EXPECT_EQ(out[0], 3.0f);
  EXPECT_EQ(out[2], 1.0f);
  load_row(DType::BFloat16, reinterpret_cast<const uint8_t*>(raw + 2), 0, 3, out);
  EXPECT_EQ(out[2], 2.0f);
  // fp8 contiguous and strided.
  const uint8_t e4[] = {0x38, 0x77, 0x78, 0x01, 0xF7, 0x7F};
  float o6[6];
  load_row(DType::Float8E4M3, e4, 1, 6, o6);
  EXPECT_EQ(o6[0], 1.0f);
  EXPECT_EQ(o6[1], 240.0f);
  EXPECT_EQ(o6[2], kInf);
  EXPECT_EQ(o6[3], 0.001953125f);
  EXPECT_EQ(o6[4], -240.0f);
  EXPECT_TRUE(std::isnan(o6[5]));
  load_row(DType::Float8E4M3FN, e4, 3, 2, o6);
  EXPECT_EQ(o6[0], 1.0f);
  EXPECT_EQ(o6[1], 0.001953125f);
  // int32 with stride 3
  const int32_t iv[] = {-7, 99, 99, 16777217, 99, 99};
  load_row(DType::Int32, reinterpret_cast<const uint8_t*>(iv), 3, 2, out);
  EXPECT_EQ(out[0], -7.0f);
  EXPECT_EQ(out[1], 16777216.0f);
  // f32 contiguous fast path
  const float fv[] = {1.5f, -0.0f, kInf};
  load_row(DType::Float32, reinterpret_cast<const uint8_t*>(fv), 1, 3, out);
  EXPECT_EQ(B(out[1]), 0x80000000u);
  EXPECT_EQ(out[2], kInf);
}

TEST(Rows, StoreStrided) {
  const float in[] = {1.0f, 2.5f, -300.0f, 1e10f};
  // uint8 at stride 3 leaves the gaps untouched.
  uint8_t u8[12];
  std::memset(u8, 0xEE, sizeof u8);
  store_row(DType::UInt8, in, 4, u8, 3);
  const uint8_t want_u8[] = {1, 0xEE, 0xEE, 2, 0xEE, 0xEE, 0, 0xEE, 0xEE, 255, 0xEE, 0xEE};
  EXPECT_EQ(std::memcmp(u8, want_u8, sizeof u8), 0);
  // fp16 at stride 2
  uint16_t h[8];
  std::fill(std::begin(h), std::end(h), uint16_t(0xEEEE));
  store_row(DType::Float16, in, 4, reinterpret_cast<uint8_t*>(h), 2);
  const uint16_t want_h[] = {0x3C00, 0xEEEE, 0x4100, 0xEEEE, 0xDCB0, 0xEEEE, 0x7C00, 0xEEEE};
  EXPECT_EQ(std::memcmp(h, want_h, sizeof h), 0);
  // e5m2 negative stride
  uint8_t e5[4];
  store_row(DType::Float8E5M2, in, 4, e5 + 3, -1);
  EXPECT_EQ(e5[3], 0x3C);
  EXPECT_EQ(e5[2], 0x41);  // 2.5
  EXPECT_EQ(e5[1], 0xDD);  // -300 -> -320 (RNE: 256|320, 300 nearer 320)
  EXPECT_EQ(e5[0], 0x7C);  // 1e10 -> Inf
  // int32 saturates, f32 contiguous is a copy
  int32_t i32[4];
  store_row(DType::Int32, in, 4, reinterpret_cast<uint8_t*>(i32), 1);
  EXPECT_EQ(i32[1], 2);
  EXPECT_EQ(i32[3], INT32_MAX);
  float f32[4];
  store_row(DType::Float32, in, 4, reinterpret_cast<uint8_t*>(f32), 1);
  EXPECT_EQ(std::memcmp(f32, in, sizeof in), 0);
  // bf16 row vs scalar conversion agree
  std::vector<float> many(1000);
  for (int k = 0; k < 1000; ++k) many[k] = F(0x3F800000u + uint32_t(k) * 0x1357u);
  std::vector<uint16_t> bf(1000);
  store_row(DType::BFloat16, many.data(), 1000, reinterpret_cast<uint8_t*>(bf.data()), 1);
  for (int k = 0; k < 1000; ++k) ASSERT_EQ(bf[k], f32_to_bf16(many[k]));
}

TEST(Rows, Int64Exact) {
  const int64_t in[] = {-5, 300, 4294967295LL, INT64_MIN};
  uint8_t u8[8];
  std::memset(u8, 0xEE, sizeof u8);
  store_row_i64(DType::UInt8, in, 4, u8, 2);
  EXPECT_EQ(u8[0], 0);
  EXPECT_EQ(u8[1], 0xEE);
  EXPECT_EQ(u8[2], 255);
  EXPECT_EQ(u8[4], 255);
  EXPECT_EQ(u8[6], 0);
  uint32_t u32[4];
  store_row_i64(DType::UInt32, in, 4, reinterpret_cast<uint8_t*>(u32), 1);
  EXPECT_EQ(u32[0], 0u);
  EXPECT_EQ(u32[2], 4294967295u);
  int64_t back[4];
  load_row_i64(DType::UInt32, reinterpret_cast<const uint8_t*>(u32), 1, 4, back);
  EXPECT_EQ(back[2], 4294967295LL);  // exact (fp32 would give 4294967296)
  int32_t i32[2] = {16777217, -16777217};
  load_row_i64(DType::Int32, reinterpret_cast<const uint8_t*>(i32), 1, 2, back);
  EXPECT_EQ(back[0], 16777217);
  EXPECT_EQ(back[1], -16777217);
  int16_t i16[4];
  store_row_i64(DType::Int16, in, 4, reinterpret_cast<uint8_t*>(i16), 1);
  EXPECT_EQ(i16[0], -5);
  EXPECT_EQ(i16[2], 32767);
  EXPECT_EQ(i16[3], -32768);
  // Float dtypes: via fp32 with RNE.
  const float fv[] = {2.5f, -3.5f};
  load_row_i64(DType::Float32, reinterpret_cast<const uint8_t*>(fv), 1, 2, back);
  EXPECT_EQ(back[0], 2);
  EXPECT_EQ(back[1], -4);
  uint16_t bf[2];
  const int64_t big[] = {257, 16777217};
  store_row_i64(DType::BFloat16, big, 2, reinterpret_cast<uint8_t*>(bf), 1);
  EXPECT_EQ(bf[0], 0x4380);  // 257 -> 256 (tie to even)
  EXPECT_EQ(bf[1], 0x4B80);  // 2^24
}

// ---------------- sentinels ----------------
TEST(Sentinel, Patterns) {
  EXPECT_EQ(B(sentinel_float()), 0x7FC00000u);
  auto fill = [](DType t, int n) {
    std::vector<uint8_t> v(size_t(n * size_of(t)) + 1, 0xEE);
    fill_sentinel(t, v.data(), n);
    EXPECT_EQ(v.back(), 0xEE) << name_of(t);  // no overrun
    v.pop_back();
    return v;
  };
  using V = std::vector<uint8_t>;
  EXPECT_EQ(fill(DType::Float32, 2), (V{0, 0, 0xC0, 0x7F, 0, 0, 0xC0, 0x7F}));
  EXPECT_EQ(fill(DType::TFloat32, 1), (V{0, 0, 0xC0, 0x7F}));
  EXPECT_EQ(fill(DType::BFloat16, 2), (V{0xC0, 0x7F, 0xC0, 0x7F}));
  EXPECT_EQ(fill(DType::Float16, 1), (V{0x00, 0x7E}));
  EXPECT_EQ(fill(DType::Float8E4M3, 3), (V{0x7C, 0x7C, 0x7C}));
  EXPECT_EQ(fill(DType::Float8E4M3FN, 1), (V{0x7F}));
  EXPECT_EQ(fill(DType::Float8E5M2, 1), (V{0x7E}));
  EXPECT_EQ(fill(DType::Int8, 2), (V{4, 4}));
  EXPECT_EQ(fill(DType::UInt16, 2), (V{4, 0, 4, 0}));
  EXPECT_EQ(fill(DType::Int32, 1), (V{4, 0, 0, 0}));
  EXPECT_EQ(fill(DType::UInt32, 1), (V{4, 0, 0, 0}));
  EXPECT_EQ(fill(DType::Bool, 3), (V{1, 1, 1}));
  EXPECT_EQ(fill(DType::Float8E5M2x4, 1), (V{0x7E, 0x7E, 0x7E, 0x7E}));
  EXPECT_EQ(fill(DType::Float8E4M3FNx4, 1), (V{0x7F, 0x7F, 0x7F, 0x7F}));
  EXPECT_EQ(fill(DType::Float4E2M1FNx4, 2), (V{0x77, 0x77, 0x77, 0x77}));
  // Sentinels load back as NaN / 4.
  uint8_t buf[4];
  for (DType t : {DType::Float32, DType::BFloat16, DType::Float16, DType::Float8E4M3, DType::Float8E4M3FN,
                  DType::Float8E5M2, DType::TFloat32}) {
    fill_sentinel(t, buf, 1);
    EXPECT_TRUE(std::isnan(load(t, buf))) << name_of(t);
  }
  fill_sentinel(DType::Int16, buf, 1);
  EXPECT_EQ(load(DType::Int16, buf), 4.0f);
}
