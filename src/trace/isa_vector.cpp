// nki.isa VectorE instructions (some also run on ScalarE / GpSimdE): tensor_tensor, tensor_scalar,
// scalar_tensor_tensor, tensor_copy, tensor_copy_predicated, tensor_reduce, tensor_tensor_scan,
// reciprocal, memset.
#include <algorithm>

#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

constexpr uint8_t kAlu = kBinary | kUnary;

int64_t numerics_int_min(DType t) { return info(t).is_signed_int ? -(int64_t{1} << (size_of(t) * 8 - 1)) : 0; }
int64_t numerics_int_max(DType t) {
  return info(t).is_signed_int ? (int64_t{1} << (size_of(t) * 8 - 1)) - 1 : (int64_t{1} << (size_of(t) * 8)) - 1;
}

void no_psum_on_gpsimd(Ctx& c, Engine e, std::initializer_list<std::pair<size_t, const TensorObj*>> ts) {
  if (e != Engine::GpSimd) return;
  for (auto& [i, t] : ts)
    if (t && c.mem(t) == Mem::PSUM)
      c.fail(i, c.pname(i) + " is in PSUM, which GpSimd cannot access", "use engine=nisa.engine.vector");
}

// The integer rule of bitvec operators: every tensor operand has an integer dtype.
void bitvec_ints(Ctx& c, size_t opi, AluOp op, std::initializer_list<std::pair<size_t, const TensorObj*>> ts) {
  for (auto& [i, t] : ts)
    if (t && is_float(c.dtype(t)))
      c.fail(i, "nl." + std::string(name_of(op)) + " is a bitvec operator and needs integer tiles, but " + c.pname(i) +
                    " is " + std::string(name_of(c.dtype(t))),
             "bitvec operators work on raw integer bits without casting");
  (void)opi;
}

}  // namespace

