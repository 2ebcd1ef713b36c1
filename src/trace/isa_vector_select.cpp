// nki.isa VectorE statistics, selection and accumulator instructions: bn_stats, bn_aggr, max8,
// nc_find_index8, nc_match_replace8, select_reduce, range_select, tensor_scalar_reduce,
// tensor_scalar_cumulative, nc_stream_shuffle; and the GpSimd gathers local_gather, nc_n_gather.
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

std::string dt_name(DType t) { return std::string(name_of(t)); }

// reduce_cmd enum value; load_reduce only where allowed.
int32_t reduce_cmd(Ctx& c, size_t i, bool allow_load) {
  int64_t cmd = c.enum_value(i, "reduce_cmd");
  if (cmd == 4 && !allow_load) c.fail(i, "reduce_cmd.load_reduce is not supported by " + c.iname);
  return static_cast<int32_t>(cmd);
}

void max_only(Ctx& c, size_t i) {
  AluOp op = c.op(i, kReduce, "a reduction operator");
  if (op != AluOp::Maximum) c.fail(i, "reduce_op must be nl.maximum (the only reduction " + c.iname + " supports)");
}

void eight_per_partition(Ctx& c, size_t i, const TensorObj* t, int64_t P) {
  if (c.parts(t) != P || c.elems(t) != 8)
    c.fail(i, c.pname(i) + " " + shape_str(*t) + " must have " + std::to_string(P) + " partitions and 8 elements per partition");
}

void search_data(Ctx& c, size_t i, const TensorObj* t) {
  c.on_chip(i, t);
  if (t->ap.dims.size() > 5) c.fail(i, c.pname(i) + " has more than 5 dimensions");
  int64_t n = c.elems(t);
  if (n < 8 || n > 16384)
    c.fail(i, c.pname(i) + " " + shape_str(*t) + " must have 8 to 16384 elements per partition, not " + std::to_string(n));
}

TensorObj* optional_tensor(Ctx& c, size_t i) { return c.given(i) ? c.tensor(i) : nullptr; }

bool is_cmp(AluOp op) {
  return op == AluOp::Equal || op == AluOp::Less || op == AluOp::LessEqual || op == AluOp::Greater ||
         op == AluOp::GreaterEqual;
}

}  // namespace

