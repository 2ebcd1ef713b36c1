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

}  // namespace

void add_isa_gpsimd(ModuleObj& m, const IsaEnums&) {
  m.ns["iota"] = isa_builtin(
      "iota",
      {{"dst", true}, {"pattern", true}, {"offset", false, Value::integer(0)}, {"channel_multiplier", false, Value::integer(0)},
       {"name", false}},
      [](Ctx& c) {
        TensorObj* dst = c.tensor(0);
        c.sbuf_only(0, dst);
        int64_t off = c.int32_imm(2, expect_int(c.in, c.v[2], c.span(2), "iota offset"), "offset");
        int64_t mult = c.int32_imm(3, expect_int(c.in, c.v[3], c.span(3), "iota channel_multiplier"), "channel_multiplier");
        std::vector<int64_t> pattern = affine_pattern(c, 1, off, mult, dst);
        c.in.program.set_ints(c.emit(Opcode::Iota, {dst}), pattern);
      });

  m.ns["affine_select"] = isa_builtin(
      "affine_select",
      {{"dst", true}, {"pattern", true}, {"channel_multiplier", true}, {"on_true_tile", true}, {"on_false_value", true},
       {"cmp_op", false, Value::op(AluOp::Equal)}, {"offset", false, Value::integer(0)}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *t = c.tensor(3);
        c.sbuf_only(0, dst);
        c.sbuf_only(3, t);
        c.same_tile(0, dst, 3, t);
        int64_t mult = c.int32_imm(2, expect_int(c.in, c.v[2], c.span(2), "affine_select channel_multiplier"), "channel_multiplier");
        if (!c.v[4].is_number()) c.fail(4, "on_false_value must be a number");
        c.scalar_imm(4);
        AluOp op = c.op(5, kBinary, "a comparison operator");
        if (op != AluOp::Equal && op != AluOp::NotEqual && op != AluOp::Greater && op != AluOp::GreaterEqual &&
            op != AluOp::Less && op != AluOp::LessEqual)
          c.fail(5, "cmp_op must be a comparison (nl.equal, nl.not_equal, nl.greater, nl.greater_equal, nl.less, nl.less_equal)");
        int64_t off = c.int32_imm(6, expect_int(c.in, c.v[6], c.span(6), "affine_select offset"), "offset");
        Instruction& ins = c.emit(Opcode::AffineSelect, {dst, t});
        c.in.program.set_ints(ins, affine_pattern(c, 1, off, mult, dst));
        ins.alu = op;
        ins.f0 = c.v[4].as_float();
      });

  m.ns["tensor_partition_reduce"] = isa_builtin(
      "tensor_partition_reduce", {{"dst", true}, {"op", true}, {"data", true}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(2);
        c.sbuf_only(0, dst);
        c.sbuf_only(2, data);
        AluOp op = c.op(1, kReduce, "a reduction operator");
        if (op != AluOp::Add && op != AluOp::Maximum && op != AluOp::BitwiseOr && op != AluOp::BitwiseAnd)
          c.fail(1, "op must be nl.add, nl.maximum, nl.bitwise_or or nl.bitwise_and");
        if (is_bitvec(op) && (is_float(c.dtype(dst)) || is_float(c.dtype(data))))
          c.fail(1, "bitvec operators need integer tiles");
        if (c.parts(dst) != 1 || c.elems(dst) != c.elems(data))
          c.fail(0, "dst " + shape_str(*dst) + " must have 1 partition and " + std::to_string(c.elems(data)) +
                        " elements (data " + shape_str(*data) + " reduced over its partitions)");
        c.emit(Opcode::TensorPartitionReduce, {dst, data}).alu = op;
      });
}

}  // namespace nkic::trace
