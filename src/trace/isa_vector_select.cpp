// nki.isa VectorE statistics, selection and accumulator instructions: bn_stats, bn_aggr, max8,
// nc_find_index8, nc_match_replace8, select_reduce, range_select, tensor_scalar_reduce,
// tensor_scalar_cumulative, nc_stream_shuffle; and the GpSimd gathers local_gather, nc_n_gather.
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

// reduce_cmd enum value; load_reduce only where allowed.
ReduceCmd reduce_cmd(Ctx& c, size_t i, bool allow_load) {
  ReduceCmd cmd = c.member<ReduceCmd>(i);
  if (cmd == ReduceCmd::LoadReduce && !allow_load) c.fail(i, "reduce_cmd.load_reduce is not supported by " + c.iname);
  return cmd;
}

void max_only(Ctx& c, size_t i) {
  AluOp op = c.op(i, kReduce, "a reduction operator");
  if (op != AluOp::Maximum) c.fail(i, "reduce_op must be nl.maximum (the only reduction " + c.iname + " supports)");
}

void search_data(Ctx& c, size_t i, const TensorObj* t) {
  c.on_chip(i, t);
  if (t->ap.dims.size() > 5) c.fail(i, c.pname(i) + " has more than 5 dimensions");
  int64_t n = c.elems(t);
  if (n < 8 || n > 16384)
    c.fail(i,
           c.pname(i) + " " + shape_str(*t) + " must have 8 to 16384 elements per partition, not " + std::to_string(n));
}

// The optional per-lane accumulator output: a float (P, 1) tile, or nullptr.
TensorObj* reduce_res(Ctx& c, size_t i, int64_t np) {
  TensorObj* rr = c.opt_tensor(i);
  if (rr) {
    c.column(i, rr, np);
    c.float_dtype(i, rr);
  }
  return rr;
}

bool is_cmp(AluOp op) {
  return op == AluOp::Equal || op == AluOp::Less || op == AluOp::LessEqual || op == AluOp::Greater ||
         op == AluOp::GreaterEqual;
}

// The accumulating reductions of tensor_scalar_reduce and tensor_scalar_cumulative.
bool accumulating_op(AluOp op) {
  return op == AluOp::Add || op == AluOp::Subtract || op == AluOp::Multiply || op == AluOp::Maximum ||
         op == AluOp::Minimum;
}

// bn_stats(dst, data, name=None)
#define BN_STATS_PARAMS(X) X(dst, kRequired) X(data, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(BnStatsParam, BN_STATS_PARAMS);

void bn_stats(Ctx& c) {
  using P = BnStatsParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.on_chip(P::dst, dst);
  c.on_chip(P::data, data);
  if (c.elems(data) > c.tgt().bn_stats_fmax)
    c.fail(P::data,
           "data " + shape_str(*data) + " has " + std::to_string(c.elems(data)) +
               " elements per partition, more than nl.tile_size.bn_stats_fmax (" +
               std::to_string(c.tgt().bn_stats_fmax) + ")",
           "split the free dimension into chunks of bn_stats_fmax and combine them with nisa.bn_aggr");
  c.partitions_by(P::dst, dst, c.parts(data), 6, "count, mean, variance*count of even and odd elements");
  c.float_dtype(P::dst, dst);
  c.emit(Opcode::BnStats, {dst, data});
}

// bn_aggr(dst, data, name=None)
#define BN_AGGR_PARAMS(X) X(dst, kRequired) X(data, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(BnAggrParam, BN_AGGR_PARAMS);

void bn_aggr(Ctx& c) {
  using P = BnAggrParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.on_chip(P::dst, dst);
  c.on_chip(P::data, data);
  if (c.elems(data) % 3 != 0)
    c.fail(P::data,
           "data " + shape_str(*data) + " must hold a multiple of 3 elements per partition (bn_stats outputs)");
  c.partitions_by(P::dst, dst, c.parts(data), 2, "mean, variance");
  c.float_dtype(P::dst, dst);
  c.emit(Opcode::BnAggr, {dst, data});
}

// max8(dst, src, name=None)
#define MAX8_PARAMS(X) X(dst, kRequired) X(src, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(Max8Param, MAX8_PARAMS);