void add_isa_vector_select(ModuleObj& m, const IsaEnums& e) {
  m.ns["bn_stats"] = isa_builtin("bn_stats", {{"dst", true}, {"data", true}, {"name", false}}, [](Ctx& c) {
    TensorObj *dst = c.tensor(0), *data = c.tensor(1);
    c.on_chip(0, dst);
    c.on_chip(1, data);
    if (c.elems(data) > c.tgt().bn_stats_fmax)
      c.fail(1, "data " + shape_str(*data) + " has " + std::to_string(c.elems(data)) +
                    " elements per partition, more than nl.tile_size.bn_stats_fmax (" +
                    std::to_string(c.tgt().bn_stats_fmax) + ")",
             "split the free dimension into chunks of bn_stats_fmax and combine them with nisa.bn_aggr");
    if (c.parts(dst) != c.parts(data) || c.elems(dst) != 6)
      c.fail(0, "dst " + shape_str(*dst) + " must have " + std::to_string(c.parts(data)) +
                    " partitions and 6 elements per partition (count, mean, variance*count of even and odd elements)");
    c.float_dtype(0, dst);
    c.emit(Opcode::BnStats, {dst, data});
  });

  m.ns["bn_aggr"] = isa_builtin("bn_aggr", {{"dst", true}, {"data", true}, {"name", false}}, [](Ctx& c) {
    TensorObj *dst = c.tensor(0), *data = c.tensor(1);
    c.on_chip(0, dst);
    c.on_chip(1, data);
    if (c.elems(data) % 3 != 0)
      c.fail(1, "data " + shape_str(*data) + " must hold a multiple of 3 elements per partition (bn_stats outputs)");
    if (c.parts(dst) != c.parts(data) || c.elems(dst) != 2)
      c.fail(0, "dst " + shape_str(*dst) + " must have " + std::to_string(c.parts(data)) +
                    " partitions and 2 elements per partition (mean, variance)");
    c.float_dtype(0, dst);
    c.emit(Opcode::BnAggr, {dst, data});
  });

  m.ns["max8"] = isa_builtin("max8", {{"dst", true}, {"src", true}, {"name", false}}, [](Ctx& c) {
    TensorObj *dst = c.tensor(0), *src = c.tensor(1);
    c.on_chip(0, dst);
    search_data(c, 1, src);
    eight_per_partition(c, 0, dst, c.parts(src));
    c.emit(Opcode::Max8, {dst, src});
  });

  m.ns["nc_find_index8"] = isa_builtin(
      "nc_find_index8", {{"dst", true}, {"data", true}, {"vals", true}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(1), *vals = c.tensor(2);
        c.on_chip(0, dst);
        search_data(c, 1, data);
        c.on_chip(2, vals);
        if (vals->ap.dims.size() > 3) c.fail(2, "vals has more than 3 dimensions");
        eight_per_partition(c, 2, vals, c.parts(data));
        eight_per_partition(c, 0, dst, c.parts(data));
        if (c.dtype(dst) != DType::UInt32 && c.dtype(dst) != DType::UInt16)
          c.fail(0, "dst must be uint32 or uint16 (indices), not " + dt_name(c.dtype(dst)));
        c.emit(Opcode::NcFindIndex8, {dst, data, vals});
      });

  m.ns["nc_match_replace8"] = isa_builtin(
      "nc_match_replace8",
      {{"dst", true}, {"data", true}, {"vals", true}, {"imm", true}, {"dst_idx", false}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(1), *vals = c.tensor(2);
        c.on_chip(0, dst);
        search_data(c, 1, data);
        c.on_chip(2, vals);
        c.same_tile(1, data, 0, dst);
        eight_per_partition(c, 2, vals, c.parts(data));
        if (!c.v[3].is_number()) c.fail(3, "imm must be a compile-time number, not '" + std::string(type_name(c.v[3].k)) + "'");
        c.scalar_imm(3);
        TensorObj* idx = optional_tensor(c, 4);
        if (idx) {
          c.on_chip(4, idx);
          eight_per_partition(c, 4, idx, c.parts(data));
          if (c.dtype(idx) != DType::UInt32 && c.dtype(idx) != DType::UInt16)
            c.fail(4, "dst_idx must be uint32 or uint16, not " + dt_name(c.dtype(idx)));
        }
        c.emit(Opcode::NcMatchReplace8, {dst, data, vals, idx}).f0 = c.v[3].as_float();
      });

  m.ns["select_reduce"] = isa_builtin(
      "select_reduce",
      {{"dst", true}, {"predicate", true}, {"on_true", true}, {"on_false", true}, {"reduce_res", false},
       {"reduce_cmd", false, e.reduce_idle}, {"reduce_op", false, Value::op(AluOp::Maximum)},
       {"reverse_pred", false, Value::boolean(false)}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *pred = c.tensor(1), *on_true = c.tensor(2);
        c.two_inputs(0, dst, 2, on_true, 1, pred);
        DType pd = c.dtype(pred);
        if (pd != DType::Int8 && pd != DType::UInt8 && pd != DType::Int16 && pd != DType::UInt16)
          c.fail(1, "predicate must be int8, uint8, int16 or uint16, not " + dt_name(pd));
        DType td = c.dtype(on_true);
        if (td == DType::TFloat32 || td == DType::Int32 || td == DType::UInt32)
          c.fail(2, "on_true cannot be " + dt_name(td));
        double f = 0;
        TensorObj* of = c.scalar_or_column(3, c.parts(on_true), &f);
        if (of && c.dtype(of) != DType::Float32) c.fail(3, "on_false must be a float32 (P, 1) tile or a number");
        TensorObj* rr = optional_tensor(c, 4);
        if (rr) {
          c.column(4, rr, c.parts(on_true));
          c.float_dtype(4, rr);
        }
        int32_t cmd = reduce_cmd(c, 5, false);
        max_only(c, 6);
        bool rev = c.boolean(7);
        Instruction& ins = c.emit(Opcode::SelectReduce, {dst, pred, on_true, of, rr});
        ins.alu = AluOp::Maximum;
        ins.i0 = cmd;
        ins.f0 = f;
        ins.flags = rev ? kRevPred : 0;
      });

  m.ns["range_select"] = isa_builtin(
      "range_select",
      {{"dst", true}, {"on_true_tile", true}, {"comp_op0", true}, {"comp_op1", true}, {"bound0", true}, {"bound1", true},
       {"reduce_cmd", false, e.reduce_reset_reduce}, {"reduce_res", false}, {"reduce_op", false, Value::op(AluOp::Maximum)},
       {"range_start", false, Value::integer(0)}, {"on_false_value", false, Value::real(-3.4028235e+38)}, {"name", false}},
      [](Ctx& c) {
        if (c.tgt().nc_version < 3)
          c.fail(0, "range_select needs NeuronCore-v3 or later (target is NeuronCore-v" + std::to_string(c.tgt().nc_version) + ")");
        TensorObj *dst = c.tensor(0), *on_true = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, on_true);
        c.same_tile(1, on_true, 0, dst);
        c.float_dtype(1, on_true);
        int64_t P = c.parts(on_true);
        AluOp op0 = c.op(2, kBinary, "a comparison operator"), op1 = c.op(3, kBinary, "a comparison operator");
        if (!is_cmp(op0)) c.fail(2, "comp_op0 must be nl.equal, nl.less, nl.less_equal, nl.greater or nl.greater_equal");
        if (!is_cmp(op1)) c.fail(3, "comp_op1 must be nl.equal, nl.less, nl.less_equal, nl.greater or nl.greater_equal");
        TensorObj *b0 = c.tensor(4), *b1 = c.tensor(5);
        c.column(4, b0, P);
        c.column(5, b1, P);
        for (auto [i, t] : {std::pair<size_t, TensorObj*>{4, b0}, {5, b1}})
          if (c.dtype(t) != DType::Float32) c.fail(i, c.pname(i) + " must be a float32 (P, 1) tile, not " + dt_name(c.dtype(t)));
        int32_t cmd = reduce_cmd(c, 6, false);
        TensorObj* rr = optional_tensor(c, 7);
        if (rr) {
          c.column(7, rr, P);
          c.float_dtype(7, rr);
        }
        max_only(c, 8);
        int64_t start = expect_int(c.in, c.v[9], c.span(9), "range_select range_start");
        c.int32_imm(9, start, "range_start");
        if (start < 0 || start + c.elems(on_true) > (int64_t{1} << 24))
          c.fail(9, "range_start + free index must stay in [0, 2^24) (the index is compared in fp32)");
        if (!c.v[10].is_number() || static_cast<float>(c.v[10].as_float()) != -3.4028235e+38f)
          c.fail(10, "on_false_value must be the fp32 minimum -3.4028235e+38 (a hardware constraint)");
        Instruction& ins = c.emit(Opcode::RangeSelect, {dst, on_true, b0, b1, rr});
        ins.alu = op0;
        ins.alu1 = op1;
        ins.i0 = cmd;
        ins.f0 = -3.4028234663852886e+38;
        ins.f1 = static_cast<double>(start);
      });

  m.ns["tensor_scalar_reduce"] = isa_builtin(
      "tensor_scalar_reduce",
      {{"dst", true}, {"data", true}, {"op0", true}, {"operand0", true}, {"reduce_op", true}, {"reduce_res", true},
       {"reverse0", false, Value::boolean(false)}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, data);
        c.same_tile(1, data, 0, dst);
        int64_t P = c.parts(data);
        AluOp op0 = c.op(2, kBinary | kUnary, "an arithmetic ALU operator");
        if (is_bitvec(op0)) c.fail(2, "tensor_scalar_reduce takes an arithmetic operator");
        double s = 0;
        TensorObj* t0 = c.scalar_or_column(3, P, &s);
        if (t0 && c.dtype(t0) != DType::Float32) c.fail(3, "operand0 must be a float32 (P, 1) tile or a number");
        AluOp rop = c.op(4, kReduce, "a reduction operator");
        if (rop != AluOp::Add && rop != AluOp::Subtract && rop != AluOp::Multiply && rop != AluOp::Maximum &&
            rop != AluOp::Minimum)
          c.fail(4, "reduce_op must be nl.add, nl.subtract, nl.multiply, nl.maximum or nl.minimum");
        TensorObj* rr = c.tensor(5);
        c.column(5, rr, P);
        if (c.boolean(6)) c.fail(6, "reverse0=True is not supported by tensor_scalar_reduce in NKI 0.3.0");
        Instruction& ins = c.emit(Opcode::TensorScalarReduce, {dst, data, t0, rr});
        ins.alu = op0;
        ins.alu1 = rop;
        ins.f0 = s;
      });

  m.ns["tensor_scalar_cumulative"] = isa_builtin(
      "tensor_scalar_cumulative",
      {{"dst", true}, {"src", true}, {"op0", true}, {"op1", true}, {"imm0", true}, {"imm1", false},
       {"reduce_cmd", false, e.reduce_reset_reduce}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *src = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, src);
        c.same_tile(1, src, 0, dst);
        for (auto [i, t] : {std::pair<size_t, TensorObj*>{0, dst}, {1, src}}) {
          DType d = c.dtype(t);
          if (d == DType::Int32 || d == DType::UInt32 || d == DType::TFloat32 || d == DType::Bool || is_packed(d))
            c.fail(i, c.pname(i) + " cannot be " + dt_name(d) +
                          " (supported: bfloat16, float16, float32, fp8, uint8, uint16, int8, int16)");
        }
        int64_t P = c.parts(src);
        AluOp op0 = c.op(2, kBinary | kUnary, "an arithmetic ALU operator");
        if (is_bitvec(op0)) c.fail(2, "op0 must be an arithmetic operator");
        AluOp op1 = c.op(3, kBinary, "a reduction operator");
        if (op1 != AluOp::Add && op1 != AluOp::Subtract && op1 != AluOp::Multiply && op1 != AluOp::Maximum &&
            op1 != AluOp::Minimum)
          c.fail(3, "op1 must be nl.add, nl.subtract, nl.multiply, nl.maximum or nl.minimum");
        double s0 = 0, s1 = 0;
        TensorObj* t0 = c.scalar_or_column(4, P, &s0);
        TensorObj* t1 = c.given(5) ? c.scalar_or_column(5, P, &s1) : nullptr;
        for (auto [i, t] : {std::pair<size_t, TensorObj*>{4, t0}, {5, t1}})
          if (t && c.dtype(t) != DType::Float32) c.fail(i, c.pname(i) + " must be a float32 (P, 1) tile or a number");
        int32_t cmd = reduce_cmd(c, 6, true);
        if (cmd != 2 && cmd != 3 && cmd != 4)
          c.fail(6, "reduce_cmd must be reduce_cmd.reset_reduce, reduce_cmd.reduce or reduce_cmd.load_reduce");
        if (cmd == 4 && !c.given(5)) c.fail(5, "imm1 is required with reduce_cmd.load_reduce (the initial value)");
        Instruction& ins = c.emit(Opcode::TensorScalarCumulative, {dst, src, t0, t1});
        ins.alu = op0;
        ins.alu1 = op1;
        ins.f0 = s0;
        ins.f1 = s1;
        ins.i0 = cmd;
      });

  m.ns["nc_stream_shuffle"] = isa_builtin(
      "nc_stream_shuffle", {{"dst", true}, {"src", true}, {"shuffle_mask", true}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *src = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, src);
        if (c.dtype(dst) != c.dtype(src))
          c.fail(0, "dst dtype " + dt_name(c.dtype(dst)) + " must equal src dtype " + dt_name(c.dtype(src)));
        if (c.elems(dst) != c.elems(src))
          c.fail(0, "dst " + shape_str(*dst) + " and src " + shape_str(*src) + " must have the same elements per partition");
        if (c.v[2].k != VK::List && c.v[2].k != VK::Tuple) c.fail(2, "shuffle_mask must be a list of 32 integers");
        const auto& items = c.v[2].as<SeqObj>()->items;
        if (items.size() != 32) c.fail(2, "shuffle_mask must have 32 entries, not " + std::to_string(items.size()));
        std::vector<int64_t> mask;
        int64_t sp = c.parts(src), dp = c.parts(dst);
        for (auto& it : items) {
          if (!it.is_int()) c.fail(2, "shuffle_mask entries must be integers");
          int64_t x = it.as_int();
          if (x != 255 && (x < 0 || x > 31)) c.fail(2, "shuffle_mask entries must be in [0, 31] or 255 (keep), not " + std::to_string(x));
          mask.push_back(x);
        }
        // Every active destination partition must read a source partition that exists.
        for (int64_t p = 0; p < dp; ++p) {
          int64_t m2 = mask[p % 32];
          if (m2 != 255 && (p / 32) * 32 + m2 >= sp)
            c.fail(2, "shuffle_mask[" + std::to_string(p % 32) + "] = " + std::to_string(m2) + " selects src partition " +
                          std::to_string((p / 32) * 32 + m2) + ", but src has " + std::to_string(sp) + " partitions");
        }
        c.in.program.set_ints(c.emit(Opcode::NcStreamShuffle, {dst, src}), mask);
      });

  m.ns["local_gather"] = isa_builtin(
      "local_gather",
      {{"dst", true}, {"src_buffer", true}, {"index", true}, {"num_elem_per_idx", false, Value::integer(1)},
       {"num_valid_indices", false}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *src = c.tensor(1), *idx = c.tensor(2);
        c.sbuf_only(0, dst);
        c.sbuf_only(1, src);
        c.sbuf_only(2, idx);
        int64_t P = c.parts(src);
        if (c.parts(idx) != P) c.fail(2, "index partition count " + std::to_string(c.parts(idx)) + " must equal src_buffer's (" + std::to_string(P) + ")");
        if (P % 16 != 0) c.fail(1, "src_buffer partition count " + std::to_string(P) + " must be a multiple of 16 (one GpSimd core owns 16 partitions)");
        if (c.parts(dst) != P) c.fail(0, "dst partition count must equal src_buffer's (" + std::to_string(P) + ")");
        if (c.dtype(idx) != DType::UInt16) c.fail(2, "index must be uint16, not " + dt_name(c.dtype(idx)));
        if (c.dtype(dst) != c.dtype(src))
          c.fail(0, "dst dtype " + dt_name(c.dtype(dst)) + " must equal src_buffer dtype " + dt_name(c.dtype(src)) + " (no cast)");
        int64_t E = expect_int(c.in, c.v[3], c.span(3), "local_gather num_elem_per_idx");
        if (E != 1 && E != 2 && E != 4 && E != 8 && E != 16 && E != 32)
          c.fail(3, "num_elem_per_idx must be 1, 2, 4, 8, 16 or 32, not " + std::to_string(E));
        int64_t total = 16 * c.elems(idx);
        int64_t nv = c.given(4) ? expect_int(c.in, c.v[4], c.span(4), "local_gather num_valid_indices") : total;
        if (nv <= 0 || nv > total)
          c.fail(4, "num_valid_indices must be in [1, " + std::to_string(total) + "] (16 x index elements per partition)");
        if (nv > 4096) c.fail(4, "at most 4096 indices per GpSimd core, not " + std::to_string(nv));
        if (c.elems(dst) != nv * E)
          c.fail(0, "dst " + shape_str(*dst) + " must have num_valid_indices x num_elem_per_idx = " + std::to_string(nv * E) +
                        " elements per partition");
        Instruction& ins = c.emit(Opcode::LocalGather, {dst, src, idx});
        ins.i0 = static_cast<int32_t>(E);
        c.in.program.set_ints(ins, {nv});
      });

  m.ns["nc_n_gather"] = isa_builtin(
      "nc_n_gather", {{"dst", true}, {"data", true}, {"indices", true}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(1), *idx = c.tensor(2);
        c.sbuf_only(0, dst);
        c.sbuf_only(1, data);
        c.sbuf_only(2, idx);
        if (c.dtype(idx) != DType::UInt32) c.fail(2, "indices must be uint32, not " + dt_name(c.dtype(idx)));
        if (c.dtype(dst) != c.dtype(data))
          c.fail(0, "dst dtype " + dt_name(c.dtype(dst)) + " must equal data dtype " + dt_name(c.dtype(data)));
        if (c.parts(idx) != c.parts(data) || c.parts(dst) != c.parts(data))
          c.fail(2, "data, indices and dst must have the same partition count");
        if (c.elems(dst) != c.elems(idx))
          c.fail(0, "dst " + shape_str(*dst) + " must have as many elements per partition as indices " + shape_str(*idx));
        c.emit(Opcode::NcNGather, {dst, data, idx});
      });
}

}  // namespace nkic::trace