void add_isa_vector(ModuleObj& m, const IsaEnums& e) {
  m.ns["tensor_tensor"] = isa_builtin(
      "tensor_tensor",
      {{"dst", true}, {"data1", true}, {"data2", true}, {"op", true}, {"engine", false, e.engine_unknown}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *d1 = c.tensor(1), *d2 = c.tensor(2);
        c.on_chip(0, dst);
        c.on_chip(1, d1);
        c.on_chip(2, d2);
        AluOp op = c.op(3, kBinary, "a binary ALU operator");
        c.same_tile(0, dst, 1, d1);
        c.same_tile(0, dst, 2, d2);
        c.not_both_psum(1, d1, 2, d2);
        if (is_bitvec(op)) bitvec_ints(c, 3, op, {{0, dst}, {1, d1}, {2, d2}});
        bool any_psum = c.mem(dst) == Mem::PSUM || c.mem(d1) == Mem::PSUM || c.mem(d2) == Mem::PSUM;
        Engine def = Engine::Vector;
        auto i32 = [&](const TensorObj* t) { return c.dtype(t) == DType::Int32 || c.dtype(t) == DType::UInt32; };
        if ((op == AluOp::Power || (i32(dst) && i32(d1) && i32(d2))) && !any_psum) def = Engine::GpSimd;
        Engine eng = c.engine(4, def, {Engine::Vector, Engine::GpSimd});
        no_psum_on_gpsimd(c, eng, {{0, dst}, {1, d1}, {2, d2}});
        Instruction& ins = c.emit(Opcode::TensorTensor, {dst, d1, d2});
        ins.alu = op;
        ins.engine = eng;
      });

  m.ns["tensor_scalar"] = isa_builtin(
      "tensor_scalar",
      {{"dst", true}, {"data", true}, {"op0", true}, {"operand0", true}, {"reverse0", false, Value::boolean(false)},
       {"op1", false}, {"operand1", false}, {"reverse1", false, Value::boolean(false)},
       {"engine", false, e.engine_unknown}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, data);
        c.same_tile(1, data, 0, dst);
        int64_t P = c.parts(data);
        AluOp op0 = c.op(2, kAlu, "an ALU operator");
        double s0 = 0, s1 = 0;
        TensorObj* t0 = c.scalar_or_column(3, P, &s0);
        bool rev0 = c.boolean(4), rev1 = c.boolean(7);
        bool has1 = c.given(5);
        if (has1 != c.given(6))
          c.fail(has1 ? 6 : 5, "op1 and operand1 must both be given or both be None");
        AluOp op1 = AluOp::Bypass;
        TensorObj* t1 = nullptr;
        if (has1) {
          op1 = c.op(5, kAlu, "an ALU operator");
          t1 = c.scalar_or_column(6, P, &s1);
          if (is_bitvec(op0) != is_bitvec(op1))
            c.fail(5, "op0 and op1 must both be bitvec operators or both be arithmetic operators");
        }
        bool bitvec = is_bitvec(op0);
        if (bitvec) {
          bitvec_ints(c, 2, op0, {{0, dst}, {1, data}, {3, t0}, {6, t1}});
          for (size_t i : {size_t{3}, size_t{6}})
            if (c.v[i].k == VK::Float) c.fail(i, c.pname(i) + " must be an integer for a bitvec operator");
        } else {
          for (auto [i, t] : {std::pair<size_t, TensorObj*>{3, t0}, {6, t1}})
            if (t && c.dtype(t) != DType::Float32)
              c.fail(i, c.pname(i) + " must be a float32 tile for an arithmetic operator, not " +
                            std::string(name_of(c.dtype(t))));
        }
        Engine eng = c.engine(8, Engine::Vector, {Engine::Vector, Engine::Scalar, Engine::GpSimd});
        no_psum_on_gpsimd(c, eng, {{0, dst}, {1, data}, {3, t0}, {6, t1}});
        if (eng != Engine::Vector && bitvec) c.fail(8, "bitvec operators run on the Vector engine only");
        if (eng == Engine::Scalar && c.tgt().nc_version < 4) {
          bool ok = (op0 == AluOp::Multiply && (op1 == AluOp::Add || !has1)) || (op0 == AluOp::Add && !has1);
          if (!ok || rev0 || rev1)
            c.fail(8, "the Scalar engine supports only (multiply, add), (multiply, None) and (add, None) on NeuronCore-v" +
                          std::to_string(c.tgt().nc_version));
        }
        Instruction& ins = c.emit(Opcode::TensorScalar, {dst, data, t0, t1});
        ins.engine = eng;
        ins.alu = op0;
        ins.alu1 = op1;
        ins.f0 = s0;
        ins.f1 = s1;
        ins.flags = (rev0 ? kRev0 : 0) | (rev1 ? kRev1 : 0);
      });

  m.ns["scalar_tensor_tensor"] = isa_builtin(
      "scalar_tensor_tensor",
      {{"dst", true}, {"data", true}, {"op0", true}, {"operand0", true}, {"op1", true}, {"operand1", true},
       {"reverse0", false, Value::boolean(false)}, {"reverse1", false, Value::boolean(false)}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(1), *o1 = c.tensor(5);
        c.two_inputs(0, dst, 1, data, 5, o1);
        AluOp op0 = c.op(2, kAlu, "an arithmetic ALU operator");
        AluOp op1 = c.op(4, kBinary, "a binary arithmetic ALU operator");
        if (is_bitvec(op0)) c.fail(2, "scalar_tensor_tensor takes arithmetic operators only");
        if (is_bitvec(op1)) c.fail(4, "scalar_tensor_tensor takes arithmetic operators only");
        double s0 = 0;
        TensorObj* t0 = c.scalar_or_column(3, c.parts(data), &s0);
        bool rev0 = c.boolean(6), rev1 = c.boolean(7);
        Instruction& ins = c.emit(Opcode::ScalarTensorTensor, {dst, data, t0, o1});
        ins.alu = op0;
        ins.alu1 = op1;
        ins.f0 = s0;
        ins.flags = (rev0 ? kRev0 : 0) | (rev1 ? kRev1 : 0);
      });

  m.ns["tensor_copy"] = isa_builtin(
      "tensor_copy", {{"dst", true}, {"src", true}, {"engine", false, e.engine_unknown}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *src = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, src);
        c.same_tile(0, dst, 1, src);
        Engine eng = c.engine(2, Engine::Vector, {Engine::Vector, Engine::Scalar, Engine::GpSimd});
        if (eng == Engine::Scalar && c.tgt().nc_version < 3)
          c.fail(2, "the Scalar engine does not support tensor_copy on NeuronCore-v2", "use nisa.activation(op=nl.copy)");
        no_psum_on_gpsimd(c, eng, {{0, dst}, {1, src}});
        c.emit(Opcode::TensorCopy, {dst, src}).engine = eng;
      });

  m.ns["tensor_copy_predicated"] = isa_builtin(
      "tensor_copy_predicated",
      {{"dst", true}, {"src", true}, {"predicate", true}, {"reverse_pred", false, Value::boolean(false)}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *pred = c.tensor(2);
        c.on_chip(0, dst);
        c.on_chip(2, pred);
        c.same_tile(0, dst, 2, pred);
        DType pd = c.dtype(pred);
        if (pd != DType::UInt8 && pd != DType::UInt16 && pd != DType::UInt32)
          c.fail(2, "predicate must be uint8, uint16 or uint32, not " + std::string(name_of(pd)));
        TensorObj* src = nullptr;
        double sv = 0;
        if (c.v[1].is_number()) {
          c.scalar_imm(1);
          sv = c.v[1].as_float();
        } else {
          src = c.tensor(1);
          c.on_chip(1, src);
          c.same_tile(0, dst, 1, src);
          c.not_both_psum(1, src, 2, pred);
          if (c.dtype(src) != c.dtype(dst))
            c.fail(1, "src dtype " + std::string(name_of(c.dtype(src))) + " must equal dst dtype " +
                          std::string(name_of(c.dtype(dst))));
        }
        bool rev = c.boolean(3);
        Instruction& ins = c.emit(Opcode::TensorCopyPredicated, {dst, src, pred});
        ins.f0 = sv;
        ins.flags = rev ? kRevPred : 0;
      });

  m.ns["tensor_reduce"] = isa_builtin(
      "tensor_reduce",
      {{"dst", true}, {"op", true}, {"data", true}, {"axis", true}, {"negate", false, Value::boolean(false)},
       {"keepdims", false, Value::boolean(false)}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(2);
        c.on_chip(0, dst);
        c.on_chip(2, data);
        AluOp op = c.op(1, kReduce, "a reduction operator (add, subtract, multiply, maximum, minimum, bitwise/logical and, or, xor)");
        int64_t rank = static_cast<int64_t>(data->ap.dims.size());
        std::vector<int64_t> axes;
        if (c.v[3].is_int()) axes.push_back(c.v[3].as_int());
        else if (c.v[3].k == VK::Tuple || c.v[3].k == VK::List) axes = expect_shape(c.in, c.v[3], c.span(3), "axis");
        else c.fail(3, "axis must be an int or a tuple of ints, not '" + std::string(type_name(c.v[3].k)) + "'");
        if (axes.empty()) c.fail(3, "axis must name at least one free dimension");
        for (auto& a : axes) {
          if (a < 0) a += rank;
          if (a <= 0 || a >= rank)
            c.fail(3, "axis " + std::to_string(a) + " is not a free dimension of data " + shape_str(*data) +
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
          for (size_t i = 0; i < axes.size(); ++i) axes[i] = rank - static_cast<int64_t>(axes.size()) + static_cast<int64_t>(i);
        for (size_t i = 0; i < axes.size(); ++i)
          if (axes[i] != rank - static_cast<int64_t>(axes.size()) + static_cast<int64_t>(i))
            c.fail(3, "axis must be the trailing free dimensions of data " + shape_str(*data) + " (for example " +
                          std::to_string(rank - 1) + " or (" + std::to_string(rank - 2) + ", " + std::to_string(rank - 1) + "))");
        int64_t g = 1;
        for (auto a : axes) g *= data->ap.dims[a].num;
        if (c.parts(dst) != c.parts(data) || c.elems(dst) != c.elems(data) / g)
          c.fail(0, "dst " + shape_str(*dst) + " must have " + std::to_string(c.parts(data)) + " partitions and " +
                        std::to_string(c.elems(data) / g) + " elements per partition (data " + shape_str(*data) +
                        " reduced over axis)");
        bool neg = c.boolean(4);
        c.boolean(5);
        if (is_bitvec(op)) {
          bitvec_ints(c, 1, op, {{0, dst}, {2, data}});
          if (neg) c.fail(4, "negate applies to arithmetic reductions only");
        }
        Instruction& ins = c.emit(Opcode::TensorReduce, {dst, data});
        ins.alu = op;
        ins.i0 = static_cast<int32_t>(g);
        ins.flags = neg ? kNegate : 0;
      });

  m.ns["tensor_tensor_scan"] = isa_builtin(
      "tensor_tensor_scan",
      {{"dst", true}, {"data0", true}, {"data1", true}, {"initial", true}, {"op0", true}, {"op1", true},
       {"reverse0", false, Value::boolean(false)}, {"reverse1", false, Value::boolean(false)}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *d0 = c.tensor(1), *d1 = c.tensor(2);
        c.two_inputs(0, dst, 1, d0, 2, d1);
        double init = 0;
        TensorObj* it = c.scalar_or_column(3, c.parts(d0), &init);
        AluOp op0 = c.op(4, kBinary, "a binary arithmetic operator");
        AluOp op1 = c.op(5, kBinary, "a binary arithmetic operator");
        if (is_bitvec(op0)) c.fail(4, "tensor_tensor_scan takes arithmetic operators only");
        if (is_bitvec(op1)) c.fail(5, "tensor_tensor_scan takes arithmetic operators only");
        bool rev0 = c.boolean(6), rev1 = c.boolean(7);
        Instruction& ins = c.emit(Opcode::TensorTensorScan, {dst, d0, d1, it});
        ins.alu = op0;
        ins.alu1 = op1;
        ins.f0 = init;
        ins.flags = (rev0 ? kRev0 : 0) | (rev1 ? kRev1 : 0);
      });

  m.ns["reciprocal"] = isa_builtin("reciprocal", {{"dst", true}, {"data", true}, {"name", false}}, [](Ctx& c) {
    TensorObj *dst = c.tensor(0), *data = c.tensor(1);
    c.on_chip(0, dst);
    c.on_chip(1, data);
    c.same_tile(1, data, 0, dst);
    c.emit(Opcode::Reciprocal, {dst, data});
  });

  m.ns["memset"] = isa_builtin(
      "memset", {{"dst", true}, {"value", true}, {"engine", false, e.engine_unknown}, {"name", false}}, [](Ctx& c) {
        TensorObj* dst = c.tensor(0);
        c.on_chip(0, dst);
        if (!c.v[1].is_number()) c.fail(1, "value must be a number, not '" + std::string(type_name(c.v[1].k)) + "'");
        DType dt = c.dtype(dst);
        c.scalar_imm(1);
        if (!is_float(dt) && c.v[1].k == VK::Float)
          c.fail(1, "value must be an integer for the integer tensor dst (" + std::string(name_of(dt)) + ")");
        if (!is_float(dt) && dt != DType::Bool) {
          int64_t x = c.v[1].as_int();
          if (x < numerics_int_min(dt) || x > numerics_int_max(dt))
            c.fail(1, "value " + std::to_string(x) + " does not fit in " + std::string(name_of(dt)));
        }
        if (is_packed(dt) && c.v[1].as_float() != 0) c.fail(1, "packed " + std::string(name_of(dt)) + " tiles can only be set to 0");
        Engine eng = c.engine(2, Engine::Vector, {Engine::Vector, Engine::GpSimd});
        no_psum_on_gpsimd(c, eng, {{0, dst}});
        Instruction& ins = c.emit(Opcode::Memset, {dst});
        ins.engine = eng;
        ins.f0 = c.v[1].as_float();
      });
}

}  // namespace nkic::trace