void max8(Ctx& c) {
  using P = Max8Param;
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src);
  c.on_chip(P::dst, dst);
  search_data(c, P::src, src);
  c.partitions_by(P::dst, dst, c.parts(src), 8);
  c.emit(Opcode::Max8, {dst, src});
}

// nc_find_index8(dst, data, vals, name=None)
#define NC_FIND_INDEX8_PARAMS(X) X(dst, kRequired) X(data, kRequired) X(vals, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(NcFindIndex8Param, NC_FIND_INDEX8_PARAMS);

void nc_find_index8(Ctx& c) {
  using P = NcFindIndex8Param;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data), *vals = c.tensor(P::vals);
  c.on_chip(P::dst, dst);
  search_data(c, P::data, data);
  c.on_chip(P::vals, vals);
  if (vals->ap.dims.size() > 3) c.fail(P::vals, "vals has more than 3 dimensions");
  c.partitions_by(P::vals, vals, c.parts(data), 8);
  c.partitions_by(P::dst, dst, c.parts(data), 8);
  if (c.dtype(dst) != DType::UInt32 && c.dtype(dst) != DType::UInt16)
    c.fail(P::dst, "dst must be uint32 or uint16 (indices), not " + dt_name(c.dtype(dst)));
  c.emit(Opcode::NcFindIndex8, {dst, data, vals});
}

// nc_match_replace8(dst, data, vals, imm, dst_idx=None, name=None)
// clang-format off
#define NC_MATCH_REPLACE8_PARAMS(X) \
  X(dst, kRequired) X(data, kRequired) X(vals, kRequired) X(imm, kRequired) X(dst_idx, kNone) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(NcMatchReplace8Param, NC_MATCH_REPLACE8_PARAMS);

void nc_match_replace8(Ctx& c) {
  using P = NcMatchReplace8Param;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data), *vals = c.tensor(P::vals);
  c.on_chip(P::dst, dst);
  search_data(c, P::data, data);
  c.on_chip(P::vals, vals);
  c.same_tile(P::data, data, P::dst, dst);
  c.partitions_by(P::vals, vals, c.parts(data), 8);
  const Value& imm = c.v[P::imm];
  if (!imm.is_number())
    c.fail(P::imm, "imm must be a compile-time number, not '" + std::string(type_name(imm.k)) + "'");
  c.scalar_imm(P::imm);
  TensorObj* idx = c.opt_tensor(P::dst_idx);
  if (idx) {
    c.on_chip(P::dst_idx, idx);
    c.partitions_by(P::dst_idx, idx, c.parts(data), 8);
    if (c.dtype(idx) != DType::UInt32 && c.dtype(idx) != DType::UInt16)
      c.fail(P::dst_idx, "dst_idx must be uint32 or uint16, not " + dt_name(c.dtype(idx)));
  }
  c.emit(Opcode::NcMatchReplace8, {dst, data, vals, idx}).f0 = imm.as_float();
}

