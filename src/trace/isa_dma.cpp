// nki.isa DMA instructions: dma_copy, dma_transpose, dma_compute.
#include "trace/dynamic.h"
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {
void dma_operand(Ctx& c, size_t i, const TensorObj* t) {
  if (c.mem(t) == Mem::PSUM)
    c.fail(i, "DMA cannot access PSUM (" + c.pname(i) + " is in PSUM)", "copy PSUM to SBUF with nisa.tensor_copy first");
  if (c.mem(t) != Mem::HBM && c.parts(t) > c.tgt().partitions)
    c.fail(i, c.pname(i) + " partition dimension " + std::to_string(c.parts(t)) + " exceeds the maximum of " +
                  std::to_string(c.tgt().partitions));
}
// Operands with a vector_offset are transferred row by row: every operand has the index's row count
// as its leading dim and the same elements per row.
void check_rows(Ctx& c, std::initializer_list<std::pair<size_t, const TensorObj*>> ops) {
  const TensorObj* v = nullptr;
  for (auto& [i, t] : ops)
    if (t->dyn && t->dyn->kind == DynKind::Vector) v = t;
  if (!v) return;
  int64_t P = v->ap.dims[0].num, F = v->ap.free_elements();
  const AccessPattern& index = v->dyn->index;
  if (index.dims[0].num != P || index.dims[1].num != 1)
    c.fail(1, "vector_offset must be a [" + std::to_string(P) + ", 1] tile: one row index per partition of the view");
  for (auto& [i, t] : ops)
    if (t->ap.dims[0].num != P || t->ap.free_elements() != F)
      c.fail(i, c.pname(i) + " " + shape_str(*t) + " must have " + std::to_string(P) + " rows of " + std::to_string(F) +
                    " elements, like the vector_offset view " + shape_str(*v) + " (one transfer per row)");
  if (c.ps.size() > 3 && std::string(c.ps[3].name) == "dge_mode" && c.enum_value(3, "dge_mode") == 2)
    c.fail(3, "vector_offset (gather/scatter) needs software DGE: dge_mode must be swdge or unknown, not hwdge");
}

// The indirect gather-transpose: dst[F, R] = base[indices.T.flatten()[:R], :F].T (NCv3+, software DGE).
void gather_transpose_rules(Ctx& c, const TensorObj* dst, const TensorObj* src) {
  const AccessPattern& idx = src->dyn->index;
  int64_t R = src->ap.dims[0].num, Pi = idx.dims[0].num, C = idx.dims[1].num;
  if (src->ap.dims.size() != 2)
    c.fail(1, "the indirect gather-transpose supports a 2-D src in nkic, not " + std::to_string(src->ap.dims.size()) + "-D");
  if (size_of(c.dtype(src)) != 2) c.fail(1, "the indirect gather-transpose needs a 2-byte dtype");
  if (src->ap.dims[1].num > 128) c.fail(1, "the indirect gather-transpose needs src.shape[-1] <= 128");
  if (R % 16 != 0) c.fail(1, "the indirect gather-transpose needs src.shape[0] to be a multiple of 16, not " + std::to_string(R));
  if (idx.dtype != DType::UInt32) c.fail(1, "the gather-transpose indices must be uint32");
  if (Pi < 16 || Pi > 128 || Pi % 16 != 0 || (C > 1 && Pi != 128))
    c.fail(1, "the gather-transpose indices must have 16..128 partitions, a multiple of 16 (exactly 128 with more than "
              "one column), not " + std::to_string(Pi));
  if (c.enum_value(3, "dge_mode") == 2) c.fail(3, "the indirect gather-transpose needs software DGE, not hwdge");
  (void)dst;
}

int oob_skip(Ctx& c, size_t i) { return c.enum_value(i, "oob_mode") == 1 ? kOobSkip : 0; }

}  // namespace

