// VectorE statistics, selection and accumulator instructions (bn_stats, bn_aggr, max8, nc_find_index8,
// nc_match_replace8, select_reduce, range_select, tensor_scalar_reduce, tensor_scalar_cumulative,
// nc_stream_shuffle) and the GpSimd gathers (local_gather, nc_n_gather). Rows are loaded as fp32 (or
// exact int64 for indices), computed, and stored with the dst dtype's rounding.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "numerics/numerics.h"
#include "sim/exec.h"
#include "sim/rows.h"

namespace nkic::sim {

namespace {

PhysView opnd(ExecContext& cx, const Instruction& in, int role) { return cx.mem.view(*cx.prog.role_op(in, role)); }
PhysView opt(ExecContext& cx, const Instruction& in, int role) {
  std::optional<APRef> ap = cx.prog.role_op(in, role);
  return ap ? cx.mem.view(*ap) : PhysView{};
}

float& vec_acc(ExecContext& cx, const PhysView& v, int64_t p) {
  return cx.vec_acc[static_cast<size_t>(v.lane + p) % cx.vec_acc.size()];
}

// The VectorE accumulator's reset value for a reduction operator.
float reset_value(AluOp op) {
  switch (canonical(op)) {
    case AluOp::Multiply: return 1.f;
    case AluOp::Maximum: return -std::numeric_limits<float>::infinity();
    case AluOp::Minimum: return std::numeric_limits<float>::infinity();
    default: return 0.f;
  }
}

// Per partition: the index of each of the 8 values' first not-yet-matched occurrence (-1: not found).
// Duplicate values in `vals` step through successive occurrences.
void match8(const float* data, int64_t n, const float* vals, int64_t* idx, std::vector<uint8_t>& used) {
  used.assign(n, 0);
  for (int k = 0; k < 8; ++k) {
    idx[k] = -1;
    for (int64_t i = 0; i < n; ++i)
      if (!used[i] && data[i] == vals[k]) {
        used[i] = 1;
        idx[k] = i;
        break;
      }
  }
}

int64_t not_found(DType t) { return t == DType::UInt16 ? 0xFFFF : 0xFFFFFFFFll; }

}  // namespace

void exec_BnStats(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1);
  int64_t n = x.free_elems();
  cx.a.resize(n);
  float out[6];
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    for (int half = 0; half < 2; ++half) {
      int64_t cnt = 0;
      double sum = 0;
      for (int64_t i = half; i < n; i += 2, ++cnt) sum += cx.a[i];
      double mean = cnt ? sum / double(cnt) : 0.0, m2 = 0;
      for (int64_t i = half; i < n; i += 2) m2 += (cx.a[i] - mean) * (cx.a[i] - mean);
      out[3 * half] = static_cast<float>(cnt);
      out[3 * half + 1] = static_cast<float>(mean);
      out[3 * half + 2] = static_cast<float>(m2);
    }
    store_partition(d, p, out);
  }
}

void exec_BnAggr(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1);
  int64_t n = x.free_elems(), g = n / 3;
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    const float* s = cx.a.data();
    double total = 0, wsum = 0;
    for (int64_t k = 0; k < g; ++k) {
      total += s[3 * k];
      wsum += double(s[3 * k]) * s[3 * k + 1];
    }
    double mean = total > 0 ? wsum / total : 0.0, m2 = 0;
    for (int64_t k = 0; k < g; ++k) {
      double dm = s[3 * k + 1] - mean;
      m2 += s[3 * k + 2] + s[3 * k] * dm * dm;
    }
    float out[2] = {static_cast<float>(mean), static_cast<float>(total > 0 ? m2 / total : 0.0)};
    store_partition(d, p, out);
  }
}

void exec_Max8(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1);
  int64_t n = x.free_elems();
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    // NaN sorts above every number (it is the largest value the comparator sees).
    std::partial_sort(cx.a.begin(), cx.a.begin() + 8, cx.a.end(), [](float a, float b) {
      if (std::isnan(a)) return !std::isnan(b);
      if (std::isnan(b)) return false;
      return a > b;
    });
    store_partition(d, p, cx.a.data());
  }
}

void exec_NcFindIndex8(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), v = opnd(cx, in, 2);
  int64_t n = x.free_elems();
  cx.a.resize(n);
  cx.b.resize(8);
  cx.ia.resize(8);
  std::vector<uint8_t> used;
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    load_partition(v, p, cx.b.data());
    match8(cx.a.data(), n, cx.b.data(), cx.ia.data(), used);
    for (auto& i : cx.ia)
      if (i < 0) i = not_found(d.dtype);
    store_partition_i64(d, p, cx.ia.data());
  }
}