// select_reduce(dst, predicate, on_true, on_false, reduce_res=None, reduce_cmd=reduce_cmd.idle,
//               reduce_op=nl.maximum, reverse_pred=False, name=None)
// clang-format off
#define SELECT_REDUCE_PARAMS(X)                                                                                    \
  X(dst, kRequired)                                                                                                \
  X(predicate, kRequired)                                                                                          \
  X(on_true, kRequired)                                                                                            \
  X(on_false, kRequired) X(reduce_res, kNone) X(reduce_cmd, e.reduce_idle) X(reduce_op, Value::op(AluOp::Maximum)) \
      X(reverse_pred, Value::boolean(false)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(SelectReduceParam, SELECT_REDUCE_PARAMS);

void select_reduce(Ctx& c) {
  using P = SelectReduceParam;
  TensorObj *dst = c.tensor(P::dst), *pred = c.tensor(P::predicate), *on_true = c.tensor(P::on_true);
  c.two_inputs(P::dst, dst, P::on_true, on_true, P::predicate, pred);
  DType pd = c.dtype(pred);
  if (pd != DType::Int8 && pd != DType::UInt8 && pd != DType::Int16 && pd != DType::UInt16)
    c.fail(P::predicate, "predicate must be int8, uint8, int16 or uint16, not " + dt_name(pd));
  DType td = c.dtype(on_true);
  if (td == DType::TFloat32 || td == DType::Int32 || td == DType::UInt32)
    c.fail(P::on_true, "on_true cannot be " + dt_name(td));
  double f = 0;
  TensorObj* of = c.scalar_or_column(P::on_false, c.parts(on_true), &f);
  if (of && c.dtype(of) != DType::Float32) c.fail(P::on_false, "on_false must be a float32 (P, 1) tile or a number");
  TensorObj* rr = reduce_res(c, P::reduce_res, c.parts(on_true));
  ReduceCmd cmd = reduce_cmd(c, P::reduce_cmd, false);
  max_only(c, P::reduce_op);
  bool rev = c.boolean(P::reverse_pred);
  Instruction& ins = c.emit(Opcode::SelectReduce, {dst, pred, on_true, of, rr});
  ins.alu = AluOp::Maximum;
  set_reduce_cmd(ins, cmd);
  ins.f0 = f;
  ins.flags = rev ? kRevPred : 0;
}

// range_select(dst, on_true_tile, comp_op0, comp_op1, bound0, bound1, reduce_cmd=reduce_cmd.reset_reduce,
//              reduce_res=None, reduce_op=nl.maximum, range_start=0, on_false_value=-3.4028235e+38, name=None)
// clang-format off
#define RANGE_SELECT_PARAMS(X)                                                                          \
  X(dst, kRequired)                                                                                     \
  X(on_true_tile, kRequired)                                                                            \
  X(comp_op0, kRequired)                                                                                \
  X(comp_op1, kRequired) X(bound0, kRequired) X(bound1, kRequired) X(reduce_cmd, e.reduce_reset_reduce) \
      X(reduce_res, kNone) X(reduce_op, Value::op(AluOp::Maximum)) X(range_start, Value::integer(0))    \
          X(on_false_value, Value::real(-3.4028235e+38)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(RangeSelectParam, RANGE_SELECT_PARAMS);

void range_select(Ctx& c) {
  using P = RangeSelectParam;
  if (c.tgt().nc_version < 3)
    c.fail(P::dst, "range_select needs NeuronCore-v3 or later (target is NeuronCore-v" +
                       std::to_string(c.tgt().nc_version) + ")");
  TensorObj *dst = c.tensor(P::dst), *on_true = c.tensor(P::on_true_tile);
  c.one_input(P::dst, dst, P::on_true_tile, on_true);
  c.float_dtype(P::on_true_tile, on_true);
  int64_t np = c.parts(on_true);
  AluOp op0 = c.op(P::comp_op0, kBinary, "a comparison operator"),
        op1 = c.op(P::comp_op1, kBinary, "a comparison operator");
  if (!is_cmp(op0))
    c.fail(P::comp_op0, "comp_op0 must be nl.equal, nl.less, nl.less_equal, nl.greater or nl.greater_equal");
  if (!is_cmp(op1))
    c.fail(P::comp_op1, "comp_op1 must be nl.equal, nl.less, nl.less_equal, nl.greater or nl.greater_equal");
  TensorObj *b0 = c.tensor(P::bound0), *b1 = c.tensor(P::bound1);
  c.column(P::bound0, b0, np);
  c.column(P::bound1, b1, np);
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::bound0, b0}, {P::bound1, b1}})
    if (c.dtype(t) != DType::Float32)
      c.fail(i, c.pname(i) + " must be a float32 (P, 1) tile, not " + dt_name(c.dtype(t)));
  ReduceCmd cmd = reduce_cmd(c, P::reduce_cmd, false);
  TensorObj* rr = reduce_res(c, P::reduce_res, np);
  max_only(c, P::reduce_op);
  int64_t start = c.int32_arg(P::range_start);
  if (start < 0 || start + c.elems(on_true) > (int64_t{1} << 24))
    c.fail(P::range_start, "range_start + free index must stay in [0, 2^24) (the index is compared in fp32)");
  const Value& off = c.v[P::on_false_value];
  if (!off.is_number() || static_cast<float>(off.as_float()) != -3.4028235e+38f)
    c.fail(P::on_false_value, "on_false_value must be the fp32 minimum -3.4028235e+38 (a hardware constraint)");
  Instruction& ins = c.emit(Opcode::RangeSelect, {dst, on_true, b0, b1, rr});
  ins.alu = op0;
  ins.alu1 = op1;
  set_reduce_cmd(ins, cmd);
  ins.f0 = -3.4028234663852886e+38;
  ins.f1 = static_cast<double>(start);
}

