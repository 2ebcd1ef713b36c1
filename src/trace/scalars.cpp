// nisa.NkiScalar (NKI 0.7.0) and nisa.NkiInstruction handles (NKI 0.6.0); see scalars.h.
#include "trace/scalars.h"

#include <cstdint>

#include "trace/dynamic.h"
#include "trace/isa_common.h"
#include "trace/releases.h"

namespace nkic::trace {

namespace {

// A (1, 1) int32 or int64 tile in SBUF or HBM: what a scalar is loaded from and stored to.
const TensorObj* scalar_tile(Ctx& c, size_t i) {
  TensorObj* t = c.tensor(i);
  if (c.mem(t) == Mem::PSUM) c.fail(i, c.pname(i) + " must be in SBUF or HBM, not PSUM");
  if (t->ap.num_elements() != 1 || t->ap.dims.size() > 2)
    c.fail(i, c.pname(i) + " must be a (1, 1) tensor, not " + shape_str(*t));
  DType d = c.dtype(t);
  if (d != DType::Int32 && d != DType::Int64)
    c.fail(i, c.pname(i) + " must be int32 or int64, not " + std::string(name_of(d)),
           d == DType::UInt32 ? "unsigned dtypes are not accepted: use the signed dtype of the same width" : "");
  return t;
}

// The class of every handle (isinstance(h, nisa.NkiInstruction) works); its one method is depends_on.
const Value& instruction_class() {
  static const Value cls = [] {
    auto c = std::make_shared<ClassObj>();
    c->name = "NkiInstruction";
    c->builtin = "NkiInstruction";
    // depends_on(*producers): accepted and checked, no effect (see docs/semantics.md).
    c->ns["depends_on"] = make_builtin("nki.isa.NkiInstruction.depends_on", [](Interpreter& in, CallArgs& a) {
      for (size_t i = 1; i < a.pos.size(); ++i) {  // pos[0] is the handle itself
        const Value& p = a.pos[i];
        if (p.k != VK::Instance || p.as<InstanceObj>()->cls.o != instruction_class().o)
          in.error(a.pos_spans[i], "depends_on takes NkiInstruction handles (what nki.isa calls return), not " +
                                       std::string(type_name(p.k)));
      }
      if (!a.kw.empty()) in.error(a.call_span, "depends_on takes no keyword arguments");
      return Value::none();
    });
    return Value::wrap(VK::Class, c);
  }();
  return cls;
}

}  // namespace

const ScalarObj* as_scalar(const Value& v) {
  return v.k == VK::Register ? dynamic_cast<const ScalarObj*>(v.as<RegisterObj>()) : nullptr;
}

Value make_scalar(Interpreter& in, DType dtype, bool frozen) {
  auto r = std::make_shared<ScalarObj>();
  r->id = in.program.num_registers++;
  r->dtype = dtype;
  r->frozen = frozen;
  return Value::wrap(VK::Register, r);
}

void check_scalar_use(Interpreter& in, const Value& v, const std::string& use, Span s, bool int32_only, bool on_chip) {
  const ScalarObj* r = as_scalar(v);
  if (!r) return;
  if (r->comparison)
    in.error(s, "the result of an NkiScalar comparison cannot be used as " + use,
             "NKI 0.7.0 traces scalar comparisons but their result is unusable (only nisa.scalar_store takes it)");
  if (r->dtype != DType::Int64) return;
  if (int32_only)
    in.error(s, "an int64 NkiScalar cannot be " + use + " (the loop's trip-count comparison has no 64-bit form)",
             "load the bound from an int32 tile");
  if (on_chip)
    in.error(s, "an int64 NkiScalar can offset only an HBM view, not an SBUF/PSUM one",
             "load the offset from an int32 tile (on-chip buffers need no 64-bit offsets)");
}

void check_int64_operands(Interpreter& in, Opcode op, std::initializer_list<const TensorObj*> roles, Span s,
                          const std::string& iname) {
  bool any = false, all = true;
  for (const TensorObj* t : roles) {
    if (!t) continue;
    bool wide = t->ap.dtype == DType::Int64;
    any |= wide;
    all &= wide;
  }
  if (!any || op == Opcode::Memset || op == Opcode::RegisterLoad || op == Opcode::RegisterStore) return;
  if (op == Opcode::DmaCopy) {
    if (all) return;
    in.error(s, iname + ": a DMA does not convert int64 to or from another dtype: both sides must be int64", "",
             "validation");
  }
  in.error(s,
           iname + ": int64 tensors hold NkiScalar values only: DMA (dma_copy), memset and scalar_load/" +
               "scalar_store take them, not " + iname,
           "copy the value to an int32 tile if it fits in 32 bits", "validation");
}

namespace {

// An operand of NkiScalar arithmetic: a register, or a Python int that fits the scalar's width.
struct AluOperand {
  const ScalarObj* reg = nullptr;
  int64_t imm = 0;
};

// The width of `a op b`: the scalars' dtype (both the same). Comparison results are not operands.
DType operands_dtype(Interpreter& in, const Value& a, const Value* b, const std::string& what, Span s) {
  const ScalarObj* x = as_scalar(a);
  const ScalarObj* y = b ? as_scalar(*b) : nullptr;
  for (const ScalarObj* r : {x, y})
    if (r && r->comparison)
      in.error(s, "the result of an NkiScalar comparison cannot be used in " + what,
               "NKI 0.7.0 traces scalar comparisons but their result is unusable (only nisa.scalar_store takes it)");
  if (x && y && x->dtype != y->dtype)
    in.error(s,
             what + " of an " + std::string(name_of(x->dtype)) + " and an " + std::string(name_of(y->dtype)) +
                 " NkiScalar: the widths must match",
             "a scalar's width is fixed by the tile it was loaded from");
  return (x ? x : y)->dtype;
}

AluOperand alu_operand(Interpreter& in, const Value& v, DType dt, const std::string& what, Span s) {
  if (const ScalarObj* r = as_scalar(v)) return {r, 0};
  if (v.is_int()) {
    int64_t x = v.as_int();
    // int64 immediates travel in the instruction's double field: exact up to 2**53 (nkic's limit).
    constexpr int64_t k53 = int64_t{1} << 53;
    if (dt == DType::Int32 && (x < INT32_MIN || x > INT32_MAX))
      in.error(
          s, what + ": the int " + std::to_string(x) + " does not fit in 32 bits",
          "an int32 NkiScalar takes operands in [-2**31, 2**31); load the value from an int64 tile for more range");
    if (dt == DType::Int64 && (x < -k53 || x > k53))
      in.error(s, what + ": nkic takes int operands of int64 NkiScalars within +-2**53, not " + std::to_string(x),
               "store the constant in an int64 tile and nisa.scalar_load it");
    return {nullptr, x};
  }
  if (as_register(v))
    in.error(s, what + " takes an int or another NkiScalar, not a VirtualRegister",
             "load the value with nisa.scalar_load instead of nisa.register_load");
  in.error(s, what + " takes an int or another NkiScalar, not " + std::string(type_name(v.k)));
}

// dst = src op operand, one RegisterAlu instruction of `dt`'s width.
void emit_alu(Interpreter& in, int32_t dst, int32_t src, AluOp op, const AluOperand& b, DType dt, Span s) {
  Instruction& ins = in.program.instrs[emit_control(in, Opcode::RegisterAlu, s)];
  ins.i0 = dst;
  ins.alu = op;
  if (b.reg) {
    ins.flags |= kFromReg;
    ins.f1 = b.reg->id;
  } else {
    ins.f0 = static_cast<double>(b.imm);
  }
  in.program.set_ints(ins, {src, size_of(dt) * 8});
}

// dst = the int x (a RegisterMove).
void emit_move(Interpreter& in, int32_t dst, int64_t x, Span s) {
  Instruction& mv = in.program.instrs[emit_control(in, Opcode::RegisterMove, s)];
  mv.i0 = dst;
  mv.f0 = static_cast<double>(x);
}

}  // namespace

Value scalar_arithmetic(Interpreter& in, const char* op, const Value& a, const Value* b, Span s) {
  std::string o = op;  // the CPython operator class name
  std::string sym = o == "Add"    ? "+"
                    : o == "Sub"  ? "-"
                    : o == "Mult" ? "*"
                    : o == "USub" ? "unary -"
                    : o == "UAdd" ? "unary +"
                                  : o;
  bool binary_ok = b && (o == "Add" || o == "Sub" || o == "Mult");
  if (!binary_ok && !(!b && o == "USub"))
    in.error(s, "NkiScalar arithmetic ('" + sym + "') is not supported: an NkiScalar takes +, - and * only",
             "compute the value in an int32 tile (e.g. nisa.tensor_scalar) and nisa.scalar_load the result");
  std::string what = "NkiScalar arithmetic ('" + sym + "')";
  DType dt = operands_dtype(in, a, b, what, s);
  Value r = make_scalar(in, dt);  // each result is a fresh register: scalars are values, never updated in place
  int32_t dst = r.as<RegisterObj>()->id;
  if (!b) {  // -a = a * -1 (wraps like two's complement negation: -(-2**31) == -2**31)
    emit_alu(in, dst, as_scalar(a)->id, AluOp::Multiply, {nullptr, -1}, dt, s);
    return r;
  }
  AluOperand x = alu_operand(in, a, dt, what, s), y = alu_operand(in, *b, dt, what, s);
  AluOp alu = o == "Add" ? AluOp::Add : o == "Sub" ? AluOp::Subtract : AluOp::Multiply;
  if (!x.reg && o == "Sub") {  // int - scalar: the int into dst first (the source must be a register)
    emit_move(in, dst, x.imm, s);
    emit_alu(in, dst, dst, alu, y, dt, s);
  } else if (!x.reg) {  // int + scalar, int * scalar: commutative
    emit_alu(in, dst, y.reg->id, alu, x, dt, s);
  } else {
    emit_alu(in, dst, x.reg->id, alu, y, dt, s);
  }
  return r;
}

Value scalar_compare(Interpreter& in, ast::CmpOpKind op, const Value& a, const Value& b, Span s) {
  using K = ast::CmpOpKind;
  static const char* syms[] = {"==", "!=", "<", "<=", ">", ">="};
  if (op != K::Eq && op != K::NotEq && op != K::Lt && op != K::LtE && op != K::Gt && op != K::GtE)
    in.error(s, "an NkiScalar supports the comparisons <, <=, >, >=, == and != only, not '" +
                    std::string(ast::name_of(op)) + "'");
  std::string what = std::string("an NkiScalar comparison ('") + syms[static_cast<int>(op)] + "')";
  DType dt = operands_dtype(in, a, &b, what, s);
  if (dt == DType::Int64)
    in.error(s, what + " of int64 NkiScalars is rejected in NKI 0.7.0 (there is no 64-bit comparison)",
             "compare int32 scalars (load the values from int32 tiles)");
  AluOperand x = alu_operand(in, a, dt, what, s), y = alu_operand(in, b, dt, what, s);
  if (!x.reg) {  // int op scalar == scalar op' int, op' the mirrored comparison
    std::swap(x, y);
    op = op == K::Lt ? K::Gt : op == K::LtE ? K::GtE : op == K::Gt ? K::Lt : op == K::GtE ? K::LtE : op;
  }
  AluOp alu = op == K::Eq      ? AluOp::Equal
              : op == K::NotEq ? AluOp::NotEqual
              : op == K::Lt    ? AluOp::Less
              : op == K::LtE   ? AluOp::LessEqual
              : op == K::Gt    ? AluOp::Greater
                               : AluOp::GreaterEqual;
  Value r = make_scalar(in, DType::Int32);
  auto* res = r.as<ScalarObj>();
  res->comparison = true;
  emit_alu(in, res->id, x.reg->id, alu, y, dt, s);
  return r;
}

Value wrap_instruction(std::shared_ptr<InstanceObj> inst) {
  inst->cls = instruction_class();
  return Value::wrap(VK::Instance, std::move(inst));
}

Value instruction_handle(Interpreter& in) {
  if (in.launch.legacy || (in.launch.release && *in.launch.release < Release::V0_6)) return Value::none();
  return wrap_instruction(std::make_shared<InstanceObj>());
}

void add_isa_scalars(ModuleObj& m) {
  m.ns["NkiInstruction"] = instruction_class();
  // NkiScalar: the type's name (values come from scalar_load; they are registers, not instances of it).
  auto scalar_cls = std::make_shared<ClassObj>();
  scalar_cls->name = scalar_cls->builtin = "NkiScalar";
  m.ns["NkiScalar"] = Value::wrap(VK::Class, scalar_cls);

  // scalar_load(src) -> NkiScalar
#define SCALAR_LOAD_PARAMS(X) X(src, kRequired)
  NKIC_PARAM_POSITIONS(LoadP, SCALAR_LOAD_PARAMS);
  static const std::vector<Param> load_ps = NKIC_SIGNATURE(SCALAR_LOAD_PARAMS);
  m.ns["scalar_load"] = make_builtin("nki.isa.scalar_load", load_ps, [](Interpreter& in, CallArgs& a) {
    static const std::string name = "scalar_load";
    Ctx c{in, a, name, load_ps, in.bind(a, name, load_ps)};
    const TensorObj* src = scalar_tile(c, LoadP::src);
    Value s = make_scalar(in, c.dtype(src));
    c.emit(Opcode::RegisterLoad, {src}).i0 = s.as<RegisterObj>()->id;
    return s;
  });

  // scalar_store(dst, value)
#define SCALAR_STORE_PARAMS(X) X(dst, kRequired) X(value, kRequired)
  NKIC_PARAM_POSITIONS(StoreP, SCALAR_STORE_PARAMS);
  static const std::vector<Param> store_ps = NKIC_SIGNATURE(SCALAR_STORE_PARAMS);
  m.ns["scalar_store"] = make_builtin("nki.isa.scalar_store", store_ps, [](Interpreter& in, CallArgs& a) {
    static const std::string name = "scalar_store";
    Ctx c{in, a, name, store_ps, in.bind(a, name, store_ps)};
    const TensorObj* dst = scalar_tile(c, StoreP::dst);
    const Value& v = c.v[StoreP::value];
    const ScalarObj* s = as_scalar(v);
    if (!s) {
      if (v.is_int()) c.fail(StoreP::value, "value must be an NkiScalar, not a Python int", "use nisa.memset");
      if (as_register(v))
        c.fail(StoreP::value, "value must be an NkiScalar, not a VirtualRegister", "use nisa.register_store");
      c.fail(StoreP::value, "value must be an NkiScalar (from nisa.scalar_load), not " + std::string(type_name(v.k)));
    }
    if (s->dtype != c.dtype(dst))
      c.fail(StoreP::dst, "dst is " + std::string(name_of(c.dtype(dst))) + " but value is an " +
                              std::string(name_of(s->dtype)) + " NkiScalar: scalar_store needs the same width");
    c.emit(Opcode::RegisterStore, {dst}).i0 = s->id;
    return instruction_handle(in);
  });
}

}  // namespace nkic::trace
