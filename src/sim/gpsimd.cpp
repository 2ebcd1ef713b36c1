// GpSimdE: iota, affine_select, tensor_partition_reduce.
#include "sim/exec.h"
#include "sim/rows.h"

namespace nkic::sim {

namespace {
// The affine value offset + p*channel_multiplier + sum(step_j * i_j) for every free element of one
// partition, in row-major order of the pattern (ints = offset, multiplier, [step, num]...).
void affine_row(std::span<const int64_t> v, int64_t p, std::vector<int64_t>& out) {
  size_t nd = (v.size() - 2) / 2;
  int64_t n = 1;
  for (size_t j = 0; j < nd; ++j) n *= v[3 + 2 * j];
  out.resize(n);
  int64_t base = v[0] + p * v[1];
  std::vector<int64_t> idx(nd, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t val = base;
    for (size_t j = 0; j < nd; ++j) val += idx[j] * v[2 + 2 * j];
    out[k] = static_cast<int32_t>(static_cast<uint32_t>(val));  // computed in int32
    for (size_t j = nd; j-- > 0;) {
      if (++idx[j] < v[3 + 2 * j]) break;
      idx[j] = 0;
    }
  }
}
}  // namespace

void exec_Iota(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(cx.prog.op(in, 0));
  int64_t n = d.free_elems();
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    affine_row(cx.prog.ints(in), p, cx.ia);
    if (is_float(d.dtype)) {
      for (int64_t i = 0; i < n; ++i) cx.a[i] = numerics::i64_to_f32(cx.ia[i]);
      store_partition(d, p, cx.a.data());
    } else {
      store_partition_i64(d, p, cx.ia.data());
    }
  }
}

void exec_AffineSelect(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(cx.prog.op(in, 0)), t = cx.mem.view(cx.prog.op(in, 1));
  int64_t n = d.free_elems();
  cx.a.resize(n);
  float off = static_cast<float>(in.f0);
  for (int64_t p = 0; p < d.pnum; ++p) {
    affine_row(cx.prog.ints(in), p, cx.ia);
    load_partition(t, p, cx.a.data());
    for (int64_t i = 0; i < n; ++i)
      if (!apply_alu_int(in.alu, cx.ia[i], 0, 32)) cx.a[i] = off;
    store_partition(d, p, cx.a.data());
  }
}

void exec_TensorPartitionReduce(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(cx.prog.op(in, 0)), x = cx.mem.view(cx.prog.op(in, 1));
  int64_t n = x.free_elems();
  if (is_bitvec(in.alu) || (all_int({d.dtype, x.dtype}) && int_op(in.alu))) {
    cx.ia.resize(n);
    cx.ib.resize(n);
    load_partition_i64(x, 0, cx.ia.data());
    for (int64_t p = 1; p < x.pnum; ++p) {
      load_partition_i64(x, p, cx.ib.data());
      alu_row_int(in.alu, cx.ia.data(), cx.ib.data(), 1, n, int_bits(x.dtype), false);
    }
    if (is_bitvec(in.alu))
      for (auto& v : cx.ia) v = wrap_to(d.dtype, v);
    store_partition_i64(d, 0, cx.ia.data());
    return;
  }
  cx.a.resize(n);
  cx.b.resize(n);
  load_partition(x, 0, cx.a.data());
  for (int64_t p = 1; p < x.pnum; ++p) {  // increasing partition order, fp32
    load_partition(x, p, cx.b.data());
    alu_row_rows(in.alu, cx.a.data(), cx.b.data(), n);
  }
  store_partition(d, 0, cx.a.data());
}

}  // namespace nkic::sim
