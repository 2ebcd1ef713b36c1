// nisa.topk (NKI 0.6.0; `sorted` 0.7.0): GpSimd top-k over each 16-partition group's "snake" (element e
// at partition e % 16, column e // 16), nki-spec.md §11.3.
#include "trace/isa_common.h"
#include "trace/releases.h"

namespace nkic::trace {

namespace {

// topk(val_dst, idx_dst, src, n, sorted=False, name=None)
#define TOPK_PARAMS(X)  \
  X(val_dst, kRequired) \
  X(idx_dst, kRequired) X(src, kRequired) X(n, kRequired) X(sorted, Value::boolean(false)) X(name, kNone)
NKIC_PARAM_POSITIONS(TopkParam, TOPK_PARAMS);

void topk(Ctx& c) {
  using P = TopkParam;
  c.needs_nc(P::src, 3);
  TensorObj *val = c.tensor(P::val_dst), *idx = c.tensor(P::idx_dst), *src = c.tensor(P::src);
  c.sbuf_only(P::val_dst, val);
  c.sbuf_only(P::idx_dst, idx);
  c.sbuf_only(P::src, src);
  if (c.dtype(src) != DType::BFloat16) c.fail(P::src, "src must be bfloat16, not " + dt_name(c.dtype(src)));
  if (c.dtype(val) != DType::BFloat16) c.fail(P::val_dst, "val_dst must be bfloat16, not " + dt_name(c.dtype(val)));
  if (c.dtype(idx) != DType::UInt32) c.fail(P::idx_dst, "idx_dst must be uint32, not " + dt_name(c.dtype(idx)));
  int64_t parts = c.parts(src);
  if (parts % 16 != 0)
    c.fail(P::src, "the partition count must be a multiple of 16 (one top-k problem per 16 partitions), not " +
                       std::to_string(parts));
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::val_dst, val}, {P::idx_dst, idx}})
    if (c.parts(t) != parts)
      c.fail(i, c.pname(i) + " partition count " + std::to_string(c.parts(t)) + " must equal src's (" +
                    std::to_string(parts) + ")");
  int64_t k = c.elems(val);
  if (c.elems(idx) != k)
    c.fail(P::idx_dst, "idx_dst " + shape_str(*idx) + " must have as many elements per partition as val_dst " +
                           shape_str(*val) + " (k)");
  int64_t n = c.integer(P::n);
  if (n < 8 || n >= 65536) c.fail(P::n, "n must satisfy 8 <= n < 65536, got " + std::to_string(n));
  if (k < 1 || k >= 32768 || k > n)
    c.fail(P::val_dst, "k (the free size of val_dst) must satisfy 1 <= k < 32768 and k <= n (" + std::to_string(n) +
                           "), got " + std::to_string(k));
  if (c.elems(src) < (n + 15) / 16)
    c.fail(P::src, "src must hold ceil(n / 16) = " + std::to_string((n + 15) / 16) +
                       " elements per partition for n = " + std::to_string(n) + ", not " +
                       std::to_string(c.elems(src)));
  bool sorted = c.boolean(P::sorted);
  // `sorted` is 0.7.0's: a 0.6.0 kernel passing it is an error under a selected 0.6.0.
  bool passed = c.a.pos.size() > P::sorted;
  for (auto& kw : c.a.kw) passed = passed || kw.first == "sorted";
  if (passed && c.in.launch.release && *c.in.launch.release < Release::V0_7)
    c.fail(P::sorted,
           "the sorted parameter is not in NKI " + std::string(name_of(*c.in.launch.release)) +
               ": it was added in NKI 0.7.0",
           "select NKI 0.7.0 or later (NKIC_NKI_RELEASE, nkic --nki)");
  Instruction& ins = c.emit(Opcode::TopK, {val, idx, src});
  ins.i0 = static_cast<int32_t>(n);
  c.in.program.set_ints(ins, {sorted ? 1 : 0});
}

}  // namespace

void add_isa_topk(ModuleObj& m, const IsaEnums&) { add_isa_builtins(m, {{"topk", NKIC_SIGNATURE(TOPK_PARAMS), topk}}); }

}  // namespace nkic::trace
