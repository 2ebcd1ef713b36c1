// nki.isa VectorE instructions (some also run on ScalarE / GpSimdE): tensor_tensor, tensor_scalar,
// scalar_tensor_tensor, tensor_copy, tensor_copy_predicated, tensor_reduce, tensor_tensor_scan,
// reciprocal, memset.
#include <algorithm>

#include "numerics/numerics.h"
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

constexpr uint8_t kAlu = kBinary | kUnary;

void no_psum_on_gpsimd(Ctx& c, Engine e, std::initializer_list<std::pair<size_t, const TensorObj*>> ts) {
  if (e != Engine::GpSimd) return;
  for (auto& [i, t] : ts)
    if (t && c.mem(t) == Mem::PSUM)
      c.fail(i, c.pname(i) + " is in PSUM, which GpSimd cannot access", "use engine=nisa.engine.vector");
}

// The integer rule of bitvec operators: every tensor operand has an integer dtype.
void bitvec_ints(Ctx& c, AluOp op, std::initializer_list<std::pair<size_t, const TensorObj*>> ts) {
  for (auto& [i, t] : ts)
    if (t && is_float(c.dtype(t)))
      c.fail(i,
             "nl." + std::string(name_of(op)) + " is a bitvec operator and needs integer tiles, but " + c.pname(i) +
                 " is " + std::string(name_of(c.dtype(t))),
             "bitvec operators work on raw integer bits without casting");
}

// The two operators of scalar_tensor_tensor and tensor_tensor_scan: arithmetic only.
void arithmetic_ops(Ctx& c, size_t i0, AluOp op0, size_t i1, AluOp op1) {
  if (is_bitvec(op0)) c.fail(i0, c.iname + " takes arithmetic operators only");
  if (is_bitvec(op1)) c.fail(i1, c.iname + " takes arithmetic operators only");
}

uint8_t rev_flags(bool rev0, bool rev1) { return static_cast<uint8_t>((rev0 ? kRev0 : 0) | (rev1 ? kRev1 : 0)); }

// tensor_tensor(dst, data1, data2, op, engine=engine.unknown, name=None)
// clang-format off
#define TENSOR_TENSOR_PARAMS(X) \
  X(dst, kRequired) X(data1, kRequired) X(data2, kRequired) X(op, kRequired) X(engine, e.engine_unknown) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(TensorTensorParam, TENSOR_TENSOR_PARAMS);

void tensor_tensor(Ctx& c) {
  using P = TensorTensorParam;
  TensorObj *dst = c.tensor(P::dst), *d1 = c.tensor(P::data1), *d2 = c.tensor(P::data2);
  c.on_chip(P::dst, dst);
  c.on_chip(P::data1, d1);
  c.on_chip(P::data2, d2);
  AluOp op = c.op(P::op, kBinary, "a binary ALU operator");
  c.same_tile(P::dst, dst, P::data1, d1);
  c.same_tile(P::dst, dst, P::data2, d2);
  c.not_both_psum(P::data1, d1, P::data2, d2);
  if (is_bitvec(op)) bitvec_ints(c, op, {{P::dst, dst}, {P::data1, d1}, {P::data2, d2}});
  bool any_psum = c.mem(dst) == Mem::PSUM || c.mem(d1) == Mem::PSUM || c.mem(d2) == Mem::PSUM;
  Engine def = Engine::Vector;
  auto i32 = [&](const TensorObj* t) { return c.dtype(t) == DType::Int32 || c.dtype(t) == DType::UInt32; };
  if ((op == AluOp::Power || (i32(dst) && i32(d1) && i32(d2))) && !any_psum) def = Engine::GpSimd;
  Engine eng = c.engine(P::engine, def, {Engine::Vector, Engine::GpSimd});
  no_psum_on_gpsimd(c, eng, {{P::dst, dst}, {P::data1, d1}, {P::data2, d2}});
  Instruction& ins = c.emit(Opcode::TensorTensor, {dst, d1, d2});
  ins.alu = op;
  ins.engine = eng;
}

