// OCP microscaling (docs/semantics.md, "MX"): quantize_mx (VectorE) and nc_matmul_mx (TensorE).
// An x4 element packs 4 consecutive values: fp8 x4 is 4 bytes, value q in byte q; fp4 x4 is a
// little-endian 16-bit word, value q in bits [4q, 4q + 4). A scale byte s means 2^(s - 127); scale row i
// (data partitions 8i..8i+7) is partition (i // 4) * 32 + i % 4 of the scale view, so a view starting 4, 8
// or 12 partitions into a quadrant (a packed scale tile) shifts every row by that offset.
#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "numerics/numerics.h"
#include "sim/exec.h"

namespace nkic::sim {

namespace {

PhysView opnd(ExecContext& cx, const Instruction& in, int role) { return cx.mem.view(*cx.prog.role_op(in, role)); }

int64_t scale_partition(int64_t i) { return (i / 4) * 32 + i % 4; }

float fp4_e2m1(uint32_t n) {
  static const float mag[8] = {0.f, 0.5f, 1.f, 1.5f, 2.f, 3.f, 4.f, 6.f};
  float v = mag[n & 7];
  return n & 8 ? -v : v;
}

// The 4 values of the x4 element at p.
void unpack4(DType t, const uint8_t* p, float* out) {
  switch (t) {
    case DType::Float8E5M2x4:
      for (int q = 0; q < 4; ++q) out[q] = numerics::e5m2_to_f32(p[q]);
      break;
    case DType::Float8E4M3FNx4:
      for (int q = 0; q < 4; ++q) out[q] = numerics::e4m3fn_to_f32(p[q]);
      break;
    default: {
      uint32_t w = uint32_t{p[0]} | uint32_t{p[1]} << 8;
      for (int q = 0; q < 4; ++q) out[q] = fp4_e2m1(w >> (4 * q) & 0xF);
    }
  }
}

// Dequantized data of an x4 tile as [K][F][4] fp32 (value * 2^(scale - 127), rounded to fp32).
void dequantize(const PhysView& data, const PhysView& scale, std::vector<float>& out) {
  int64_t K = data.pnum, F = data.free_elems();
  std::vector<uint8_t*> dp = element_ptrs(data), sp = element_ptrs(scale);
  out.resize(static_cast<size_t>(K * F * 4));
  for (int64_t k = 0; k < K; ++k)
    for (int64_t f = 0; f < F; ++f) {
      float* o = out.data() + (k * F + f) * 4;
      unpack4(data.dtype, dp[k * F + f], o);
      float s = std::ldexp(1.f, static_cast<int>(*sp[scale_partition(k / 8) * F + f]) - 127);
      for (int q = 0; q < 4; ++q) o[q] = o[q] * s;
    }
}

}  // namespace

// Per group (8 partitions x the 4 values of one x4 column): e = the largest biased fp32 exponent of the
// group's values, scale = max(e - Emax + i0, 0) (Emax 15 for e5m2, 8 for e4m3fn; i0 = scale_exp_offset,
// 0 = the OCP reference, 1 = NKI 0.5.0's 2x scale); each value becomes
// cast_rne(clip(x / 2^(scale - 127), +-max_finite)).
void exec_QuantizeMx(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), s = opnd(cx, in, 1), sc = opnd(cx, in, 2);
  int64_t P = s.pnum, F = s.free_elems(), G = F / 4;
  bool e5 = d.dtype == DType::Float8E5M2x4;
  int emax = e5 ? 15 : 8;
  float maxv = e5 ? 57344.f : 448.f;
  std::vector<float> x(static_cast<size_t>(P * F));
  for (int64_t p = 0; p < P; ++p) load_partition(s, p, x.data() + p * F);
  std::vector<uint8_t*> dp = element_ptrs(d), sp = element_ptrs(sc);
  for (int64_t i = 0; i < P / 8; ++i)
    for (int64_t j = 0; j < G; ++j) {
      uint32_t e = 0;
      for (int64_t p = 8 * i; p < 8 * i + 8; ++p)
        for (int q = 0; q < 4; ++q) {
          uint32_t b;
          std::memcpy(&b, &x[p * F + 4 * j + q], 4);
          e = std::max(e, (b >> 23) & 0xFF);
        }
      int scale = std::max(static_cast<int>(e) - emax + in.i0, 0);
      *sp[scale_partition(i) * G + j] = static_cast<uint8_t>(scale);
      double div = std::ldexp(1.0, scale - 127);
      for (int64_t p = 8 * i; p < 8 * i + 8; ++p) {
        uint8_t* out = dp[p * G + j];
        for (int q = 0; q < 4; ++q) {
          float v = static_cast<float>(static_cast<double>(x[p * F + 4 * j + q]) / div);
          if (v > maxv) v = maxv;
          if (v < -maxv) v = -maxv;
          out[q] = e5 ? numerics::f32_to_e5m2(v) : numerics::f32_to_e4m3fn(v);
        }
      }
    }
}

// dst[m, n] (+)= sum over k (increasing), then q (0..3), of stat[k, m, q] * mov[k, n, q], each value
// dequantized with its group scale; every product and sum rounded to fp32. accumulate as nc_matmul.
void exec_NcMatmulMx(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), st = opnd(cx, in, 1), mv = opnd(cx, in, 2), ss = opnd(cx, in, 3), ms = opnd(cx, in, 4);
  int64_t K = st.pnum, M = st.free_elems(), N = mv.free_elems();
  dequantize(st, ss, cx.a);
  dequantize(mv, ms, cx.b);
  cx.c.assign(static_cast<size_t>(M * N + N), 0.f);
  const float *S = cx.a.data(), *B = cx.b.data();
  float* C = cx.c.data();
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      float acc = 0.f;
      for (int64_t k = 0; k < K; ++k)
        for (int q = 0; q < 4; ++q) {
          float prod = S[(k * M + m) * 4 + q] * B[(k * N + n) * 4 + q];
          acc = acc + prod;
        }
      C[m * N + n] = acc;
    }
  write_psum(cx, d, C, M, N, static_cast<Accumulate>(in.i0));
}

}  // namespace nkic::sim