// tensor_scalar_reduce(dst, data, op0, operand0, reduce_op, reduce_res=None, reverse0=False,
//                      reduce_cmd=reduce_cmd.reset_reduce, reduce_init=None, reduce_res_negate=False, name=None)
// reduce_cmd and reduce_init (NKI 0.4.0) drive the VectorE accumulator; reduce_res=None (the partial
// result stays in the accumulator) and reduce_res_negate are NKI 0.6.0.
// clang-format off
#define TENSOR_SCALAR_REDUCE_PARAMS(X)                                                                   \
  X(dst, kRequired)                                                                                      \
  X(data, kRequired)                                                                                     \
  X(op0, kRequired)                                                                                      \
  X(operand0, kRequired) X(reduce_op, kRequired) X(reduce_res, kNone) X(reverse0, Value::boolean(false)) \
      X(reduce_cmd, e.reduce_reset_reduce) X(reduce_init, kNone) X(reduce_res_negate, Value::boolean(false)) \
      X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(TensorScalarReduceParam, TENSOR_SCALAR_REDUCE_PARAMS);

void tensor_scalar_reduce(Ctx& c) {
  using P = TensorScalarReduceParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.one_input(P::dst, dst, P::data, data);
  int64_t np = c.parts(data);
  // NKI 0.4.0: op0 may also be nl.square / nl.relu (unary) on NeuronCore-v4.
  bool act0 = c.v[P::op0].k == VK::Op && (c.v[P::op0].as_op() == AluOp::Square || c.v[P::op0].as_op() == AluOp::Relu);
  if (act0) c.needs_nc(P::op0, 4, kTrn3Hint, " for an activation op0");
  AluOp op0 = act0 ? c.v[P::op0].as_op() : c.op(P::op0, kBinary | kUnary, "an arithmetic ALU operator");
  if (is_bitvec(op0)) c.fail(P::op0, "tensor_scalar_reduce takes an arithmetic operator");
  double s = 0;
  TensorObj* t0 = c.scalar_or_column(P::operand0, np, &s);
  if (t0 && c.dtype(t0) != DType::Float32) c.fail(P::operand0, "operand0 must be a float32 (P, 1) tile or a number");
  AluOp rop = c.op(P::reduce_op, kReduce, "a reduction operator");
  if (!accumulating_op(rop))
    c.fail(P::reduce_op, "reduce_op must be nl.add, nl.subtract, nl.multiply, nl.maximum or nl.minimum");
  TensorObj* rr = c.opt_tensor(P::reduce_res);
  if (rr) c.column(P::reduce_res, rr, np);
  // Before 0.6.0 reduce_res was required (the 0.7.0 default None keeps the result in the accumulator).
  if (!rr && c.in.launch.release && *c.in.launch.release < Release::V0_6)
    c.fail(P::reduce_res,
           "reduce_res is required in NKI " + std::string(name_of(*c.in.launch.release)) +
               " (reduce_res=None was added in NKI 0.6.0)",
           "select NKI 0.6.0 or later (NKIC_NKI_RELEASE, nkic --nki), or pass a (P, 1) reduce_res tile");
  bool negate = c.boolean(P::reduce_res_negate);
  if (negate) {
    c.since(P::reduce_res_negate, Release::V0_6);
    if (!rr)
      c.fail(P::reduce_res_negate,
             "reduce_res_negate=True needs a reduce_res tile (it negates the copy written there)");
  }
  if (c.boolean(P::reverse0))
    c.fail(P::reverse0, "reverse0=True is not supported by tensor_scalar_reduce in NKI 0.3.0");
  auto cmd = c.member<ReduceCmd>(P::reduce_cmd);
  if (cmd != ReduceCmd::ResetReduce) c.since(P::reduce_cmd, Release::V0_4);
  if (cmd != ReduceCmd::ResetReduce && cmd != ReduceCmd::Reduce && cmd != ReduceCmd::LoadReduce)
    c.fail(P::reduce_cmd, "reduce_cmd must be reset_reduce, reduce or load_reduce");
  double init = 0;
  TensorObj* ti = nullptr;
  if (c.given(P::reduce_init)) {
    c.since(P::reduce_init, Release::V0_4);
    if (cmd != ReduceCmd::LoadReduce) c.fail(P::reduce_init, "reduce_init needs reduce_cmd=reduce_cmd.load_reduce");
    ti = c.scalar_or_column(P::reduce_init, np, &init);
    if (ti && c.dtype(ti) != DType::Float32)
      c.fail(P::reduce_init, "reduce_init must be a float32 (P, 1) tile or a number");
  } else if (cmd == ReduceCmd::LoadReduce) {
    c.fail(P::reduce_cmd, "reduce_cmd.load_reduce needs reduce_init");
  }
  Instruction& ins = c.emit(Opcode::TensorScalarReduce, {dst, data, t0, rr, ti});
  ins.alu = op0;
  ins.alu1 = rop;
  ins.f0 = s;
  ins.f1 = init;
  if (negate) ins.flags |= kNegate;
  set_reduce_cmd(ins, cmd);
}

