// nki.isa GpSimdE instructions (SBUF only): iota, affine_select, tensor_partition_reduce.
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

// pattern = [[step, num], ...] (at most 4 pairs): returns offset, multiplier, then the pairs.
std::vector<int64_t> affine_pattern(Ctx& c, size_t pi, int64_t offset, int64_t mult, const TensorObj* dst) {
  std::vector<int64_t> out = {offset, mult};
  if (c.v[pi].k != VK::List && c.v[pi].k != VK::Tuple) c.fail(pi, "pattern must be a list of [step, num] pairs");
  const auto& items = c.v[pi].as<SeqObj>()->items;
  if (items.empty() || items.size() > 4) c.fail(pi, "pattern must have 1 to 4 [step, num] pairs");
  int64_t n = 1;
  for (auto& it : items) {
    std::vector<int64_t> pr;
    if (it.k == VK::List || it.k == VK::Tuple)
      for (auto& x : it.as<SeqObj>()->items) {
        if (!x.is_int()) c.fail(pi, "pattern entries must be [step, num] pairs of integers");
        pr.push_back(c.int32_imm(pi, x.as_int(), "pattern entry"));
      }
    if (pr.size() != 2 || pr[1] <= 0) c.fail(pi, "each pattern entry must be [step, num] with num > 0");
    out.push_back(pr[0]);
    out.push_back(pr[1]);
    n *= pr[1];
  }
  if (n != c.elems(dst))
    c.fail(pi, "pattern covers " + std::to_string(n) + " elements per partition but dst " + shape_str(*dst) + " has " +
                   std::to_string(c.elems(dst)));
  return out;
}

// iota(dst, pattern, offset=0, channel_multiplier=0, name=None)
// clang-format off
#define IOTA_PARAMS(X) \
  X(dst, kRequired)    \
  X(pattern, kRequired) X(offset, Value::integer(0)) X(channel_multiplier, Value::integer(0)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(IotaParam, IOTA_PARAMS);

void iota(Ctx& c) {
  using P = IotaParam;
  TensorObj* dst = c.tensor(P::dst);
  c.sbuf_only(P::dst, dst);
  int64_t off = c.int32_arg(P::offset);
  int64_t mult = c.int32_arg(P::channel_multiplier);
  std::vector<int64_t> pattern = affine_pattern(c, P::pattern, off, mult, dst);
  c.in.program.set_ints(c.emit(Opcode::Iota, {dst}), pattern);
}

// affine_select(dst, pattern, channel_multiplier, on_true_tile, on_false_value, cmp_op=nl.equal, offset=0, name=None)
// clang-format off
#define AFFINE_SELECT_PARAMS(X)                                                              \
  X(dst, kRequired)                                                                          \
  X(pattern, kRequired)                                                                      \
  X(channel_multiplier, kRequired)                                                           \
  X(on_true_tile, kRequired) X(on_false_value, kRequired) X(cmp_op, Value::op(AluOp::Equal)) \
      X(offset, Value::integer(0)) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(AffineSelectParam, AFFINE_SELECT_PARAMS);

void affine_select(Ctx& c) {
  using P = AffineSelectParam;
  TensorObj *dst = c.tensor(P::dst), *t = c.tensor(P::on_true_tile);
  c.sbuf_only(P::dst, dst);
  c.sbuf_only(P::on_true_tile, t);
  c.same_tile(P::dst, dst, P::on_true_tile, t);
  int64_t mult = c.int32_arg(P::channel_multiplier);
  if (!c.v[P::on_false_value].is_number()) c.fail(P::on_false_value, "on_false_value must be a number");
  c.scalar_imm(P::on_false_value);
  AluOp op = c.op(P::cmp_op, kBinary, "a comparison operator");
  if (op != AluOp::Equal && op != AluOp::NotEqual && op != AluOp::Greater && op != AluOp::GreaterEqual &&
      op != AluOp::Less && op != AluOp::LessEqual)
    c.fail(
        P::cmp_op,
        "cmp_op must be a comparison (nl.equal, nl.not_equal, nl.greater, nl.greater_equal, nl.less, nl.less_equal)");
  int64_t off = c.int32_arg(P::offset);
  Instruction& ins = c.emit(Opcode::AffineSelect, {dst, t});
  c.in.program.set_ints(ins, affine_pattern(c, P::pattern, off, mult, dst));
  ins.alu = op;
  ins.f0 = c.v[P::on_false_value].as_float();
}

// tensor_partition_reduce(dst, op, data, name=None)
#define TENSOR_PARTITION_REDUCE_PARAMS(X) X(dst, kRequired) X(op, kRequired) X(data, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(TensorPartitionReduceParam, TENSOR_PARTITION_REDUCE_PARAMS);

void tensor_partition_reduce(Ctx& c) {
  using P = TensorPartitionReduceParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.sbuf_only(P::dst, dst);
  c.sbuf_only(P::data, data);
  AluOp op = c.op(P::op, kReduce, "a reduction operator");
  if (op != AluOp::Add && op != AluOp::Maximum && op != AluOp::BitwiseOr && op != AluOp::BitwiseAnd)
    c.fail(P::op, "op must be nl.add, nl.maximum, nl.bitwise_or or nl.bitwise_and");
  if (is_bitvec(op) && (is_float(c.dtype(dst)) || is_float(c.dtype(data))))
    c.fail(P::op, "bitvec operators need integer tiles");
  if (c.parts(dst) != 1 || c.elems(dst) != c.elems(data))
    c.fail(P::dst, "dst " + shape_str(*dst) + " must have 1 partition and " + std::to_string(c.elems(data)) +
                       " elements (data " + shape_str(*data) + " reduced over its partitions)");
  c.emit(Opcode::TensorPartitionReduce, {dst, data}).alu = op;
}

}  // namespace

void add_isa_gpsimd(ModuleObj& m, const IsaEnums&) {
  add_isa_builtins(
      m, {
             {"iota", NKIC_SIGNATURE(IOTA_PARAMS), iota},
             {"affine_select", NKIC_SIGNATURE(AFFINE_SELECT_PARAMS), affine_select},
             {"tensor_partition_reduce", NKIC_SIGNATURE(TENSOR_PARTITION_REDUCE_PARAMS), tensor_partition_reduce},
         });
}

}  // namespace nkic::trace