void add_isa_dma(ModuleObj& m, const IsaEnums& e) {
  m.ns["dma_copy"] = isa_builtin(
      "dma_copy",
      {{"dst", true}, {"src", true}, {"oob_mode", false, e.oob_error}, {"dge_mode", false, e.dge_unknown},
       {"engine", false, e.engine_unknown}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.dma_tensor(0), *src = c.dma_tensor(1);
        dma_operand(c, 0, dst);
        dma_operand(c, 1, src);
        if (dst->ap.num_elements() != src->ap.num_elements())
          c.fail(1, "src " + shape_str(*src) + " has " + std::to_string(src->ap.num_elements()) + " elements but dst " +
                        shape_str(*dst) + " has " + std::to_string(dst->ap.num_elements()));
        check_rows(c, {{0, dst}, {1, src}});
        c.emit(Opcode::DmaCopy, {dst, src}).flags |= oob_skip(c, 2);
        record_dynamic_operand(c.in, 0, *dst);
        record_dynamic_operand(c.in, 1, *src);
      });

  m.ns["dma_transpose"] = isa_builtin(
      "dma_transpose",
      {{"dst", true}, {"src", true}, {"axes", false}, {"dge_mode", false, e.dge_unknown},
       {"oob_mode", false, e.oob_error}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *src = c.dma_tensor(1);
        if (src->dyn && src->dyn->kind == DynKind::Vector) gather_transpose_rules(c, dst, src);
        if (c.tgt().nc_version < 3)
          c.fail(1, "DMA transpose needs NeuronCore-v3 or newer (target " + std::string(c.tgt().name) + ")");
        if (c.mem(dst) != Mem::SBUF) c.fail(0, "dst must be in SBUF, but it is in " + std::string(name_of(c.mem(dst))));
        dma_operand(c, 0, dst);
        dma_operand(c, 1, src);
        if (c.dtype(dst) != c.dtype(src))
          c.fail(0, "dst dtype " + std::string(name_of(c.dtype(dst))) + " must equal src dtype " +
                        std::string(name_of(c.dtype(src))));
        size_t r = src->ap.dims.size();
        std::vector<int64_t> axes;
        if (r == 2) axes = {1, 0};
        else if (r == 3) axes = {2, 1, 0};
        else if (r == 4) axes = {3, 1, 2, 0};
        else c.fail(1, "src must be 2-, 3- or 4-dimensional, not " + std::to_string(r) + "-dimensional");
        if (c.given(2)) {
          std::vector<int64_t> got = expect_shape(c.in, c.v[2], c.span(2), "axes");
          if (got != axes) {
            std::string want;
            for (auto x : axes) want += (want.empty() ? "" : ", ") + std::to_string(x);
            c.fail(2, "axes for a " + std::to_string(r) + "-D src must be (" + want + ")");
          }
        }
        if (dst->ap.dims.size() != r) c.fail(0, "dst must have the same rank as src (" + std::to_string(r) + ")");
        for (size_t i = 0; i < r; ++i)
          if (dst->ap.dims[i].num != src->ap.dims[axes[i]].num)
            c.fail(0, "dst " + shape_str(*dst) + " must be src " + shape_str(*src) + " with its axes permuted");
        if (c.enum_value(3, "dge_mode") == 2) {  // hwdge
          auto s = src->shape();
          if (s[0] != 16 || s.back() % 128 != 0 || size_of(c.dtype(src)) != 2)
            c.fail(3, "dge_mode=hwdge needs src.shape[0] == 16, src.shape[-1] a multiple of 128 and a 2-byte dtype");
        }
        int skip = oob_skip(c, 4);
        Instruction& ins = c.emit(Opcode::DmaTranspose, {dst, src});
        c.in.program.set_ints(ins, axes);
        ins.flags |= skip;
        record_dynamic_operand(c.in, 1, *src);
      });

  m.ns["dma_compute"] = isa_builtin(
      "dma_compute",
      {{"dst", true}, {"srcs", true}, {"reduce_op", true}, {"scales", false}, {"unique_indices", false, Value::boolean(true)},
       {"name", false}},
      [](Ctx& c) {
        TensorObj* dst = c.dma_tensor(0);
        dma_operand(c, 0, dst);
        if (c.v[1].k != VK::List && c.v[1].k != VK::Tuple) c.fail(1, "srcs must be a list of tensors");
        const auto& items = c.v[1].as<SeqObj>()->items;
        if (items.empty() || items.size() > 16) c.fail(1, "srcs must hold 1 to 16 tensors, not " + std::to_string(items.size()));
        std::vector<const TensorObj*> srcs;
        for (auto& it : items) {
          TensorObj* t = expect_tensor(c.in, it, c.span(1), "dma_compute srcs element", true);
          dma_operand(c, 1, t);
          if (t->ap.num_elements() != dst->ap.num_elements())
            c.fail(1, "srcs element " + shape_str(*t) + " has a different element count than dst " + shape_str(*dst));
          srcs.push_back(t);
        }
        AluOp op = c.op(2, kReduce, "a reduction operator");
        if (op != AluOp::Add) c.fail(2, "reduce_op must be nl.add in NKI 0.3.0");
        if (c.given(3)) {
          if (c.v[3].k != VK::List && c.v[3].k != VK::Tuple) c.fail(3, "scales must be a list of numbers");
          const auto& sc = c.v[3].as<SeqObj>()->items;
          if (sc.size() != items.size()) c.fail(3, "scales must have one entry per src");
          for (auto& s : sc)
            if (!s.is_number() || s.as_float() != 1.0) c.fail(3, "every scale must be 1.0 in NKI 0.3.0");
        }
        c.boolean(4);
        bool vector = dst->dyn && dst->dyn->kind == DynKind::Vector;
        for (auto* t : srcs) vector |= t->dyn && t->dyn->kind == DynKind::Vector;
        if (vector) {
          if (srcs.size() != 2)
            c.fail(1, "dma_compute with a vector_offset (scatter-add / gather-add) takes exactly 2 srcs, not " +
                          std::to_string(srcs.size()));
          check_rows(c, {{0, dst}, {1, srcs[0]}, {1, srcs[1]}});
        }
        Instruction ins;
        ins.op = Opcode::DmaCompute;
        ins.engine = default_engine(ins.op);
        ins.alu = op;
        std::vector<APRef> ops{dst->ap};
        for (auto* t : srcs) ops.push_back(t->ap);
        ins.loc = c.in.loc_here(c.a.call_span);
        c.in.program.emit(ins, ops);
        record_dynamic_operand(c.in, 0, *dst);
        for (size_t k = 0; k < srcs.size(); ++k) record_dynamic_operand(c.in, static_cast<uint32_t>(1 + k), *srcs[k]);
      });
}

}  // namespace nkic::trace