// tensor_scalar(dst, data, op0, operand0, reverse0=False, op1=None, operand1=None, reverse1=False,
//               engine=engine.unknown, name=None)
// clang-format off
#define TENSOR_SCALAR_PARAMS(X)                                                              \
  X(dst, kRequired)                                                                          \
  X(data, kRequired)                                                                         \
  X(op0, kRequired)                                                                          \
  X(operand0, kRequired) X(reverse0, Value::boolean(false)) X(op1, kNone) X(operand1, kNone) \
      X(reverse1, Value::boolean(false)) X(engine, e.engine_unknown) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(TensorScalarParam, TENSOR_SCALAR_PARAMS);

void tensor_scalar(Ctx& c) {
  using P = TensorScalarParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.one_input(P::dst, dst, P::data, data);
  int64_t np = c.parts(data);
  // NKI 0.4.0: op0 may also be nl.square or nl.relu (unary: operand0 is ignored) on NeuronCore-v4.
  bool act0 = c.v[P::op0].k == VK::Op && (c.v[P::op0].as_op() == AluOp::Square || c.v[P::op0].as_op() == AluOp::Relu);
  if (act0) c.needs_nc(P::op0, 4, kTrn3Hint, " for an activation op0");
  AluOp op0 = act0 ? c.v[P::op0].as_op() : c.op(P::op0, kAlu, "an ALU operator");
  double s0 = 0, s1 = 0;
  TensorObj* t0 = c.scalar_or_column(P::operand0, np, &s0);
  bool rev0 = c.boolean(P::reverse0), rev1 = c.boolean(P::reverse1);
  bool has1 = c.given(P::op1);
  if (has1 != c.given(P::operand1))
    c.fail(has1 ? P::operand1 : P::op1, "op1 and operand1 must both be given or both be None");
  AluOp op1 = AluOp::Bypass;
  TensorObj* t1 = nullptr;
  if (has1) {
    op1 = c.op(P::op1, kAlu, "an ALU operator");
    t1 = c.scalar_or_column(P::operand1, np, &s1);
    if (is_bitvec(op0) != is_bitvec(op1))
      c.fail(P::op1, "op0 and op1 must both be bitvec operators or both be arithmetic operators");
  }
  bool bitvec = is_bitvec(op0);
  if (bitvec) {
    bitvec_ints(c, op0, {{P::dst, dst}, {P::data, data}, {P::operand0, t0}, {P::operand1, t1}});
    for (size_t i : {size_t{P::operand0}, size_t{P::operand1}})
      if (c.v[i].k == VK::Float) c.fail(i, c.pname(i) + " must be an integer for a bitvec operator");
  } else {
    for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::operand0, t0}, {P::operand1, t1}})
      if (t && c.dtype(t) != DType::Float32)
        c.fail(i, c.pname(i) + " must be a float32 tile for an arithmetic operator, not " + dt_name(c.dtype(t)));
  }
  Engine eng = c.engine(P::engine, Engine::Vector, {Engine::Vector, Engine::Scalar, Engine::GpSimd});
  no_psum_on_gpsimd(c, eng, {{P::dst, dst}, {P::data, data}, {P::operand0, t0}, {P::operand1, t1}});
  if (eng != Engine::Vector && bitvec) c.fail(P::engine, "bitvec operators run on the Vector engine only");
  if (eng == Engine::Scalar && c.tgt().nc_version < 4) {
    bool ok = (op0 == AluOp::Multiply && (op1 == AluOp::Add || !has1)) || (op0 == AluOp::Add && !has1);
    if (!ok || rev0 || rev1)
      c.fail(P::engine,
             "the Scalar engine supports only (multiply, add), (multiply, None) and (add, None) on NeuronCore-v" +
                 std::to_string(c.tgt().nc_version));
  }
  Instruction& ins = c.emit(Opcode::TensorScalar, {dst, data, t0, t1});
  ins.engine = eng;
  ins.alu = op0;
  ins.alu1 = op1;
  ins.f0 = s0;
  ins.f1 = s1;
  ins.flags = rev_flags(rev0, rev1);
}

