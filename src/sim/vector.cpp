// Vector-engine style elementwise instructions: tensor_tensor, tensor_copy, memset.
// Each works a partition at a time: load the row as fp32, compute, store with the dst dtype's rounding.
#include <cmath>

#include "sim/exec.h"
#include "sim/numerics.h"

namespace nkic::sim {

void copy_elements(const PhysView& dst, const PhysView& src, std::vector<float>& scratch);

namespace {
template <class Op>
void binary_rows(ExecContext& cx, const PhysView& d, const PhysView& x, const PhysView& y, Op op) {
  int64_t n = d.free_elems();
  cx.a.resize(n);
  cx.b.resize(n);
  float *a = cx.a.data(), *b = cx.b.data();
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, a);
    load_partition(y, p, b);
    for (int64_t i = 0; i < n; ++i) a[i] = op(a[i], b[i]);
    store_partition(d, p, a);
  }
}
}  // namespace

void exec_TensorTensor(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(in.ops[0]), x = cx.mem.view(in.ops[1]), y = cx.mem.view(in.ops[2]);
  switch (in.alu) {
    case AluOp::Add: return binary_rows(cx, d, x, y, [](float a, float b) { return a + b; });
    case AluOp::Subtract: return binary_rows(cx, d, x, y, [](float a, float b) { return a - b; });
    case AluOp::Multiply: return binary_rows(cx, d, x, y, [](float a, float b) { return a * b; });
    case AluOp::Maximum: return binary_rows(cx, d, x, y, [](float a, float b) { return std::fmax(a, b); });
    case AluOp::Minimum: return binary_rows(cx, d, x, y, [](float a, float b) { return std::fmin(a, b); });
    default: {
      AluOp op = in.alu;
      return binary_rows(cx, d, x, y, [op](float a, float b) { return apply_alu(op, a, b); });
    }
  }
}

void exec_TensorCopy(ExecContext& cx, const Instruction& in) {
  copy_elements(cx.mem.view(in.ops[0]), cx.mem.view(in.ops[1]), cx.a);
}

void exec_Memset(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(in.ops[0]);
  int64_t n = d.free_elems();
  cx.a.assign(n, static_cast<float>(in.f0));
  for (int64_t p = 0; p < d.pnum; ++p) store_partition(d, p, cx.a.data());
}

}  // namespace nkic::sim