// tensor_scalar_cumulative(dst, src, op0, op1, imm0, imm1=None, reduce_cmd=reduce_cmd.reset_reduce, name=None)
// clang-format off
#define TENSOR_SCALAR_CUMULATIVE_PARAMS(X) \
  X(dst, kRequired)                        \
  X(src, kRequired)                        \
  X(op0, kRequired)                        \
  X(op1, kRequired) X(imm0, kRequired) X(imm1, kNone) X(reduce_cmd, e.reduce_reset_reduce) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(TensorScalarCumulativeParam, TENSOR_SCALAR_CUMULATIVE_PARAMS);

void tensor_scalar_cumulative(Ctx& c) {
  using P = TensorScalarCumulativeParam;
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src);
  c.one_input(P::dst, dst, P::src, src);
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::dst, dst}, {P::src, src}}) {
    DType d = c.dtype(t);
    if (d == DType::Int32 || d == DType::UInt32 || d == DType::TFloat32 || d == DType::Bool || is_packed(d))
      c.fail(i, c.pname(i) + " cannot be " + dt_name(d) +
                    " (supported: bfloat16, float16, float32, fp8, uint8, uint16, int8, int16)");
  }
  int64_t np = c.parts(src);
  AluOp op0 = c.op(P::op0, kBinary | kUnary, "an arithmetic ALU operator");
  if (is_bitvec(op0)) c.fail(P::op0, "op0 must be an arithmetic operator");
  AluOp op1 = c.op(P::op1, kBinary, "a reduction operator");
  if (!accumulating_op(op1)) c.fail(P::op1, "op1 must be nl.add, nl.subtract, nl.multiply, nl.maximum or nl.minimum");
  double s0 = 0, s1 = 0;
  TensorObj* t0 = c.scalar_or_column(P::imm0, np, &s0);
  TensorObj* t1 = c.given(P::imm1) ? c.scalar_or_column(P::imm1, np, &s1) : nullptr;
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::imm0, t0}, {P::imm1, t1}})
    if (t && c.dtype(t) != DType::Float32) c.fail(i, c.pname(i) + " must be a float32 (P, 1) tile or a number");
  ReduceCmd cmd = reduce_cmd(c, P::reduce_cmd, true);
  if (!reduces(cmd) && cmd != ReduceCmd::LoadReduce)
    c.fail(P::reduce_cmd, "reduce_cmd must be reduce_cmd.reset_reduce, reduce_cmd.reduce or reduce_cmd.load_reduce");
  if (cmd == ReduceCmd::LoadReduce && !c.given(P::imm1))
    c.fail(P::imm1, "imm1 is required with reduce_cmd.load_reduce (the initial value)");
  Instruction& ins = c.emit(Opcode::TensorScalarCumulative, {dst, src, t0, t1});
  ins.alu = op0;
  ins.alu1 = op1;
  ins.f0 = s0;
  ins.f1 = s1;
  set_reduce_cmd(ins, cmd);
}