// scalar_tensor_tensor(dst, data, op0, operand0, op1, operand1, reverse0=False, reverse1=False, name=None)
// clang-format off
#define SCALAR_TENSOR_TENSOR_PARAMS(X)                                                               \
  X(dst, kRequired)                                                                                  \
  X(data, kRequired)                                                                                 \
  X(op0, kRequired)                                                                                  \
  X(operand0, kRequired) X(op1, kRequired) X(operand1, kRequired) X(reverse0, Value::boolean(false)) \
      X(reverse1, Value::boolean(false)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(ScalarTensorTensorParam, SCALAR_TENSOR_TENSOR_PARAMS);

void scalar_tensor_tensor(Ctx& c) {
  using P = ScalarTensorTensorParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data), *o1 = c.tensor(P::operand1);
  c.two_inputs(P::dst, dst, P::data, data, P::operand1, o1);
  AluOp op0 = c.op(P::op0, kAlu, "an arithmetic ALU operator");
  AluOp op1 = c.op(P::op1, kBinary, "a binary arithmetic ALU operator");
  arithmetic_ops(c, P::op0, op0, P::op1, op1);
  double s0 = 0;
  TensorObj* t0 = c.scalar_or_column(P::operand0, c.parts(data), &s0);
  bool rev0 = c.boolean(P::reverse0), rev1 = c.boolean(P::reverse1);
  Instruction& ins = c.emit(Opcode::ScalarTensorTensor, {dst, data, t0, o1});
  ins.alu = op0;
  ins.alu1 = op1;
  ins.f0 = s0;
  ins.flags = rev_flags(rev0, rev1);
}

// tensor_copy(dst, src, engine=engine.unknown, name=None)
#define TENSOR_COPY_PARAMS(X) X(dst, kRequired) X(src, kRequired) X(engine, e.engine_unknown) X(name, kNone)
NKIC_PARAM_POSITIONS(TensorCopyParam, TENSOR_COPY_PARAMS);

void tensor_copy(Ctx& c) {
  using P = TensorCopyParam;
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src);
  c.on_chip(P::dst, dst);
  c.on_chip(P::src, src);
  c.same_tile(P::dst, dst, P::src, src);
  Engine eng = c.engine(P::engine, Engine::Vector, {Engine::Vector, Engine::Scalar, Engine::GpSimd});
  if (eng == Engine::Scalar && c.tgt().nc_version < 3)
    c.fail(P::engine, "the Scalar engine does not support tensor_copy on NeuronCore-v2",
           "use nisa.activation(op=nl.copy)");
  no_psum_on_gpsimd(c, eng, {{P::dst, dst}, {P::src, src}});
  c.emit(Opcode::TensorCopy, {dst, src}).engine = eng;
}

