// nki.isa.activate2 (NKI 0.4.0, NeuronCore-v4): ScalarE's two tensor-scalar stages, an activation
// function (nl.prelu with its slope relu_param) and the ScalarE accumulator with a choice of reduction.
#include <bit>

#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

// activate2(dst, op, data, imm0, imm1, op0, op1, relu_param=0.0, reverse0=False, reverse1=False,
//           reduce_op=None, reduce_res=None, reduce_cmd=reduce_cmd.idle, engine=engine.scalar, name=None)
//           (engine= : NKI 0.7.0)
// clang-format off
#define ACTIVATE2_PARAMS(X)                                                                                  \
  X(dst, kRequired) X(op, kRequired) X(data, kRequired) X(imm0, kRequired) X(imm1, kRequired)              \
  X(op0, kRequired) X(op1, kRequired) X(relu_param, Value::real(0.0)) X(reverse0, Value::boolean(false))   \
  X(reverse1, Value::boolean(false)) X(reduce_op, kNone) X(reduce_res, kNone) X(reduce_cmd, e.reduce_idle) \
  X(engine, e.engine_scalar) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(Activate2Param, ACTIVATE2_PARAMS);

// The (op0, op1) pairs of the tensor-scalar stage the hardware has.
bool allowed_pair(AluOp a, AluOp b) {
  using A = AluOp;
  if (b == A::Bypass) return a == A::Multiply || a == A::Add || a == A::Subtract || a == A::Bypass;
  return a == A::Multiply && (b == A::Add || b == A::Subtract);
}

void activate2(Ctx& c) {
  using P = Activate2Param;
  c.needs_nc(P::op, 4, kTrn3Hint);
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.one_input(P::dst, dst, P::data, data);
  AluOp f = c.op(P::op, kActivation, "an activation function");
  AluOp op0 = c.op(P::op0, kBinary | kUnary, "a tensor-scalar operator");
  AluOp op1 = c.op(P::op1, kBinary | kUnary, "a tensor-scalar operator");
  if (!allowed_pair(op0, op1))
    c.fail(P::op1,
           "(op0, op1) = (nl." + std::string(name_of(op0)) + ", nl." + std::string(name_of(op1)) + ") is not supported",
           "use (multiply, add), (multiply, subtract), (multiply, bypass), (add, bypass), (subtract, bypass) or "
           "(bypass, bypass)");
  bool rev0 = c.boolean(P::reverse0), rev1 = c.boolean(P::reverse1);
  if (rev0 && op0 == AluOp::Bypass) c.fail(P::reverse0, "reverse0=True needs an op0 other than nl.bypass");
  if (rev1 && op1 == AluOp::Bypass) c.fail(P::reverse1, "reverse1=True needs an op1 other than nl.bypass");
  int64_t np = c.parts(data);
  double s0 = 0, s1 = 0, slope = 0;
  TensorObj* t0 = c.scalar_or_column(P::imm0, np, &s0);
  TensorObj* t1 = c.scalar_or_column(P::imm1, np, &s1);
  TensorObj* tr = c.scalar_or_column(P::relu_param, np, &slope);
  if (t0 && t1 && c.dtype(t0) != c.dtype(t1))
    c.fail(P::imm1, "imm0 and imm1 tiles must have the same dtype (" + dt_name(c.dtype(t0)) + " vs " +
                        dt_name(c.dtype(t1)) + ")");
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::imm0, t0}, {P::imm1, t1}, {P::relu_param, tr}})
    if (t) c.float_dtype(i, t);
  auto cmd = c.member<ReduceCmd>(P::reduce_cmd);
  if (cmd == ReduceCmd::LoadReduce) c.fail(P::reduce_cmd, "reduce_cmd.load_reduce is not supported by activate2");
  AluOp rop = AluOp::Add;
  if (c.given(P::reduce_op)) {
    rop = c.op(P::reduce_op, kReduce, "a reduction operator");
    if (rop != AluOp::Add && rop != AluOp::Maximum && rop != AluOp::Minimum && rop != AluOp::AbsMax &&
        rop != AluOp::AbsMin)
      c.fail(P::reduce_op, "reduce_op must be nl.add, nl.maximum, nl.minimum, nl.abs_max or nl.abs_min");
  } else if (cmd != ReduceCmd::Idle) {
    c.fail(P::reduce_op, "reduce_cmd." + std::string(name_of(cmd)) + " needs a reduce_op");
  }
  TensorObj* rr = nullptr;
  if (c.given(P::reduce_res)) {
    rr = c.tensor(P::reduce_res);
    c.column(P::reduce_res, rr, np);
  }
  Engine eng = activation_engine(c, P::engine, cmd != ReduceCmd::Idle || rr, P::data);
  Instruction& ins = c.emit(Opcode::Activate2, {dst, data, t0, t1, tr, rr});
  ins.engine = eng;
  ins.alu = f;
  ins.alu1 = rop;
  set_reduce_cmd(ins, cmd);
  ins.f0 = s0;
  ins.f1 = s1;
  ins.flags = static_cast<uint8_t>((rev0 ? kRev0 : 0) | (rev1 ? kRev1 : 0));
  c.in.program.set_ints(ins, {static_cast<int64_t>(op0), static_cast<int64_t>(op1), std::bit_cast<int64_t>(slope)});
}

}  // namespace

void add_isa_activate2(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(m, {{"activate2", NKIC_SIGNATURE(ACTIVATE2_PARAMS), activate2}});
}

}  // namespace nkic::trace
