// TensorE: nc_matmul. dst[M, N] (+)= stationary[K, M]^T @ moving[K, N], fp32 accumulation in PSUM,
// with the first-write detection of accumulate=None tracked per PSUM word.
#include <cstring>

// The matmul must round every product and every sum (documented order, machine-independent results):
// AVX-512F has FMA instructions, and GNU C++ contracts a*b+c across statements by default.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "numerics/numerics.h"
#include "sim/exec.h"

namespace nkic::sim {

namespace {

// C[M, N] = S[K, M]^T B[K, N] with C[m][n] = (((0 + S[0][m] B[0][n]) + S[1][m] B[1][n]) + ...): every
// product and every sum rounded to fp32, in increasing k (the documented summation order). Each
// output element is computed independently in that order, so the register-blocked micro-kernel, its
// vector width and the scalar edge loop all give bit-identical results. No FMA: the ISA targets
// below never enable it, so GCC cannot contract the multiply and the add.
template <int W, int MR, int NV>
__attribute__((always_inline)) inline void matmul_kernel(const float* S, const float* B, float* C, int64_t K, int64_t M,
                                                         int64_t N) {
  typedef float vf __attribute__((vector_size(W * 4), aligned(4)));
  constexpr int64_t NR = W * NV;
  int64_t m0 = 0;
  for (; m0 + MR <= M; m0 += MR) {
    int64_t n0 = 0;
    for (; n0 + NR <= N; n0 += NR) {
      vf acc[MR][NV];
      for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NV; ++j) acc[i][j] = vf{};
      for (int64_t k = 0; k < K; ++k) {
        const float* b = B + k * N + n0;
        vf bv[NV];
        for (int j = 0; j < NV; ++j) std::memcpy(&bv[j], b + j * W, sizeof(vf));
        const float* s = S + k * M + m0;
        for (int i = 0; i < MR; ++i) {
          vf sv = vf{} + s[i];
          for (int j = 0; j < NV; ++j) {
            vf prod = sv * bv[j];
            acc[i][j] = acc[i][j] + prod;
          }
        }
      }
      for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NV; ++j) std::memcpy(C + (m0 + i) * N + n0 + j * W, &acc[i][j], sizeof(vf));
    }
    for (int i = 0; i < MR; ++i)  // columns left over
      for (int64_t n = n0; n < N; ++n) {
        float acc = 0.f;
        for (int64_t k = 0; k < K; ++k) {
          float prod = S[k * M + m0 + i] * B[k * N + n];
          acc = acc + prod;
        }
        C[(m0 + i) * N + n] = acc;
      }
  }
  for (; m0 < M; ++m0) {  // rows left over
    float* crow = C + m0 * N;
    for (int64_t n = 0; n < N; ++n) crow[n] = 0.f;
    for (int64_t k = 0; k < K; ++k) {
      float s = S[k * M + m0];
      const float* brow = B + k * N;
      for (int64_t n = 0; n < N; ++n) {
        float prod = s * brow[n];
        crow[n] = crow[n] + prod;
      }
    }
  }
}

__attribute__((target("avx512f"))) void matmul_avx512(const float* S, const float* B, float* C, int64_t K, int64_t M,
                                                      int64_t N) {
  matmul_kernel<16, 6, 2>(S, B, C, K, M, N);
}
__attribute__((target("avx2"))) void matmul_avx2(const float* S, const float* B, float* C, int64_t K, int64_t M,
                                                 int64_t N) {
  matmul_kernel<8, 6, 2>(S, B, C, K, M, N);
}
void matmul_sse(const float* S, const float* B, float* C, int64_t K, int64_t M, int64_t N) {
  matmul_kernel<4, 6, 2>(S, B, C, K, M, N);
}

using MatmulFn = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t);
MatmulFn pick_matmul() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return matmul_avx512;
  if (__builtin_cpu_supports("avx2")) return matmul_avx2;
  return matmul_sse;
}

}  // namespace

