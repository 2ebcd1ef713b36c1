// TensorE: nc_matmul. dst[M, N] (+)= stationary[K, M]^T @ moving[K, N], fp32 accumulation in PSUM,
// with the first-write detection of accumulate=None tracked per PSUM word.
#include <cstring>

#include "sim/exec.h"
#include "sim/numerics.h"

namespace nkic::sim {

void exec_NcMatmul(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(in.ops[0]), st = cx.mem.view(in.ops[1]), mv = cx.mem.view(in.ops[2]);
  int64_t K = st.pnum, M = st.free_elems(), N = mv.free_elems();
  cx.a.resize(K * M);
  cx.b.resize(K * N);
  cx.c.assign(M * N, 0.f);
  for (int64_t k = 0; k < K; ++k) {
    load_partition(st, k, cx.a.data() + k * M);
    load_partition(mv, k, cx.b.data() + k * N);
  }
  // Blocked over k so a row of the output stays in cache; fixed order keeps results deterministic.
  const float *S = cx.a.data(), *B = cx.b.data();
  float* C = cx.c.data();
  for (int64_t m = 0; m < M; ++m) {
    float* crow = C + m * N;
    for (int64_t k = 0; k < K; ++k) {
      float s = S[k * M + m];
      const float* brow = B + k * N;
      for (int64_t n = 0; n < N; ++n) crow[n] += s * brow[n];
    }
  }
  // Write back: accumulate where requested or where the PSUM location was already written.
  std::vector<float> old(N);
  for (int64_t m = 0; m < M; ++m) {
    float* crow = C + m * N;
    load_partition(d, m, old.data());
    int64_t i = 0;
    for_each_run(d, m, [&](uint8_t* ptr, int64_t step, int64_t n) {
      for (int64_t j = 0; j < n; ++j, ++i) {
        uint8_t* e = ptr + j * step;
        uint8_t& written = cx.mem.psum_written[cx.mem.psum_word_index(e)];
        bool acc = in.i0 == 1 || (in.i0 < 0 && written);
        if (acc) crow[i] += old[i];
        written = 1;
      }
    });
    store_partition(d, m, crow);
  }
}

}  // namespace nkic::sim

namespace nkic::sim {

// nc_transpose (TensorE or VectorE): dst[f, p] = data[p, f], bit-exact (same dtype).
void exec_NcTranspose(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(in.ops[0]), s = cx.mem.view(in.ops[1]);
  int64_t P = s.pnum, F = s.free_elems(), isz = size_of(s.dtype);
  std::vector<uint8_t*> sp = element_ptrs(s), dp = element_ptrs(d);
  for (int64_t p = 0; p < P; ++p)
    for (int64_t f = 0; f < F; ++f) std::memcpy(dp[f * P + p], sp[p * F + f], isz);
}

}  // namespace nkic::sim