void exec_NcMatchReplace8(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), v = opnd(cx, in, 2), di = opt(cx, in, 3);
  bool has_idx = in.operand(3) >= 0;
  int64_t n = x.free_elems();
  cx.a.resize(n);
  cx.b.resize(8);
  cx.ia.resize(8);
  std::vector<uint8_t> used;
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    load_partition(v, p, cx.b.data());
    match8(cx.a.data(), n, cx.b.data(), cx.ia.data(), used);
    for (auto& i : cx.ia) {
      if (i >= 0)
        cx.a[i] = static_cast<float>(in.f0);
      else
        i = has_idx ? not_found(di.dtype) : i;
    }
    store_partition(d, p, cx.a.data());
    if (has_idx) store_partition_i64(di, p, cx.ia.data());
  }
}

void exec_SelectReduce(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), pr = opnd(cx, in, 1), t = opnd(cx, in, 2), f = opt(cx, in, 3), r = opt(cx, in, 4);
  bool has_f = in.operand(3) >= 0, has_r = in.operand(4) >= 0, rev = in.flags & kRevPred;
  int64_t n = d.free_elems();
  auto cmd = static_cast<ReduceCmd>(in.i0);
  cx.a.resize(n);
  cx.c.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(t, p, cx.a.data());
    load_partition(pr, p, cx.c.data());
    float fv = has_f ? column_value(f, p) : static_cast<float>(in.f0);
    float* a = cx.a.data();
    for (int64_t i = 0; i < n; ++i)
      if ((cx.c[i] != 0) == rev) a[i] = fv;
    float& acc = vec_acc(cx, t, p);
    if (resets(cmd)) acc = reset_value(AluOp::Maximum);
    if (reduces(cmd))
      for (int64_t i = 0; i < n; ++i) acc = std::fmax(acc, a[i]);
    store_partition(d, p, a);
    if (has_r) store_partition(r, p, &acc);
  }
}

void exec_RangeSelect(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), t = opnd(cx, in, 1), b0 = opnd(cx, in, 2), b1 = opnd(cx, in, 3), r = opt(cx, in, 4);
  bool has_r = in.operand(4) >= 0;
  int64_t n = d.free_elems();
  auto cmd = static_cast<ReduceCmd>(in.i0);
  float start = static_cast<float>(in.f1), fv = static_cast<float>(in.f0);
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(t, p, cx.a.data());
    float v0 = column_value(b0, p), v1 = column_value(b1, p);
    float* a = cx.a.data();
    for (int64_t i = 0; i < n; ++i) {
      float idx = start + static_cast<float>(i);
      bool m = apply_alu(in.alu, idx, v0) != 0.f && apply_alu(in.alu1, idx, v1) != 0.f;
      if (!m) a[i] = fv;
    }
    float& acc = vec_acc(cx, t, p);
    if (resets(cmd)) acc = reset_value(AluOp::Maximum);
    if (reduces(cmd))
      for (int64_t i = 0; i < n; ++i) acc = std::fmax(acc, a[i]);
    store_partition(d, p, a);
    if (has_r) store_partition(r, p, &acc);
  }
}

void exec_TensorScalarReduce(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), o = opt(cx, in, 2), r = opt(cx, in, 3), ri = opt(cx, in, 4);
  bool has_o = in.operand(2) >= 0, has_r = in.operand(3) >= 0, has_init = in.operand(4) >= 0;
  bool negate = in.flags & kNegate;
  auto cmd = static_cast<ReduceCmd>(in.i0);
  int64_t n = d.free_elems();
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    float s = has_o ? column_value(o, p) : static_cast<float>(in.f0);
    alu_row_scalar(in.alu, cx.a.data(), n, s, false);
    // The VectorE accumulator (NKI 0.4.0): reset_reduce starts from the first element (as 0.3.0 did),
    // reduce continues the register, load_reduce starts from reduce_init.
    float& acc = vec_acc(cx, x, p);
    int64_t i = 0;
    if (cmd == ReduceCmd::ResetReduce) acc = cx.a[i++];
    if (cmd == ReduceCmd::LoadReduce) acc = has_init ? column_value(ri, p) : static_cast<float>(in.f1);
    float r0 = acc;
    dispatch_alu(in.alu1, [&](auto f) {
      for (; i < n; ++i) r0 = f(r0, cx.a[i]);
    });
    acc = r0;
    store_partition(d, p, cx.a.data());
    // NKI 0.6.0: without reduce_res the result stays in the accumulator only; negation applies to
    // the written copy, never to the accumulator.
    float out = negate ? -acc : acc;
    if (has_r) store_partition(r, p, &out);
  }
}

