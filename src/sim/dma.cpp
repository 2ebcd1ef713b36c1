// DMA instructions: dma_copy (element order of src to element order of dst; casts through fp32).
#include <cstring>

#include "sim/exec.h"
#include "sim/numerics.h"

namespace nkic::sim {

namespace {
struct Run {
  uint8_t* ptr;
  int64_t step;  // bytes
  int64_t n;
};

std::vector<Run> runs_of(const PhysView& v) {
  std::vector<Run> out;
  for (int64_t p = 0; p < v.pnum; ++p) for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) { out.push_back({ptr, step, n}); });
  return out;
}
}  // namespace

// Copies every element of `src` into `dst` in row-major order; raw bytes when dtypes match.
void copy_elements(const PhysView& dst, const PhysView& src, std::vector<float>& scratch) {
  std::vector<Run> s = runs_of(src), d = runs_of(dst);
  int64_t ssz = size_of(src.dtype), dsz = size_of(dst.dtype);
  bool raw = src.dtype == dst.dtype;
  size_t si = 0, di = 0;
  int64_t so = 0, doff = 0;  // elements consumed in the current runs
  while (si < s.size() && di < d.size()) {
    int64_t n = std::min(s[si].n - so, d[di].n - doff);
    uint8_t* sp = s[si].ptr + so * s[si].step;
    uint8_t* dp = d[di].ptr + doff * d[di].step;
    if (raw && s[si].step == ssz && d[di].step == dsz) {
      std::memmove(dp, sp, n * ssz);
    } else if (raw) {
      for (int64_t k = 0; k < n; ++k) std::memcpy(dp + k * d[di].step, sp + k * s[si].step, ssz);
    } else {
      scratch.resize(n);
      numerics::load_row(src.dtype, sp, s[si].step / ssz, n, scratch.data());
      numerics::store_row(dst.dtype, scratch.data(), n, dp, d[di].step / dsz);
    }
    so += n;
    doff += n;
    if (so == s[si].n) ++si, so = 0;
    if (doff == d[di].n) ++di, doff = 0;
  }
}

void exec_DmaCopy(ExecContext& cx, const Instruction& in) {
  copy_elements(cx.mem.view(in.ops[0]), cx.mem.view(in.ops[1]), cx.a);
}

}  // namespace nkic::sim