// tensor_copy_predicated(dst, src, predicate, reverse_pred=False, name=None)
// clang-format off
#define TENSOR_COPY_PREDICATED_PARAMS(X) \
  X(dst, kRequired) X(src, kRequired) X(predicate, kRequired) X(reverse_pred, Value::boolean(false)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(TensorCopyPredicatedParam, TENSOR_COPY_PREDICATED_PARAMS);

void tensor_copy_predicated(Ctx& c) {
  using P = TensorCopyPredicatedParam;
  TensorObj *dst = c.tensor(P::dst), *pred = c.tensor(P::predicate);
  c.on_chip(P::dst, dst);
  c.on_chip(P::predicate, pred);
  c.same_tile(P::dst, dst, P::predicate, pred);
  DType pd = c.dtype(pred);
  if (pd != DType::UInt8 && pd != DType::UInt16 && pd != DType::UInt32)
    c.fail(P::predicate, "predicate must be uint8, uint16 or uint32, not " + dt_name(pd));
  TensorObj* src = nullptr;
  double sv = 0;
  if (c.v[P::src].is_number()) {
    c.scalar_imm(P::src);
    sv = c.v[P::src].as_float();
  } else {
    src = c.tensor(P::src);
    c.on_chip(P::src, src);
    c.same_tile(P::dst, dst, P::src, src);
    c.not_both_psum(P::src, src, P::predicate, pred);
    if (c.dtype(src) != c.dtype(dst))
      c.fail(P::src, "src dtype " + dt_name(c.dtype(src)) + " must equal dst dtype " + dt_name(c.dtype(dst)));
  }
  bool rev = c.boolean(P::reverse_pred);
  Instruction& ins = c.emit(Opcode::TensorCopyPredicated, {dst, src, pred});
  ins.f0 = sv;
  ins.flags = rev ? kRevPred : 0;
}

// tensor_reduce(dst, op, data, axis, negate=False, keepdims=False, name=None)
// clang-format off
#define TENSOR_REDUCE_PARAMS(X) \
  X(dst, kRequired)             \
  X(op, kRequired)              \
  X(data, kRequired)            \
  X(axis, kRequired) X(negate, Value::boolean(false)) X(keepdims, Value::boolean(false)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(TensorReduceParam, TENSOR_REDUCE_PARAMS);

void tensor_reduce(Ctx& c) {
  using P = TensorReduceParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.on_chip(P::dst, dst);
  c.on_chip(P::data, data);
  AluOp op = c.op(P::op, kReduce,
                  "a reduction operator (add, subtract, multiply, maximum, minimum, bitwise/logical and, or, xor)");
  int64_t rank = static_cast<int64_t>(data->ap.dims.size());
  std::vector<int64_t> axes;
  const Value& axis = c.v[P::axis];
  if (axis.is_int())
    axes.push_back(axis.as_int());
  else if (axis.k == VK::Tuple || axis.k == VK::List)
    axes = expect_shape(c.in, axis, c.span(P::axis), "axis");
  else
    c.fail(P::axis, "axis must be an int or a tuple of ints, not '" + std::string(type_name(axis.k)) + "'");
  if (axes.empty()) c.fail(P::axis, "axis must name at least one free dimension");
  for (auto& a : axes) {
    if (a < 0) a += rank;
    if (a <= 0 || a >= rank)
      c.fail(P::axis, "axis " + std::to_string(a) + " is not a free dimension of data " + shape_str(*data) +
                          " (axis 0 is the partition dimension)");
  }
  std::sort(axes.begin(), axes.end());
  // 0.3.0 documents the legal axis lists as [1], [1,2], [1,2,3], [1,2,3,4] ("the last contiguous
  // dims"), and nki-library's rmsnorm_tkg reduces a [P, BxS, H1] tile into [P, BxS] with axis=1:
  // a list of that canonical form names the *count* k of reduced dims, i.e. the trailing k, when
  // dst has the shape of that reduction.
  bool canonical = true;
  int64_t gk = 1;
  for (size_t i = 0; i < axes.size(); ++i) {
    canonical = canonical && axes[i] == static_cast<int64_t>(i) + 1;
    gk *= data->ap.dims[static_cast<size_t>(rank) - 1 - i].num;
  }
  if (canonical && c.parts(dst) == c.parts(data) && c.elems(dst) == c.elems(data) / gk)
    for (size_t i = 0; i < axes.size(); ++i)
      axes[i] = rank - static_cast<int64_t>(axes.size()) + static_cast<int64_t>(i);
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] != rank - static_cast<int64_t>(axes.size()) + static_cast<int64_t>(i))
      c.fail(P::axis, "axis must be the trailing free dimensions of data " + shape_str(*data) + " (for example " +
                          std::to_string(rank - 1) + " or (" + std::to_string(rank - 2) + ", " +
                          std::to_string(rank - 1) + "))");
  int64_t g = 1;
  for (auto a : axes) g *= data->ap.dims[a].num;
  c.partitions_by(P::dst, dst, c.parts(data), c.elems(data) / g, "data " + shape_str(*data) + " reduced over axis");
  bool neg = c.boolean(P::negate);
  c.boolean(P::keepdims);
  if (is_bitvec(op)) {
    bitvec_ints(c, op, {{P::dst, dst}, {P::data, data}});
    if (neg) c.fail(P::negate, "negate applies to arithmetic reductions only");
  }
  Instruction& ins = c.emit(Opcode::TensorReduce, {dst, data});
  ins.alu = op;
  ins.i0 = static_cast<int32_t>(g);
  ins.flags = neg ? kNegate : 0;
}

