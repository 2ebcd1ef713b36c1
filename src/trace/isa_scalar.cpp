// nki.isa ScalarE instructions: activation, activation_reduce.
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

// activation(dst, op, data, bias=None, scale=1.0, reduce_op=None, reduce_res=None, reduce_cmd=reduce_cmd.idle,
//            engine=engine.scalar, name=None)   (engine= : NKI 0.7.0)
// clang-format off
#define ACTIVATION_PARAMS(X)                                                                                      \
  X(dst, kRequired)                                                                                               \
  X(op, kRequired)                                                                                                \
  X(data, kRequired)                                                                                              \
  X(bias, kNone) X(scale, Value::real(1.0)) X(reduce_op, kNone) X(reduce_res, kNone) X(reduce_cmd, e.reduce_idle) \
      X(engine, e.engine_scalar) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(ActivationParam, ACTIVATION_PARAMS);

// activation_reduce(dst, op, data, reduce_op, reduce_res, bias=None, scale=1.0, name=None)
// clang-format off
#define ACTIVATION_REDUCE_PARAMS(X) \
  X(dst, kRequired)                 \
  X(op, kRequired)                  \
  X(data, kRequired)                \
  X(reduce_op, kRequired) X(reduce_res, kRequired) X(bias, kNone) X(scale, Value::real(1.0)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(ActivationReduceParam, ACTIVATION_REDUCE_PARAMS);

// Shared by activation and activation_reduce, whose parameters P name the same arguments at different
// positions.
template <class P>
void emit_activation(Ctx& c, ReduceCmd cmd) {
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.one_input(P::dst, dst, P::data, data);
  AluOp f = c.op(P::op, kActivation, "an activation function");
  if (f == AluOp::Prelu) c.fail(P::op, "nl.prelu needs a slope", "use nisa.activate2 with relu_param=");
  int64_t np = c.parts(data);
  double scale = 1.0, bias = 0.0;
  TensorObj* st = c.scalar_or_column(P::scale, np, &scale);
  if (st && c.dtype(st) != DType::Float32)
    c.fail(P::scale, "scale must be a float32 tile, not " + dt_name(c.dtype(st)));
  TensorObj* bt = nullptr;
  if (c.given(P::bias)) {
    bt = c.scalar_or_column(P::bias, np, &bias);
    if (!bt && c.tgt().nc_version < 3)
      c.fail(P::bias, "a scalar bias needs NeuronCore-v3 or newer; on NeuronCore-v2 bias must be a (P, 1) tile");
    if (bt && c.dtype(bt) == DType::TFloat32) c.fail(P::bias, "bias cannot be tfloat32");
    if (f == AluOp::Reciprocal && c.tgt().nc_version < 3)
      c.fail(P::bias, "activation(op=nl.reciprocal) does not support bias on NeuronCore-v2");
  }
  AluOp rop = AluOp::Add;
  if (c.given(P::reduce_op)) {
    rop = c.op(P::reduce_op, kReduce, "a reduction operator");
    if (rop != AluOp::Add) c.fail(P::reduce_op, "reduce_op must be nl.add");
  }
  TensorObj* rr = nullptr;
  if (c.given(P::reduce_res)) {
    rr = c.tensor(P::reduce_res);
    c.column(P::reduce_res, rr, np);
  }
  Instruction& ins = c.emit(Opcode::Activation, {dst, data, bt, st, rr});
  ins.alu = f;
  ins.alu1 = rop;
  set_reduce_cmd(ins, cmd);
  ins.f0 = scale;
  ins.f1 = bias;
}

}  // namespace

// engine= of activation / activate2 (NKI 0.7.0): GpSimd may run them on NeuronCore-v4; the accumulator
// (reduce_cmd other than idle, reduce_res) is ScalarE's only. GpSimd reads and writes SBUF only.
Engine activation_engine(Ctx& c, size_t i, bool reduces, size_t data) {
  Engine eng = c.engine(i, Engine::Scalar, {Engine::Scalar, Engine::GpSimd});
  if (eng != Engine::GpSimd) return Engine::Scalar;
  c.since(i, Release::V0_7);
  c.needs_nc(i, 4, kTrn3Hint, " with engine=nisa.engine.gpsimd");
  if (reduces)
    c.fail(i, "the reduction (reduce_cmd, reduce_res) uses ScalarE's accumulator: it needs engine=nisa.engine.scalar");
  c.sbuf_only(0, c.tensor(0));
  c.sbuf_only(data, c.tensor(data));
  return eng;
}

namespace {

void activation(Ctx& c) {
  using P = ActivationParam;
  ReduceCmd cmd = c.member<ReduceCmd>(P::reduce_cmd);
  if (cmd == ReduceCmd::LoadReduce) c.fail(P::reduce_cmd, "reduce_cmd.load_reduce is not supported by activation");
  Engine eng = activation_engine(c, P::engine, cmd != ReduceCmd::Idle || c.given(P::reduce_res), P::data);
  emit_activation<P>(c, cmd);
  c.in.program.instrs.back().engine = eng;
}

void activation_reduce(Ctx& c) { emit_activation<ActivationReduceParam>(c, ReduceCmd::ResetReduce); }

}  // namespace

void add_isa_scalar(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(m, {
                          {"activation", NKIC_SIGNATURE(ACTIVATION_PARAMS), activation},
                          {"activation_reduce", NKIC_SIGNATURE(ACTIVATION_REDUCE_PARAMS), activation_reduce},
                      });
}

}  // namespace nkic::trace
