// nki.isa DMA instructions: dma_copy, dma_transpose, dma_compute.
#include "trace/dynamic.h"
#include "trace/isa_common.h"
#include "trace/scalars.h"

namespace nkic::trace {

namespace {

void dma_operand(Ctx& c, size_t i, const TensorObj* t) {
  if (c.mem(t) == Mem::PSUM)
    c.fail(i, "DMA cannot access PSUM (" + c.pname(i) + " is in PSUM)",
           "copy PSUM to SBUF with nisa.tensor_copy first");
  if (c.mem(t) != Mem::HBM && c.parts(t) > c.tgt().partitions)
    c.fail(i, c.pname(i) + " partition dimension " + std::to_string(c.parts(t)) + " exceeds the maximum of " +
                  std::to_string(c.tgt().partitions));
}

bool has_vector_offset(const TensorObj* t) { return t->dyn && t->dyn->kind == DynKind::Vector; }

// Operands with a vector_offset are transferred row by row: every operand has the index's row count
// as its leading dim and the same elements per row. A bad index tile is reported at argument `src`.
// Returns whether an operand has a vector_offset.
bool check_rows(Ctx& c, size_t src, std::initializer_list<std::pair<size_t, const TensorObj*>> ops) {
  const TensorObj* v = nullptr;
  for (auto& [i, t] : ops)
    if (has_vector_offset(t)) v = t;
  if (!v) return false;
  int64_t np = v->ap.dims[0].num, F = v->ap.free_elements();
  const AccessPattern& index = v->dyn->index;
  if (index.dims[0].num != np || index.dims[1].num != 1)
    c.fail(src,
           "vector_offset must be a [" + std::to_string(np) + ", 1] tile: one row index per partition of the view");
  for (auto& [i, t] : ops)
    if (t->ap.dims[0].num != np || t->ap.free_elements() != F)
      c.fail(i, c.pname(i) + " " + shape_str(*t) + " must have " + std::to_string(np) + " rows of " +
                    std::to_string(F) + " elements, like the vector_offset view " + shape_str(*v) +
                    " (one transfer per row)");
  return true;
}

// priority= (NKI 0.4.0): DMA QoS 0 (most urgent) to 3 on NeuronCore-v4; the timing model has one DMA
// queue order and ignores it.
void dma_priority(Ctx& c, size_t i) {
  if (!c.given(i)) return;
  c.since(i, Release::V0_4);
  c.needs_nc(i, 4, kTrn3Hint);
  int64_t q = c.integer(i);
  if (q < 0 || q > 3) c.fail(i, "priority must be 0 (most urgent) to 3, not " + std::to_string(q));
}

int oob_skip(Ctx& c, size_t i) { return c.member<OobMode>(i) == OobMode::Skip ? kOobSkip : 0; }

// dma_copy(dst, src, oob_mode=oob_mode.error, dge_mode=dge_mode.unknown, engine=engine.unknown, priority=None,
//          name=None)
#define DMA_COPY_PARAMS(X) \
  X(dst, kRequired)        \
  X(src, kRequired)        \
  X(oob_mode, e.oob_error) X(dge_mode, e.dge_unknown) X(engine, e.engine_unknown) X(priority, kNone) X(name, kNone)
NKIC_PARAM_POSITIONS(DmaCopyParam, DMA_COPY_PARAMS);

void dma_copy(Ctx& c) {
  using P = DmaCopyParam;
  TensorObj *dst = c.dma_tensor(P::dst), *src = c.dma_tensor(P::src);
  dma_operand(c, P::dst, dst);
  dma_operand(c, P::src, src);
  if (dst->ap.num_elements() != src->ap.num_elements())
    c.fail(P::src, "src " + shape_str(*src) + " has " + std::to_string(src->ap.num_elements()) + " elements but dst " +
                       shape_str(*dst) + " has " + std::to_string(dst->ap.num_elements()));
  if (check_rows(c, P::src, {{P::dst, dst}, {P::src, src}}) && c.member<DgeMode>(P::dge_mode) == DgeMode::Hwdge)
    c.fail(P::dge_mode,
           "vector_offset (gather/scatter) needs software DGE: dge_mode must be swdge or unknown, not hwdge");
  dma_priority(c, P::priority);
  c.emit(Opcode::DmaCopy, {dst, src}).flags |= oob_skip(c, P::oob_mode);
  record_dynamic_operand(c.in, 0, *dst);
  record_dynamic_operand(c.in, 1, *src);
}

// dma_transpose(dst, src, axes=None, dge_mode=dge_mode.unknown, oob_mode=oob_mode.error, priority=None, name=None)
#define DMA_TRANSPOSE_PARAMS(X) \
  X(dst, kRequired)             \
  X(src, kRequired) X(axes, kNone) X(dge_mode, e.dge_unknown) X(oob_mode, e.oob_error) X(priority, kNone) X(name, kNone)
NKIC_PARAM_POSITIONS(DmaTransposeParam, DMA_TRANSPOSE_PARAMS);

// The indirect gather-transpose: dst[F, R] = base[indices.T.flatten()[:R], :F].T (NCv3+, software DGE).
void gather_transpose_rules(Ctx& c, const TensorObj* src) {
  using P = DmaTransposeParam;
  const AccessPattern& idx = src->dyn->index;
  int64_t R = src->ap.dims[0].num, Pi = idx.dims[0].num, C = idx.dims[1].num;
  if (src->ap.dims.size() != 2)
    c.fail(P::src, "the indirect gather-transpose supports a 2-D src in nkic, not " +
                       std::to_string(src->ap.dims.size()) + "-D");
  if (size_of(c.dtype(src)) != 2) c.fail(P::src, "the indirect gather-transpose needs a 2-byte dtype");
  if (src->ap.dims[1].num > 128) c.fail(P::src, "the indirect gather-transpose needs src.shape[-1] <= 128");
  if (R % 16 != 0)
    c.fail(P::src, "the indirect gather-transpose needs src.shape[0] to be a multiple of 16, not " + std::to_string(R));
  if (idx.dtype != DType::UInt32) c.fail(P::src, "the gather-transpose indices must be uint32");
  if (Pi < 16 || Pi > 128 || Pi % 16 != 0 || (C > 1 && Pi != 128))
    c.fail(P::src,
           "the gather-transpose indices must have 16..128 partitions, a multiple of 16 (exactly 128 with more "
           "than one column), not " +
               std::to_string(Pi));
  if (c.member<DgeMode>(P::dge_mode) == DgeMode::Hwdge)
    c.fail(P::dge_mode, "the indirect gather-transpose needs software DGE, not hwdge");
}

void dma_transpose(Ctx& c) {
  using P = DmaTransposeParam;
  TensorObj *dst = c.tensor(P::dst), *src = c.dma_tensor(P::src);
  dma_priority(c, P::priority);
  if (has_vector_offset(src)) gather_transpose_rules(c, src);
  if (c.tgt().nc_version < 3)
    c.fail(P::src, "DMA transpose needs NeuronCore-v3 or newer (target " + std::string(c.tgt().name) + ")");
  if (c.mem(dst) != Mem::SBUF) c.fail(P::dst, "dst must be in SBUF, but it is in " + std::string(name_of(c.mem(dst))));
  dma_operand(c, P::dst, dst);
  dma_operand(c, P::src, src);
  if (c.dtype(dst) != c.dtype(src))
    c.fail(P::dst, "dst dtype " + dt_name(c.dtype(dst)) + " must equal src dtype " + dt_name(c.dtype(src)));
  size_t r = src->ap.dims.size();
  std::vector<int64_t> axes;
  if (r == 2)
    axes = {1, 0};
  else if (r == 3)
    axes = {2, 1, 0};
  else if (r == 4)
    axes = {3, 1, 2, 0};
  else
    c.fail(P::src, "src must be 2-, 3- or 4-dimensional, not " + std::to_string(r) + "-dimensional");
  if (c.given(P::axes)) {
    std::vector<int64_t> got = expect_shape(c.in, c.v[P::axes], c.span(P::axes), "axes");
    if (got != axes) {
      std::string want;
      for (auto x : axes) want += (want.empty() ? "" : ", ") + std::to_string(x);
      c.fail(P::axes, "axes for a " + std::to_string(r) + "-D src must be (" + want + ")");
    }
  }
  if (dst->ap.dims.size() != r) {
    // NKI 0.3.0 accepted a dst of another rank, padded to the transposed shape: nkic accepts it under a
    // selected 0.3.0 when the shapes agree but for size-1 dims (the same row-major element order, which
    // is how the transpose writes dst); NKI 0.4.0 made it an error (docs/semantics.md).
    auto squeezed = [](std::vector<int64_t> v) {
      std::erase(v, int64_t{1});
      return v;
    };
    std::vector<int64_t> want;
    for (size_t i = 0; i < r; ++i) want.push_back(src->ap.dims[axes[i]].num);
    bool padded = squeezed(dst->shape()) == squeezed(want);
    if (!padded || !c.in.launch.release || *c.in.launch.release >= Release::V0_4)
      c.fail(
          P::dst, "dst must have the same rank as src (" + std::to_string(r) + ")",
          padded ? "NKI 0.3.0 padded a dst of another rank; from NKI 0.4.0 reshape dst to the transposed shape" : "");
  } else {
    for (size_t i = 0; i < r; ++i)
      if (dst->ap.dims[i].num != src->ap.dims[axes[i]].num)
        c.fail(P::dst, "dst " + shape_str(*dst) + " must be src " + shape_str(*src) + " with its axes permuted");
  }
  if (c.member<DgeMode>(P::dge_mode) == DgeMode::Hwdge) {
    auto s = src->shape();
    if (!c.in.launch.release || *c.in.launch.release >= Release::V0_6) {
      // NKI 0.6.0 relaxed the HWDGE rules (2-byte dtype, src.shape[-1] <= 128; 2-D: 16 rows; 3-D/4-D:
      // src.shape[0] in {1, 2, 4, 8, 16} with src.shape[0] * src.shape[-2] a multiple of 16).
      int64_t s0 = s[0], s2 = s[s.size() - 2];
      bool rows = r == 2 ? s0 == 16 : (s0 == 1 || s0 == 2 || s0 == 4 || s0 == 8 || s0 == 16) && (s0 * s2) % 16 == 0;
      if (!rows || s.back() > 128 || size_of(c.dtype(src)) != 2)
        c.fail(P::dge_mode, "dge_mode=hwdge needs a 2-byte dtype, src.shape[-1] <= 128 and " +
                                std::string(r == 2 ? "src.shape[0] == 16 for a 2-D src"
                                                   : "src.shape[0] in {1, 2, 4, 8, 16} with "
                                                     "src.shape[0] * src.shape[-2] a multiple of 16") +
                                " (src is " + shape_str(*src) + ")");
    } else if (s[0] != 16 || s.back() % 128 != 0 || size_of(c.dtype(src)) != 2) {
      c.fail(P::dge_mode,
             "dge_mode=hwdge needs src.shape[0] == 16, src.shape[-1] a multiple of 128 and a 2-byte "
             "dtype (NKI " +
                 std::string(name_of(*c.in.launch.release)) + "; NKI 0.6.0 relaxed these rules)");
    }
  }
  int skip = oob_skip(c, P::oob_mode);
  Instruction& ins = c.emit(Opcode::DmaTranspose, {dst, src});
  c.in.program.set_ints(ins, axes);
  ins.flags |= skip;
  record_dynamic_operand(c.in, 1, *src);
}

// dma_compute(dst, srcs, reduce_op, scales=None, unique_indices=True, oob_mode=oob_mode.error, name=None)
// (oob_mode: NKI 0.4.0; skip only with vector_offset indexing)
#define DMA_COMPUTE_PARAMS(X) \
  X(dst, kRequired)           \
  X(srcs, kRequired)          \
  X(reduce_op, kRequired)     \
  X(scales, kNone) X(unique_indices, Value::boolean(true)) X(oob_mode, e.oob_error) X(name, kNone)
NKIC_PARAM_POSITIONS(DmaComputeParam, DMA_COMPUTE_PARAMS);

void dma_compute(Ctx& c) {
  using P = DmaComputeParam;
  TensorObj* dst = c.dma_tensor(P::dst);
  dma_operand(c, P::dst, dst);
  const Value& srcs_arg = c.v[P::srcs];
  if (srcs_arg.k != VK::List && srcs_arg.k != VK::Tuple) c.fail(P::srcs, "srcs must be a list of tensors");
  const auto& items = srcs_arg.as<SeqObj>()->items;
  if (items.empty() || items.size() > 16)
    c.fail(P::srcs, "srcs must hold 1 to 16 tensors, not " + std::to_string(items.size()));
  std::vector<const TensorObj*> srcs;
  for (auto& it : items) {
    TensorObj* t = expect_tensor(c.in, it, c.span(P::srcs), "dma_compute srcs element", true);
    dma_operand(c, P::srcs, t);
    if (t->ap.num_elements() != dst->ap.num_elements())
      c.fail(P::srcs, "srcs element " + shape_str(*t) + " has a different element count than dst " + shape_str(*dst));
    srcs.push_back(t);
  }
  AluOp op = c.op(P::reduce_op, kReduce, "a reduction operator");
  if (op != AluOp::Add) c.fail(P::reduce_op, "reduce_op must be nl.add in NKI 0.3.0");
  if (c.given(P::scales)) {
    const Value& scales = c.v[P::scales];
    if (scales.k != VK::List && scales.k != VK::Tuple) c.fail(P::scales, "scales must be a list of numbers");
    const auto& sc = scales.as<SeqObj>()->items;
    if (sc.size() != items.size()) c.fail(P::scales, "scales must have one entry per src");
    for (auto& s : sc)
      if (!s.is_number() || s.as_float() != 1.0) c.fail(P::scales, "every scale must be 1.0 in NKI 0.3.0");
  }
  c.boolean(P::unique_indices);
  bool vector = has_vector_offset(dst);
  for (auto* t : srcs) vector |= has_vector_offset(t);
  int skip = oob_skip(c, P::oob_mode);
  if (skip) {
    c.since(P::oob_mode, Release::V0_4);
    if (!vector) c.fail(P::oob_mode, "oob_mode.skip needs indirect (vector_offset) indexing");
  }
  if (vector) {
    if (srcs.size() != 2)
      c.fail(P::srcs, "dma_compute with a vector_offset (scatter-add / gather-add) takes exactly 2 srcs, not " +
                          std::to_string(srcs.size()));
    check_rows(c, P::srcs, {{P::dst, dst}, {P::srcs, srcs[0]}, {P::srcs, srcs[1]}});
  }
  for (auto* t : srcs) check_int64_operands(c.in, Opcode::DmaCompute, {dst, t}, c.a.call_span, c.iname);
  Instruction ins;
  ins.op = Opcode::DmaCompute;
  ins.engine = default_engine(ins.op);
  ins.alu = op;
  ins.flags |= static_cast<uint8_t>(skip);
  std::vector<APRef> ops{dst->ap};
  for (auto* t : srcs) ops.push_back(t->ap);
  ins.loc = c.in.loc_here(c.a.call_span);
  c.in.program.emit(ins, ops);
  record_dynamic_operand(c.in, 0, *dst);
  for (size_t k = 0; k < srcs.size(); ++k) record_dynamic_operand(c.in, static_cast<uint32_t>(1 + k), *srcs[k]);
}

}  // namespace

void add_isa_dma(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(m, {
                          {"dma_copy", NKIC_SIGNATURE(DMA_COPY_PARAMS), dma_copy},
                          {"dma_transpose", NKIC_SIGNATURE(DMA_TRANSPOSE_PARAMS), dma_transpose},
                          {"dma_compute", NKIC_SIGNATURE(DMA_COMPUTE_PARAMS), dma_compute},
                      });
}

}  // namespace nkic::trace