// tensor_tensor_scan(dst, data0, data1, initial, op0, op1, reverse0=False, reverse1=False, name=None)
// clang-format off
#define TENSOR_TENSOR_SCAN_PARAMS(X)                                                           \
  X(dst, kRequired)                                                                            \
  X(data0, kRequired)                                                                          \
  X(data1, kRequired)                                                                          \
  X(initial, kRequired) X(op0, kRequired) X(op1, kRequired) X(reverse0, Value::boolean(false)) \
      X(reverse1, Value::boolean(false)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(TensorTensorScanParam, TENSOR_TENSOR_SCAN_PARAMS);

void tensor_tensor_scan(Ctx& c) {
  using P = TensorTensorScanParam;
  TensorObj *dst = c.tensor(P::dst), *d0 = c.tensor(P::data0), *d1 = c.tensor(P::data1);
  c.two_inputs(P::dst, dst, P::data0, d0, P::data1, d1);
  double init = 0;
  TensorObj* it = c.scalar_or_column(P::initial, c.parts(d0), &init);
  AluOp op0 = c.op(P::op0, kBinary, "a binary arithmetic operator");
  AluOp op1 = c.op(P::op1, kBinary, "a binary arithmetic operator");
  arithmetic_ops(c, P::op0, op0, P::op1, op1);
  bool rev0 = c.boolean(P::reverse0), rev1 = c.boolean(P::reverse1);
  Instruction& ins = c.emit(Opcode::TensorTensorScan, {dst, d0, d1, it});
  ins.alu = op0;
  ins.alu1 = op1;
  ins.f0 = init;
  ins.flags = rev_flags(rev0, rev1);
}

// reciprocal(dst, data, name=None)
#define RECIPROCAL_PARAMS(X) X(dst, kRequired) X(data, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(ReciprocalParam, RECIPROCAL_PARAMS);

void reciprocal(Ctx& c) {
  using P = ReciprocalParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.one_input(P::dst, dst, P::data, data);
  c.emit(Opcode::Reciprocal, {dst, data});
}

// memset(dst, value, engine=engine.unknown, name=None)
#define MEMSET_PARAMS(X) X(dst, kRequired) X(value, kRequired) X(engine, e.engine_unknown) X(name, kNone)
NKIC_PARAM_POSITIONS(MemsetParam, MEMSET_PARAMS);

void memset(Ctx& c) {
  using P = MemsetParam;
  TensorObj* dst = c.tensor(P::dst);
  c.on_chip(P::dst, dst);
  const Value& value = c.v[P::value];
  if (!value.is_number()) c.fail(P::value, "value must be a number, not '" + std::string(type_name(value.k)) + "'");
  DType dt = c.dtype(dst);
  c.scalar_imm(P::value);
  if (!is_float(dt) && value.k == VK::Float)
    c.fail(P::value, "value must be an integer for the integer tensor dst (" + dt_name(dt) + ")");
  if (!is_float(dt) && dt != DType::Bool) {
    int64_t x = value.as_int();
    if (x < numerics::int_min(dt) || x > numerics::int_max(dt))
      c.fail(P::value, "value " + std::to_string(x) + " does not fit in " + dt_name(dt));
  }
  if (is_packed(dt) && value.as_float() != 0) c.fail(P::value, "packed " + dt_name(dt) + " tiles can only be set to 0");
  Engine eng = c.engine(P::engine, Engine::Vector, {Engine::Vector, Engine::GpSimd});
  no_psum_on_gpsimd(c, eng, {{P::dst, dst}});
  Instruction& ins = c.emit(Opcode::Memset, {dst});
  ins.engine = eng;
  ins.f0 = value.as_float();
}

}  // namespace

void add_isa_vector(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(
      m, {
             {"tensor_tensor", NKIC_SIGNATURE(TENSOR_TENSOR_PARAMS), tensor_tensor},
             {"tensor_scalar", NKIC_SIGNATURE(TENSOR_SCALAR_PARAMS), tensor_scalar},
             {"scalar_tensor_tensor", NKIC_SIGNATURE(SCALAR_TENSOR_TENSOR_PARAMS), scalar_tensor_tensor},
             {"tensor_copy", NKIC_SIGNATURE(TENSOR_COPY_PARAMS), tensor_copy},
             {"tensor_copy_predicated", NKIC_SIGNATURE(TENSOR_COPY_PREDICATED_PARAMS), tensor_copy_predicated},
             {"tensor_reduce", NKIC_SIGNATURE(TENSOR_REDUCE_PARAMS), tensor_reduce},
             {"tensor_tensor_scan", NKIC_SIGNATURE(TENSOR_TENSOR_SCAN_PARAMS), tensor_tensor_scan},
             {"reciprocal", NKIC_SIGNATURE(RECIPROCAL_PARAMS), reciprocal},
             {"memset", NKIC_SIGNATURE(MEMSET_PARAMS), memset},
         });
}

}  // namespace nkic::trace
