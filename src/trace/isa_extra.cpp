// nki.isa instructions added late in the 0.3.0 ISA: VectorE `exponential` (NeuronCore-v4) and the GpSimd
// scans `sequence_bounds` and `nonzero_with_count` (NeuronCore-v3+).
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

bool in_list(DType t, std::initializer_list<DType> l) {
  for (DType x : l)
    if (x == t) return true;
  return false;
}

std::string list_names(std::initializer_list<DType> l) {
  std::string s;
  for (DType x : l) s += (s.empty() ? "" : ", ") + dt_name(x);
  return s;
}

// exponential(dst, src, max_value=0.0, reduce_res=None, reduce_cmd=reduce_cmd.idle, reduce_init=0.0, name=None)
#define EXPONENTIAL_PARAMS(X)    \
  X(dst, kRequired)              \
  X(src, kRequired)              \
  X(max_value, Value::real(0.0)) \
  X(reduce_res, kNone) X(reduce_cmd, e.reduce_idle) X(reduce_init, Value::real(0.0)) X(name, kNone)
NKIC_PARAM_POSITIONS(ExponentialParam, EXPONENTIAL_PARAMS);

void exponential(Ctx& c) {
  using P = ExponentialParam;
  c.needs_nc(P::dst, 4, kTrn3Hint);
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src);
  c.one_input(P::dst, dst, P::src, src);
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::dst, dst}, {P::src, src}})
    if (t->ap.dims.size() > 4) c.fail(i, c.pname(i) + " " + shape_str(*t) + " has more than 4 dimensions");
  static const std::initializer_list<DType> dst_ok = {
      DType::Float8E4M3, DType::Float8E5M2, DType::Float16, DType::BFloat16, DType::Float32, DType::TFloat32,
      DType::Int8,       DType::Int16,      DType::Int32,   DType::UInt8,    DType::UInt16};
  static const std::initializer_list<DType> src_ok = {
      DType::Float8E4M3, DType::Float8E5M2, DType::Float16, DType::BFloat16, DType::Float32, DType::Int8,
      DType::Int16,      DType::Int32,      DType::UInt8,   DType::UInt16,   DType::UInt32};
  if (!in_list(c.dtype(dst), dst_ok))
    c.fail(P::dst, "dst cannot be " + dt_name(c.dtype(dst)) + " (supported: " + list_names(dst_ok) + ")");
  if (!in_list(c.dtype(src), src_ok))
    c.fail(P::src, "src cannot be " + dt_name(c.dtype(src)) + " (supported: " + list_names(src_ok) + ")");
  int64_t np = c.parts(src);
  double mv = 0;
  TensorObj* mt = c.scalar_or_column(P::max_value, np, &mv);
  if (mt && c.dtype(mt) != DType::Float32)
    c.fail(P::max_value, "max_value must be a number or a float32 (P, 1) tile, not " + dt_name(c.dtype(mt)));
  TensorObj* rr = c.opt_tensor(P::reduce_res);
  if (rr) {
    c.column(P::reduce_res, rr, np);
    static const std::initializer_list<DType> rr_ok = {DType::Float8E4M3, DType::Float8E5M2, DType::Float16,
                                                       DType::BFloat16,   DType::Float32,    DType::TFloat32};
    if (!in_list(c.dtype(rr), rr_ok))
      c.fail(P::reduce_res, "reduce_res cannot be " + dt_name(c.dtype(rr)) + " (supported: " + list_names(rr_ok) + ")");
  }
  ReduceCmd cmd = c.member<ReduceCmd>(P::reduce_cmd);
  if (cmd == ReduceCmd::Reset)
    c.fail(P::reduce_cmd,
           "reduce_cmd.reset is not supported by exponential (use idle, reset_reduce, reduce or load_reduce)");
  const Value& init_arg = c.v[P::reduce_init];
  if (!init_arg.is_number())
    c.fail(P::reduce_init,
           "reduce_init must be a compile-time number, not '" + std::string(type_name(init_arg.k)) + "'");
  double init = init_arg.as_float();
  if (cmd != ReduceCmd::LoadReduce && init != 0.0)
    c.fail(P::reduce_init, "reduce_init must be 0.0 unless reduce_cmd is reduce_cmd.load_reduce");
  Instruction& ins = c.emit(Opcode::Exponential, {dst, src, mt, rr});
  ins.f0 = mv;
  ins.f1 = init;
  set_reduce_cmd(ins, cmd);
}

