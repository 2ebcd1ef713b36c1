// nisa.topk (GpSimd, NKI 0.6.0): each 16-partition group is one problem whose input "snake" holds
// element e at (partition e % 16, column e // 16); result j lands at (partition j % 16, column j // 16).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/exec.h"

namespace nkic::sim {

namespace {
// Larger first; NaN above everything (as the largest), ties by smaller index.
bool ranks_before(float a, int64_t ia, float b, int64_t ib) {
  bool na = std::isnan(a), nb = std::isnan(b);
  if (na != nb) return na;
  if (!na && a != b) return a > b;
  return ia < ib;
}
}  // namespace

// sorted=True: result j is rank j (largest first). sorted=False: the same k values in ascending order (the
// 0.6.0 page's "ascending"; 0.7.0 leaves the order unspecified). Slots j >= k of the last written column hold
// -inf / 0xFFFFFFFF; columns from ceil(k/16) on are not written (docs/semantics.md).
void exec_TopK(ExecContext& cx, const Instruction& in) {
  PhysView val = cx.mem.view(*cx.prog.role_op(in, 0)), idx = cx.mem.view(*cx.prog.role_op(in, 1)),
           src = cx.mem.view(*cx.prog.role_op(in, 2));
  int64_t n = in.i0, k = val.free_elems(), cols = src.free_elems();
  bool sorted = cx.prog.ints(in)[0] != 0;
  int64_t written = (k + 15) / 16;
  std::vector<float> snake(static_cast<size_t>(n)), row(static_cast<size_t>(std::max(cols, k)));
  std::vector<int64_t> order(static_cast<size_t>(n)), irow(static_cast<size_t>(k));
  for (int64_t g = 0; g + 16 <= src.pnum; g += 16) {
    for (int64_t p = 0; p < 16; ++p) {
      load_partition(src, g + p, row.data());
      for (int64_t c = 0; c * 16 + p < n; ++c) snake[static_cast<size_t>(c * 16 + p)] = row[static_cast<size_t>(c)];
    }
    for (int64_t e = 0; e < n; ++e) order[static_cast<size_t>(e)] = e;
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int64_t a, int64_t b) {
      return ranks_before(snake[static_cast<size_t>(a)], a, snake[static_cast<size_t>(b)], b);
    });
    if (!sorted) std::reverse(order.begin(), order.begin() + k);
    for (int64_t p = 0; p < 16; ++p) {
      load_partition(val, g + p, row.data());
      load_partition_i64(idx, g + p, irow.data());
      for (int64_t c = 0; c < written; ++c) {
        int64_t j = c * 16 + p;
        bool live = j < k;
        row[static_cast<size_t>(c)] =
            live ? snake[static_cast<size_t>(order[static_cast<size_t>(j)])] : -std::numeric_limits<float>::infinity();
        irow[static_cast<size_t>(c)] = live ? order[static_cast<size_t>(j)] : 0xFFFFFFFFLL;
      }
      store_partition(val, g + p, row.data());
      store_partition_i64(idx, g + p, irow.data());
    }
  }
}

}  // namespace nkic::sim