void exec_TensorScalarCumulative(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), o0 = opt(cx, in, 2), o1 = opt(cx, in, 3);
  bool has0 = in.operand(2) >= 0, has1 = in.operand(3) >= 0;
  int64_t n = d.free_elems();
  auto cmd = static_cast<ReduceCmd>(in.i0);
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    float s0 = has0 ? column_value(o0, p) : static_cast<float>(in.f0);
    float& acc = vec_acc(cx, x, p);
    if (cmd == ReduceCmd::ResetReduce) acc = reset_value(in.alu1);
    if (cmd == ReduceCmd::LoadReduce) acc = has1 ? column_value(o1, p) : static_cast<float>(in.f1);
    alu_row_scalar(in.alu, cx.a.data(), n, s0, false);
    float r = acc;
    float* a = cx.a.data();
    dispatch_alu(in.alu1, [&](auto f) {
      for (int64_t i = 0; i < n; ++i) a[i] = r = f(a[i], r);
    });
    acc = r;
    store_partition(d, p, a);
  }
}

void exec_NcStreamShuffle(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), s = opnd(cx, in, 1);
  int64_t n = s.free_elems(), isz = size_of(s.dtype);
  // Read every source partition first (in-place shuffles are allowed), then write; bit-exact.
  std::vector<uint8_t> rows(static_cast<size_t>(s.pnum * n * isz));
  for (int64_t p = 0; p < s.pnum; ++p) {
    uint8_t* out = rows.data() + p * n * isz;
    for_each_run(s, p, [&](uint8_t* ptr, int64_t step, int64_t k) {
      for (int64_t j = 0; j < k; ++j, out += isz) std::memcpy(out, ptr + j * step, isz);
    });
  }
  for (int64_t p = 0; p < d.pnum; ++p) {
    int64_t m = cx.prog.ints(in)[p % 32];
    if (m == 255) continue;
    const uint8_t* src = rows.data() + ((p / 32) * 32 + m) * n * isz;
    for_each_run(d, p, [&](uint8_t* ptr, int64_t step, int64_t k) {
      for (int64_t j = 0; j < k; ++j, src += isz) std::memcpy(ptr + j * step, src, isz);
    });
  }
}

void exec_LocalGather(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), s = opnd(cx, in, 1), ix = opnd(cx, in, 2);
  int64_t E = in.i0, nv = cx.prog.ints(in)[0], ni = ix.free_elems(), ns = s.free_elems(), isz = size_of(s.dtype);
  std::vector<uint8_t*> sp = element_ptrs(s), dp = element_ptrs(d);
  cx.ia.resize(ni * 16);
  std::vector<int64_t> row(ni), idx;
  for (int64_t core = 0; core < s.pnum / 16; ++core) {
    for (int64_t q = 0; q < 16; ++q) {  // flatten the core's 16 x ni indices partition-first
      load_partition_i64(ix, core * 16 + q, row.data());
      for (int64_t j = 0; j < ni; ++j) cx.ia[j * 16 + q] = row[j];
    }
    for (int64_t j = 0; j < nv; ++j) {
      int64_t at = cx.ia[j];
      if (at + E > ns)
        throw ExecError("index " + std::to_string(at) + " (GpSimd core " + std::to_string(core) + ", position " +
                        std::to_string(j) + ") + num_elem_per_idx " + std::to_string(E) + " exceeds the " +
                        std::to_string(ns) + " elements of a src_buffer partition");
    }
    for (int64_t q = 0; q < 16; ++q) {
      int64_t p = core * 16 + q;
      for (int64_t j = 0; j < nv; ++j)
        for (int64_t e = 0; e < E; ++e) std::memcpy(dp[p * nv * E + j * E + e], sp[p * ns + cx.ia[j] + e], isz);
    }
  }
}

void exec_NcNGather(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), s = opnd(cx, in, 1), ix = opnd(cx, in, 2);
  int64_t n = d.free_elems(), ns = s.free_elems(), isz = size_of(s.dtype);
  std::vector<uint8_t*> sp = element_ptrs(s), dp = element_ptrs(d);
  cx.ia.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition_i64(ix, p, cx.ia.data());
    for (int64_t k = 0; k < n; ++k) {
      int64_t at = cx.ia[k];
      if (at < 0 || at >= ns)
        throw ExecError("indices[" + std::to_string(p) + ", " + std::to_string(k) + "] = " + std::to_string(at) +
                        " is outside data's " + std::to_string(ns) + " elements per partition");
      std::memcpy(dp[p * n + k], sp[p * ns + at], isz);
    }
  }
}

}  // namespace nkic::sim