// nc_stream_shuffle(dst, src, shuffle_mask, name=None)
#define NC_STREAM_SHUFFLE_PARAMS(X) X(dst, kRequired) X(src, kRequired) X(shuffle_mask, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(NcStreamShuffleParam, NC_STREAM_SHUFFLE_PARAMS);

void nc_stream_shuffle(Ctx& c) {
  using P = NcStreamShuffleParam;
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src);
  c.on_chip(P::dst, dst);
  c.on_chip(P::src, src);
  if (c.dtype(dst) != c.dtype(src))
    c.fail(P::dst, "dst dtype " + dt_name(c.dtype(dst)) + " must equal src dtype " + dt_name(c.dtype(src)));
  if (c.elems(dst) != c.elems(src))
    c.fail(P::dst,
           "dst " + shape_str(*dst) + " and src " + shape_str(*src) + " must have the same elements per partition");
  const Value& sm = c.v[P::shuffle_mask];
  if (sm.k != VK::List && sm.k != VK::Tuple) c.fail(P::shuffle_mask, "shuffle_mask must be a list of 32 integers");
  const auto& items = sm.as<SeqObj>()->items;
  if (items.size() != 32)
    c.fail(P::shuffle_mask, "shuffle_mask must have 32 entries, not " + std::to_string(items.size()));
  std::vector<int64_t> mask;
  int64_t sp = c.parts(src), dp = c.parts(dst);
  for (auto& it : items) {
    if (!it.is_int()) c.fail(P::shuffle_mask, "shuffle_mask entries must be integers");
    int64_t x = it.as_int();
    if (x != 255 && (x < 0 || x > 31))
      c.fail(P::shuffle_mask, "shuffle_mask entries must be in [0, 31] or 255 (keep), not " + std::to_string(x));
    mask.push_back(x);
  }
  // Every active destination partition must read a source partition that exists.
  for (int64_t p = 0; p < dp; ++p) {
    int64_t m2 = mask[p % 32];
    if (m2 != 255 && (p / 32) * 32 + m2 >= sp)
      c.fail(P::shuffle_mask, "shuffle_mask[" + std::to_string(p % 32) + "] = " + std::to_string(m2) +
                                  " selects src partition " + std::to_string((p / 32) * 32 + m2) + ", but src has " +
                                  std::to_string(sp) + " partitions");
  }
  c.in.program.set_ints(c.emit(Opcode::NcStreamShuffle, {dst, src}), mask);
}

// local_gather(dst, src_buffer, index, num_elem_per_idx=1, num_valid_indices=None, name=None)
// clang-format off
#define LOCAL_GATHER_PARAMS(X) \
  X(dst, kRequired)            \
  X(src_buffer, kRequired)     \
  X(index, kRequired) X(num_elem_per_idx, Value::integer(1)) X(num_valid_indices, kNone) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(LocalGatherParam, LOCAL_GATHER_PARAMS);

