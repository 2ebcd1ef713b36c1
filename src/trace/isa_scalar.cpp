// nki.isa ScalarE instructions: activation, activation_reduce.
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

// Shared by activation and activation_reduce: parameter indices of each argument.
struct ActArgs {
  size_t dst, op, data, bias, scale, reduce_op, reduce_res;
};

void emit_activation(Ctx& c, const ActArgs& ix, int32_t cmd) {
  TensorObj *dst = c.tensor(ix.dst), *data = c.tensor(ix.data);
  c.on_chip(ix.dst, dst);
  c.on_chip(ix.data, data);
  c.same_tile(ix.data, data, ix.dst, dst);
  AluOp f = c.op(ix.op, kActivation, "an activation function");
  int64_t P = c.parts(data);
  double scale = 1.0, bias = 0.0;
  TensorObj* st = c.scalar_or_column(ix.scale, P, &scale);
  if (st && c.dtype(st) != DType::Float32)
    c.fail(ix.scale, "scale must be a float32 tile, not " + std::string(name_of(c.dtype(st))));
  TensorObj* bt = nullptr;
  if (c.given(ix.bias)) {
    bt = c.scalar_or_column(ix.bias, P, &bias);
    if (!bt && c.tgt().nc_version < 3)
      c.fail(ix.bias, "a scalar bias needs NeuronCore-v3 or newer; on NeuronCore-v2 bias must be a (P, 1) tile");
    if (bt && c.dtype(bt) == DType::TFloat32) c.fail(ix.bias, "bias cannot be tfloat32");
    if (f == AluOp::Reciprocal && c.tgt().nc_version < 3)
      c.fail(ix.bias, "activation(op=nl.reciprocal) does not support bias on NeuronCore-v2");
  }
  AluOp rop = AluOp::Add;
  if (c.given(ix.reduce_op)) {
    rop = c.op(ix.reduce_op, kReduce, "a reduction operator");
    if (rop != AluOp::Add) c.fail(ix.reduce_op, "reduce_op must be nl.add");
  }
  TensorObj* rr = nullptr;
  if (c.given(ix.reduce_res)) {
    rr = c.tensor(ix.reduce_res);
    c.column(ix.reduce_res, rr, P);
  }
  Instruction& ins = c.emit(Opcode::Activation, {dst, data, bt, st, rr});
  ins.alu = f;
  ins.alu1 = rop;
  ins.i0 = cmd;
  ins.f0 = scale;
  ins.f1 = bias;
}

}  // namespace

void add_isa_scalar(ModuleObj& m, const IsaEnums& e) {
  m.ns["activation"] = isa_builtin(
      "activation",
      {{"dst", true}, {"op", true}, {"data", true}, {"bias", false}, {"scale", false, Value::real(1.0)},
       {"reduce_op", false}, {"reduce_res", false}, {"reduce_cmd", false, e.reduce_idle}, {"name", false}},
      [](Ctx& c) {
        int64_t cmd = c.enum_value(7, "reduce_cmd");
        if (cmd == 4) c.fail(7, "reduce_cmd.load_reduce is not supported by activation");
        emit_activation(c, {0, 1, 2, 3, 4, 5, 6}, static_cast<int32_t>(cmd));
      });
  m.ns["activation_reduce"] = isa_builtin(
      "activation_reduce",
      {{"dst", true}, {"op", true}, {"data", true}, {"reduce_op", true}, {"reduce_res", true}, {"bias", false},
       {"scale", false, Value::real(1.0)}, {"name", false}},
      [](Ctx& c) { emit_activation(c, {0, 1, 2, 5, 6, 3, 4}, 3); });
}

}  // namespace nkic::trace
