// ScalarE: activation (and activation_reduce, which lowers to it). out = f(data * scale + bias) with
// the multiply and the add rounded to fp32 and f evaluated by the activation table; the optional
// reduction accumulates into the per-lane ScalarE accumulator registers held in the ExecContext.
#include "numerics/activation.h"
#include "sim/exec.h"
#include "sim/rows.h"

namespace nkic::sim {

void exec_Activation(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(cx.prog.op(in, in.operand(0))), x = cx.mem.view(cx.prog.op(in, in.operand(1)));
  std::optional<APRef> bo = cx.prog.role_op(in, 2), so = cx.prog.role_op(in, 3), ro = cx.prog.role_op(in, 4);
  PhysView bv = bo ? cx.mem.view(*bo) : PhysView{}, sv = so ? cx.mem.view(*so) : PhysView{};
  PhysView rv = ro ? cx.mem.view(*ro) : PhysView{};
  int64_t n = d.free_elems();
  auto cmd = static_cast<ReduceCmd>(in.i0);
  cx.a.resize(n);
  float* a = cx.a.data();
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, a);
    float s = so ? column_value(sv, p) : static_cast<float>(in.f0);
    float b = bo ? column_value(bv, p) : static_cast<float>(in.f1);
    if (s != 1.f || so)
      for (int64_t i = 0; i < n; ++i) a[i] *= s;
    if (b != 0.f || bo)
      for (int64_t i = 0; i < n; ++i) a[i] += b;
    apply_activation(in.alu, a, n);
    float& acc = cx.act_acc[static_cast<size_t>(x.lane + p) % cx.act_acc.size()];
    if (resets(cmd)) acc = 0.f;
    if (reduces(cmd))
      for (int64_t i = 0; i < n; ++i) acc += a[i];  // reduce_op is add (validated)
    store_partition(d, p, a);
    if (ro) store_partition(rv, p, &acc);
  }
}

}  // namespace nkic::sim