// sequence_bounds(dst, segment_ids, name=None)
#define SEQUENCE_BOUNDS_PARAMS(X) X(dst, kRequired) X(segment_ids, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(SequenceBoundsParam, SEQUENCE_BOUNDS_PARAMS);

void sequence_bounds(Ctx& c) {
  using P = SequenceBoundsParam;
  TensorObj *dst = c.tensor(P::dst), *ids = c.tensor(P::segment_ids);
  c.sbuf_only(P::dst, dst);
  c.sbuf_only(P::segment_ids, ids);
  if (c.parts(ids) != 1)
    c.fail(P::segment_ids, "segment_ids " + shape_str(*ids) + " must have a partition dimension of 1");
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::dst, dst}, {P::segment_ids, ids}})
    if (c.dtype(t) != DType::Float32 && c.dtype(t) != DType::Int32)
      c.fail(i, c.pname(i) + " must be float32 or int32, not " + dt_name(c.dtype(t)));
  int64_t n = c.elems(ids);
  if (c.parts(dst) != 1 || c.elems(dst) != 2 * n)
    c.fail(P::dst, "dst " + shape_str(*dst) + " must be (1, 2, " + std::to_string(n) +
                       ") (a start and an end index for each of the " + std::to_string(n) + " segment ids)");
  c.emit(Opcode::SequenceBounds, {dst, ids});
}

// nonzero_with_count(dst, src, index_offset=0, padding_val=-1, name=None)
#define NONZERO_WITH_COUNT_PARAMS(X) \
  X(dst, kRequired)                  \
  X(src, kRequired) X(index_offset, Value::integer(0)) X(padding_val, Value::integer(-1)) X(name, kNone)
NKIC_PARAM_POSITIONS(NonzeroWithCountParam, NONZERO_WITH_COUNT_PARAMS);

void nonzero_with_count(Ctx& c) {
  using P = NonzeroWithCountParam;
  c.needs_nc(P::dst, 3);
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src);
  c.sbuf_only(P::dst, dst);
  c.sbuf_only(P::src, src);
  if (c.dtype(src) != DType::Float32 && c.dtype(src) != DType::Int32)
    c.fail(P::src, "src must be float32 or int32, not " + dt_name(c.dtype(src)));
  if (c.dtype(dst) != DType::Int32) c.fail(P::dst, "dst must be int32, not " + dt_name(c.dtype(dst)));
  if (c.parts(dst) != c.parts(src))
    c.fail(P::dst, "dst partition count " + std::to_string(c.parts(dst)) + " must equal src's (" +
                       std::to_string(c.parts(src)) + ")");
  if (c.elems(dst) != c.elems(src) + 1)
    c.fail(P::dst, "dst " + shape_str(*dst) + " must have exactly one more element per partition than src " +
                       shape_str(*src) + " (the indices, then the count)");
  int64_t off = c.int32_arg(P::index_offset);
  int64_t pad = c.int32_arg(P::padding_val);
  if (c.elems(src) + off > INT32_MAX || off < INT32_MIN)
    c.fail(P::index_offset, "index_offset + index must stay within int32");
  Instruction& ins = c.emit(Opcode::NonzeroWithCount, {dst, src});
  ins.i0 = static_cast<int32_t>(off);
  ins.f0 = static_cast<double>(pad);
}

}  // namespace

void add_isa_extra(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(m, {
                          {"exponential", NKIC_SIGNATURE(EXPONENTIAL_PARAMS), exponential},
                          {"sequence_bounds", NKIC_SIGNATURE(SEQUENCE_BOUNDS_PARAMS), sequence_bounds},
                          {"nonzero_with_count", NKIC_SIGNATURE(NONZERO_WITH_COUNT_PARAMS), nonzero_with_count},
                      });
}

}  // namespace nkic::trace
