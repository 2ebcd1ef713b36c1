// activate2 (NKI 0.4.0, ScalarE): v = (data op0 imm0) op1 imm1 in fp32 (a bypass stage is skipped, a
// reversed stage computes imm op v), then dst = op(v) (nl.prelu: v, or v * relu_param below 0), then the
// ScalarE accumulator (shared with activation) folds dst in with reduce_op.
#include <bit>
#include <cmath>
#include <limits>

#include "numerics/activation.h"
#include "sim/exec.h"
#include "sim/rows.h"

namespace nkic::sim {

namespace {
// The accumulator's value after a reset: the identity of the reduction.
float identity_of(AluOp op) {
  switch (op) {
    case AluOp::Maximum: return -std::numeric_limits<float>::infinity();
    case AluOp::Minimum:
    case AluOp::AbsMin: return std::numeric_limits<float>::infinity();
    default: return 0.f;  // add, abs_max
  }
}
}  // namespace

void exec_Activate2(ExecContext& cx, const Instruction& in) {
  auto view = [&](int role) {
    std::optional<APRef> r = cx.prog.role_op(in, role);
    return r ? cx.mem.view(*r) : PhysView{};
  };
  PhysView d = view(0), x = view(1), i0 = view(2), i1 = view(3), rp = view(4), rr = view(5);
  bool has0 = in.operand(2) >= 0, has1 = in.operand(3) >= 0, has_rp = in.operand(4) >= 0, has_rr = in.operand(5) >= 0;
  std::span<const int64_t> ints = cx.prog.ints(in);
  auto op0 = static_cast<AluOp>(ints[0]), op1 = static_cast<AluOp>(ints[1]);
  double slope_imm = std::bit_cast<double>(ints[2]);
  auto cmd = static_cast<ReduceCmd>(in.i0);
  int64_t n = d.free_elems();
  cx.a.resize(n);
  float* a = cx.a.data();
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, a);
    if (op0 != AluOp::Bypass)
      alu_row_scalar(op0, a, n, has0 ? column_value(i0, p) : static_cast<float>(in.f0), in.flags & kRev0);
    if (op1 != AluOp::Bypass)
      alu_row_scalar(op1, a, n, has1 ? column_value(i1, p) : static_cast<float>(in.f1), in.flags & kRev1);
    if (in.alu == AluOp::Prelu) {
      float s = has_rp ? column_value(rp, p) : static_cast<float>(slope_imm);
      for (int64_t i = 0; i < n; ++i)
        if (a[i] < 0.f) a[i] *= s;
    } else {
      apply_activation(in.alu, a, n);
    }
    float& acc = cx.act_acc[static_cast<size_t>(x.lane + p) % cx.act_acc.size()];
    if (resets(cmd)) acc = identity_of(in.alu1);
    if (reduces(cmd))
      dispatch_alu(in.alu1, [&](auto f) {
        for (int64_t i = 0; i < n; ++i) acc = f(acc, a[i]);
      });
    store_partition(d, p, a);
    if (has_rr) store_partition(rr, p, &acc);
  }
}

}  // namespace nkic::sim
