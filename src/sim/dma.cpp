// DMA instructions: dma_copy (element order of src to element order of dst; casts through fp32).
#include <cstring>

#include "numerics/numerics.h"
#include "sim/dma.h"
#include "sim/rows.h"

namespace nkic::sim {

namespace {
struct Run {
  uint8_t* ptr;
  int64_t step;  // bytes
  int64_t n;
};

std::vector<Run> runs_of(const PhysView& v) {
  std::vector<Run> out;
  for (int64_t p = 0; p < v.pnum; ++p)
    for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) { out.push_back({ptr, step, n}); });
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
  copy_elements(cx.mem.view(cx.prog.op(in, 0)), cx.mem.view(cx.prog.op(in, 1)), cx.a);
}

}  // namespace nkic::sim

namespace nkic::sim {

// dma_transpose: dst dims[i] = src dims[axes[i]]; raw bytes (same dtype). The logical shape of src
// is its access pattern's dims.
void dma_transpose_views(const PhysView& d, const PhysView& s, const std::vector<int64_t>& sshape,
                         std::span<const int64_t> axes) {
  size_t r = sshape.size();
  std::vector<int64_t> dshape(r), dstride(r);
  for (size_t i = 0; i < r; ++i) dshape[i] = sshape[axes[i]];
  int64_t st = 1;
  for (size_t i = r; i-- > 0;) dstride[i] = st, st *= dshape[i];
  // src axis k appears at dst position pos[k]
  std::vector<size_t> pos(r);
  for (size_t i = 0; i < r; ++i) pos[axes[i]] = i;
  std::vector<uint8_t*> sp = element_ptrs(s), dp = element_ptrs(d);
  int64_t isz = size_of(s.dtype);
  std::vector<int64_t> idx(r, 0);
  for (size_t k = 0; k < sp.size(); ++k) {
    int64_t di = 0;
    for (size_t j = 0; j < r; ++j) di += idx[j] * dstride[pos[j]];
    std::memcpy(dp[di], sp[k], isz);
    for (size_t j = r; j-- > 0;) {
      if (++idx[j] < sshape[j]) break;
      idx[j] = 0;
    }
  }
}

void exec_DmaTranspose(ExecContext& cx, const Instruction& in) {
  APRef src = cx.prog.op(in, 1);
  std::vector<int64_t> shape;
  for (auto& d : src.dims) shape.push_back(d.num);
  dma_transpose_views(cx.mem.view(cx.prog.op(in, 0)), cx.mem.view(src), shape, cx.prog.ints(in));
}

// dma_compute: dst = srcs[0] + srcs[1] + ... in fp32, in source order, element by element.
void dma_compute_views(ExecContext& cx, AluOp op, const PhysView& d, const std::vector<PhysView>& srcs) {
  size_t n = static_cast<size_t>(d.pnum * d.free_elems());
  cx.a.resize(n);
  cx.b.resize(n);
  load_all(srcs[0], cx.a.data());
  for (size_t k = 1; k < srcs.size(); ++k) {
    load_all(srcs[k], cx.b.data());
    alu_row_rows(op, cx.a.data(), cx.b.data(), static_cast<int64_t>(n));
  }
  store_all(d, cx.a.data());
}

void exec_DmaCompute(ExecContext& cx, const Instruction& in) {
  std::vector<PhysView> srcs;
  for (size_t k = 1; k < in.num_ops; ++k) srcs.push_back(cx.mem.view(cx.prog.op(in, k)));
  dma_compute_views(cx, in.alu, cx.mem.view(cx.prog.op(in, 0)), srcs);
}

}  // namespace nkic::sim
