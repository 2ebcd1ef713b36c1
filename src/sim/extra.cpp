// exponential (VectorE, with the VectorE accumulators), the GpSimd scans sequence_bounds and
// nonzero_with_count, and core_barrier (a no-op on one core).
#include <cmath>
#include <vector>

#include "numerics/numerics.h"
#include "sim/exec.h"
#include "sim/rows.h"

namespace nkic::sim {

namespace {
PhysView opnd(ExecContext& cx, const Instruction& in, int role) { return cx.mem.view(*cx.prog.role_op(in, role)); }
// An optional role: an empty view when absent.
PhysView opt(ExecContext& cx, const Instruction& in, int role) {
  auto ap = cx.prog.role_op(in, role);
  return ap ? cx.mem.view(*ap) : PhysView{};
}
}  // namespace

// dst = exp(src - max_value): the subtraction rounded to fp32, exp in double rounded once to fp32, then the
// cast to dst. reduce_cmd (validated: idle, reduce, reset_reduce, load_reduce) drives the accumulator, which
// adds the fp32 results in free order; reduce_res receives the register after the instruction.
void exec_Exponential(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), mvv = opt(cx, in, 2), r = opt(cx, in, 3);
  bool has_m = in.operand(2) >= 0, has_r = in.operand(3) >= 0;
  int64_t n = d.free_elems();
  auto cmd = static_cast<ReduceCmd>(in.i0);
  cx.a.resize(n);
  float* a = cx.a.data();
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, a);
    float m = has_m ? column_value(mvv, p) : static_cast<float>(in.f0);
    for (int64_t i = 0; i < n; ++i) {
      float t = a[i] - m;
      a[i] = static_cast<float>(std::exp(static_cast<double>(t)));
    }
    float& acc = cx.vec_acc[static_cast<size_t>(x.lane + p) % cx.vec_acc.size()];
    if (cmd == ReduceCmd::ResetReduce) acc = 0.f;
    if (cmd == ReduceCmd::LoadReduce) acc = static_cast<float>(in.f1);
    if (cmd != ReduceCmd::Idle)
      for (int64_t i = 0; i < n; ++i) acc += a[i];
    store_partition(d, p, a);
    if (has_r) store_partition(r, p, &acc);
  }
}

// For each element of the (1, n) row: the [start, end) of the run of equal nonzero ids it belongs to;
// id 0 (padding) gives start n, end -1. dst row 0 holds the starts, row 1 the ends.
void exec_SequenceBounds(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), s = opnd(cx, in, 1);
  int64_t n = s.free_elems();
  std::vector<double> ids(static_cast<size_t>(n));
  if (is_float(s.dtype)) {
    cx.a.resize(n);
    load_partition(s, 0, cx.a.data());
    for (int64_t i = 0; i < n; ++i) ids[i] = cx.a[i];
  } else {
    cx.ia.resize(n);
    load_partition_i64(s, 0, cx.ia.data());
    for (int64_t i = 0; i < n; ++i) ids[i] = static_cast<double>(cx.ia[i]);
  }
  cx.ib.assign(2 * n, 0);
  int64_t* start = cx.ib.data();
  int64_t* end = start + n;
  for (int64_t i = 0; i < n;) {
    int64_t j = i + 1;
    while (j < n && ids[j] == ids[i]) ++j;
    for (int64_t k = i; k < j; ++k) {
      start[k] = ids[i] == 0 ? n : i;
      end[k] = ids[i] == 0 ? -1 : j;
    }
    i = j;
  }
  store_partition_i64(d, 0, cx.ib.data());
}

// Only partitions 0, 16, ..., 112 of the tiles (partition 0 of each GpSimd core) are read and written: [indices of
// nonzero elements + index_offset ..., padding_val ..., count] as int32.
void exec_NonzeroWithCount(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), s = opnd(cx, in, 1);
  int64_t n = s.free_elems();
  cx.a.resize(n);
  cx.ia.resize(n);
  cx.ib.resize(n + 1);
  for (int64_t p = 0; p < s.pnum; ++p) {
    if (p % 16 != 0) continue;
    bool f = is_float(s.dtype);
    if (f)
      load_partition(s, p, cx.a.data());
    else
      load_partition_i64(s, p, cx.ia.data());
    int64_t cnt = 0;
    for (int64_t i = 0; i < n; ++i)
      if (f ? cx.a[i] != 0.f : cx.ia[i] != 0) cx.ib[cnt++] = i + in.i0;
    for (int64_t i = cnt; i < n; ++i) cx.ib[i] = static_cast<int64_t>(in.f0);
    cx.ib[n] = cnt;
    store_partition_i64(d, p, cx.ib.data());
  }
}

// A barrier with the other core of an LNC2 pair: nkic runs one core, so there is nothing to wait for.

}  // namespace nkic::sim