void local_gather(Ctx& c) {
  using P = LocalGatherParam;
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src_buffer), *idx = c.tensor(P::index);
  c.sbuf_only(P::dst, dst);
  c.sbuf_only(P::src_buffer, src);
  c.sbuf_only(P::index, idx);
  int64_t np = c.parts(src);
  if (c.parts(idx) != np)
    c.fail(P::index, "index partition count " + std::to_string(c.parts(idx)) + " must equal src_buffer's (" +
                         std::to_string(np) + ")");
  if (np % 16 != 0)
    c.fail(P::src_buffer, "src_buffer partition count " + std::to_string(np) +
                              " must be a multiple of 16 (one GpSimd core owns 16 partitions)");
  if (c.parts(dst) != np) c.fail(P::dst, "dst partition count must equal src_buffer's (" + std::to_string(np) + ")");
  if (c.dtype(idx) != DType::UInt16) c.fail(P::index, "index must be uint16, not " + dt_name(c.dtype(idx)));
  if (c.dtype(dst) != c.dtype(src))
    c.fail(P::dst, "dst dtype " + dt_name(c.dtype(dst)) + " must equal src_buffer dtype " + dt_name(c.dtype(src)) +
                       " (no cast)");
  int64_t E = c.integer(P::num_elem_per_idx);
  if (E != 1 && E != 2 && E != 4 && E != 8 && E != 16 && E != 32)
    c.fail(P::num_elem_per_idx, "num_elem_per_idx must be 1, 2, 4, 8, 16 or 32, not " + std::to_string(E));
  int64_t total = 16 * c.elems(idx);
  int64_t nv = c.given(P::num_valid_indices) ? c.integer(P::num_valid_indices) : total;
  if (nv <= 0 || nv > total)
    c.fail(P::num_valid_indices,
           "num_valid_indices must be in [1, " + std::to_string(total) + "] (16 x index elements per partition)");
  if (nv > 4096) c.fail(P::num_valid_indices, "at most 4096 indices per GpSimd core, not " + std::to_string(nv));
  if (c.elems(dst) != nv * E)
    c.fail(P::dst, "dst " + shape_str(*dst) + " must have num_valid_indices x num_elem_per_idx = " +
                       std::to_string(nv * E) + " elements per partition");
  Instruction& ins = c.emit(Opcode::LocalGather, {dst, src, idx});
  ins.i0 = static_cast<int32_t>(E);
  c.in.program.set_ints(ins, {nv});
}

// nc_n_gather(dst, data, indices, name=None)
#define NC_N_GATHER_PARAMS(X) X(dst, kRequired) X(data, kRequired) X(indices, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(NcNGatherParam, NC_N_GATHER_PARAMS);

void nc_n_gather(Ctx& c) {
  using P = NcNGatherParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data), *idx = c.tensor(P::indices);
  c.sbuf_only(P::dst, dst);
  c.sbuf_only(P::data, data);
  c.sbuf_only(P::indices, idx);
  if (c.dtype(idx) != DType::UInt32) c.fail(P::indices, "indices must be uint32, not " + dt_name(c.dtype(idx)));
  if (c.dtype(dst) != c.dtype(data))
    c.fail(P::dst, "dst dtype " + dt_name(c.dtype(dst)) + " must equal data dtype " + dt_name(c.dtype(data)));
  if (c.parts(idx) != c.parts(data) || c.parts(dst) != c.parts(data))
    c.fail(P::indices, "data, indices and dst must have the same partition count");
  if (c.elems(dst) != c.elems(idx))
    c.fail(P::dst,
           "dst " + shape_str(*dst) + " must have as many elements per partition as indices " + shape_str(*idx));
  c.emit(Opcode::NcNGather, {dst, data, idx});
}

}  // namespace

void add_isa_vector_select(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(
      m, {
             {"bn_stats", NKIC_SIGNATURE(BN_STATS_PARAMS), bn_stats},
             {"bn_aggr", NKIC_SIGNATURE(BN_AGGR_PARAMS), bn_aggr},
             {"max8", NKIC_SIGNATURE(MAX8_PARAMS), max8},
             {"nc_find_index8", NKIC_SIGNATURE(NC_FIND_INDEX8_PARAMS), nc_find_index8},
             {"nc_match_replace8", NKIC_SIGNATURE(NC_MATCH_REPLACE8_PARAMS), nc_match_replace8},
             {"select_reduce", NKIC_SIGNATURE(SELECT_REDUCE_PARAMS), select_reduce},
             {"range_select", NKIC_SIGNATURE(RANGE_SELECT_PARAMS), range_select},
             {"tensor_scalar_reduce", NKIC_SIGNATURE(TENSOR_SCALAR_REDUCE_PARAMS), tensor_scalar_reduce},
             {"tensor_scalar_cumulative", NKIC_SIGNATURE(TENSOR_SCALAR_CUMULATIVE_PARAMS), tensor_scalar_cumulative},
             {"nc_stream_shuffle", NKIC_SIGNATURE(NC_STREAM_SHUFFLE_PARAMS), nc_stream_shuffle},
             {"local_gather", NKIC_SIGNATURE(LOCAL_GATHER_PARAMS), local_gather},
             {"nc_n_gather", NKIC_SIGNATURE(NC_N_GATHER_PARAMS), nc_n_gather},
         });
}

}  // namespace nkic::trace