// Writes the M x N fp32 result C (with N floats of scratch after it) to the PSUM view d: accumulating
// everywhere (Accumulate), or (Auto) where the location was already written since the tensor's birth.
void write_psum(ExecContext& cx, const PhysView& d, float* C, int64_t M, int64_t N, Accumulate accumulate) {
  bool always = accumulate == Accumulate::Accumulate, when_written = accumulate == Accumulate::Auto;
  float* old = C + M * N;
  if (d.dtype == DType::Float32 && d.free.size() == 1 && d.free[0].step == 4) {  // the common case, in place
    for (int64_t m = 0; m < M; ++m) {
      const float* crow = C + m * N;
      uint8_t* row = d.origin + m * d.pstep;
      uint8_t* w = cx.mem.psum_written.data() + cx.mem.psum_word_index(row);
      for (int64_t j = 0; j < N; ++j) {
        float v = crow[j];
        if (always || (when_written && w[j])) {
          float o;
          std::memcpy(&o, row + 4 * j, 4);
          v = v + o;
        }
        std::memcpy(row + 4 * j, &v, 4);
        w[j] = 3;
      }
    }
    return;
  }
  for (int64_t m = 0; m < M; ++m) {
    float* crow = C + m * N;
    bool need_old = accumulate != Accumulate::Overwrite;
    if (need_old) load_partition(d, m, old);
    int64_t i = 0;
    for_each_run(d, m, [&](uint8_t* ptr, int64_t step, int64_t n) {
      for (int64_t j = 0; j < n; ++j, ++i) {
        // One flag byte per 4-byte PSUM word; a 2-byte (bf16) element owns bit 0 or 1 of its word's flag.
        uint8_t* p = ptr + j * step;
        uint8_t& written = cx.mem.psum_written[cx.mem.psum_word_index(p)];
        uint8_t bit = size_of(d.dtype) == 2 ? uint8_t(1u << ((reinterpret_cast<uintptr_t>(p) >> 1) & 1)) : 3;
        bool acc = always || (when_written && (written & bit));
        if (acc) crow[i] += old[i];
        written |= bit;
      }
    });
    store_partition(d, m, crow);
  }
}

void exec_NcMatmul(ExecContext& cx, const Instruction& in) {
  static const MatmulFn matmul = pick_matmul();
  PhysView d = cx.mem.view(cx.prog.op(in, 0)), st = cx.mem.view(cx.prog.op(in, 1)), mv = cx.mem.view(cx.prog.op(in, 2));
  int64_t K = st.pnum, M = st.free_elems(), N = mv.free_elems();
  cx.a.resize(K * M);
  cx.b.resize(K * N);
  cx.c.resize(M * N + N);
  for (int64_t k = 0; k < K; ++k) {
    load_partition(st, k, cx.a.data() + k * M);
    load_partition(mv, k, cx.b.data() + k * N);
  }
  float* C = cx.c.data();
  matmul(cx.a.data(), cx.b.data(), C, K, M, N);
  write_psum(cx, d, C, M, N, static_cast<Accumulate>(in.i0));
}

}  // namespace nkic::sim

namespace nkic::sim {

// nc_transpose (TensorE or VectorE): dst[f, p] = data[p, f], bit-exact (same dtype), or (TensorE) bf16/fp16
// data widened exactly into an fp32 PSUM tile.
void exec_NcTranspose(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(cx.prog.op(in, 0)), s = cx.mem.view(cx.prog.op(in, 1));
  int64_t P = s.pnum, F = s.free_elems(), isz = size_of(s.dtype);
  std::vector<uint8_t*> sp = element_ptrs(s), dp = element_ptrs(d);
  if (d.dtype != s.dtype) {
    std::vector<float> row(static_cast<size_t>(F));
    for (int64_t p = 0; p < P; ++p) {
      load_partition(s, p, row.data());
      for (int64_t f = 0; f < F; ++f) std::memcpy(dp[f * P + p], &row[f], sizeof(float));
    }
    return;
  }
  for (int64_t p = 0; p < P; ++p)
    for (int64_t f = 0; f < F; ++f) std::memcpy(dp[f * P + p], sp[p * F + f], isz);
}

}  // namespace nkic::sim
