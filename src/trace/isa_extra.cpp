// nki.isa instructions added late in the 0.3.0 ISA: VectorE `exponential` (NeuronCore-v4) and the GpSimd
// scans `sequence_bounds` and `nonzero_with_count` (NeuronCore-v3+).
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

std::string dt_name(DType t) { return std::string(name_of(t)); }

void needs_version(Ctx& c, int v) {
  if (c.tgt().nc_version < v)
    c.fail(0, "needs NeuronCore-v" + std::to_string(v) + " or later (target is NeuronCore-v" +
                  std::to_string(c.tgt().nc_version) + ")",
           v == 4 ? "set NEURON_PLATFORM_TARGET_OVERRIDE=trn3 (or --target trn3)" : "");
}

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

}  // namespace

void add_isa_extra(ModuleObj& m, const IsaEnums& e) {
  // exponential(dst, src, max_value=0.0, reduce_res=None, reduce_cmd=reduce_cmd.idle, reduce_init=0.0, name=None)
  m.ns["exponential"] = isa_builtin(
      "exponential",
      {{"dst", true}, {"src", true}, {"max_value", false, Value::real(0.0)}, {"reduce_res", false},
       {"reduce_cmd", false, e.reduce_idle}, {"reduce_init", false, Value::real(0.0)}, {"name", false}},
      [](Ctx& c) {
        needs_version(c, 4);
        TensorObj *dst = c.tensor(0), *src = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, src);
        c.same_tile(1, src, 0, dst);
        for (auto [i, t] : {std::pair<size_t, TensorObj*>{0, dst}, {1, src}})
          if (t->ap.dims.size() > 4) c.fail(i, c.pname(i) + " " + shape_str(*t) + " has more than 4 dimensions");
        static const std::initializer_list<DType> dst_ok = {
            DType::Float8E4M3, DType::Float8E5M2, DType::Float16, DType::BFloat16, DType::Float32, DType::TFloat32,
            DType::Int8,       DType::Int16,      DType::Int32,   DType::UInt8,    DType::UInt16};
        static const std::initializer_list<DType> src_ok = {
            DType::Float8E4M3, DType::Float8E5M2, DType::Float16, DType::BFloat16, DType::Float32, DType::Int8,
            DType::Int16,      DType::Int32,      DType::UInt8,   DType::UInt16,   DType::UInt32};
        if (!in_list(c.dtype(dst), dst_ok))
          c.fail(0, "dst cannot be " + dt_name(c.dtype(dst)) + " (supported: " + list_names(dst_ok) + ")");
        if (!in_list(c.dtype(src), src_ok))
          c.fail(1, "src cannot be " + dt_name(c.dtype(src)) + " (supported: " + list_names(src_ok) + ")");
        int64_t P = c.parts(src);
        double mv = 0;
        TensorObj* mt = c.scalar_or_column(2, P, &mv);
        if (mt && c.dtype(mt) != DType::Float32)
          c.fail(2, "max_value must be a number or a float32 (P, 1) tile, not " + dt_name(c.dtype(mt)));
        TensorObj* rr = c.given(3) ? c.tensor(3) : nullptr;
        if (rr) {
          c.column(3, rr, P);
          static const std::initializer_list<DType> rr_ok = {DType::Float8E4M3, DType::Float8E5M2, DType::Float16,
                                                             DType::BFloat16,   DType::Float32,    DType::TFloat32};
          if (!in_list(c.dtype(rr), rr_ok))
            c.fail(3, "reduce_res cannot be " + dt_name(c.dtype(rr)) + " (supported: " + list_names(rr_ok) + ")");
        }
        int64_t cmd = c.enum_value(4, "reduce_cmd");
        if (cmd == 1)
          c.fail(4, "reduce_cmd.reset is not supported by exponential (use idle, reset_reduce, reduce or load_reduce)");
        if (!c.v[5].is_number()) c.fail(5, "reduce_init must be a compile-time number, not '" + std::string(type_name(c.v[5].k)) + "'");
        double init = c.v[5].as_float();
        if (cmd != 4 && init != 0.0)
          c.fail(5, "reduce_init must be 0.0 unless reduce_cmd is reduce_cmd.load_reduce");
        Instruction& ins = c.emit(Opcode::Exponential, {dst, src, mt, rr});
        ins.f0 = mv;
        ins.f1 = init;
        ins.i0 = static_cast<int32_t>(cmd);
      });

  // sequence_bounds(dst, segment_ids, name=None)
  m.ns["sequence_bounds"] = isa_builtin(
      "sequence_bounds", {{"dst", true}, {"segment_ids", true}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *ids = c.tensor(1);
        c.sbuf_only(0, dst);
        c.sbuf_only(1, ids);
        if (c.parts(ids) != 1)
          c.fail(1, "segment_ids " + shape_str(*ids) + " must have a partition dimension of 1");
        for (auto [i, t] : {std::pair<size_t, TensorObj*>{0, dst}, {1, ids}})
          if (c.dtype(t) != DType::Float32 && c.dtype(t) != DType::Int32)
            c.fail(i, c.pname(i) + " must be float32 or int32, not " + dt_name(c.dtype(t)));
        int64_t n = c.elems(ids);
        if (c.parts(dst) != 1 || c.elems(dst) != 2 * n)
          c.fail(0, "dst " + shape_str(*dst) + " must be (1, 2, " + std::to_string(n) +
                        ") (a start and an end index for each of the " + std::to_string(n) + " segment ids)");
        c.emit(Opcode::SequenceBounds, {dst, ids});
      });

  // nonzero_with_count(dst, src, index_offset=0, padding_val=-1, name=None)
  m.ns["nonzero_with_count"] = isa_builtin(
      "nonzero_with_count",
      {{"dst", true}, {"src", true}, {"index_offset", false, Value::integer(0)}, {"padding_val", false, Value::integer(-1)},
       {"name", false}},
      [](Ctx& c) {
        needs_version(c, 3);
        TensorObj *dst = c.tensor(0), *src = c.tensor(1);
        c.sbuf_only(0, dst);
        c.sbuf_only(1, src);
        if (c.dtype(src) != DType::Float32 && c.dtype(src) != DType::Int32)
          c.fail(1, "src must be float32 or int32, not " + dt_name(c.dtype(src)));
        if (c.dtype(dst) != DType::Int32) c.fail(0, "dst must be int32, not " + dt_name(c.dtype(dst)));
        if (c.parts(dst) != c.parts(src))
          c.fail(0, "dst partition count " + std::to_string(c.parts(dst)) + " must equal src's (" +
                        std::to_string(c.parts(src)) + ")");
        if (c.elems(dst) != c.elems(src) + 1)
          c.fail(0, "dst " + shape_str(*dst) + " must have exactly one more element per partition than src " +
                        shape_str(*src) + " (the indices, then the count)");
        int64_t off = c.int32_imm(2, expect_int(c.in, c.v[2], c.span(2), "nonzero_with_count index_offset"), "index_offset");
        int64_t pad = c.int32_imm(3, expect_int(c.in, c.v[3], c.span(3), "nonzero_with_count padding_val"), "padding_val");
        if (c.elems(src) + off > INT32_MAX || off < INT32_MIN)
          c.fail(2, "index_offset + index must stay within int32");
        Instruction& ins = c.emit(Opcode::NonzeroWithCount, {dst, src});
        ins.i0 = static_cast<int32_t>(off);
        ins.f0 = static_cast<double>(pad);
      });
}

}  // namespace nkic::trace
