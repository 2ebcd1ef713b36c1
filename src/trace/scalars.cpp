// nisa.NkiScalar (NKI 0.7.0) and nisa.NkiInstruction handles (NKI 0.6.0); see scalars.h.
#include "trace/scalars.h"

#include <cstdint>

#include "trace/dynamic.h"
#include "trace/isa_common.h"
#include "trace/releases.h"

namespace nkic::trace {

namespace {

// A (1, 1) int32 tile in SBUF or HBM: what a scalar is loaded from and stored to. nkic has no 64-bit
// dtype (registers hold 32 bits), so int64 scalars are not available.
const TensorObj* scalar_tile(Ctx& c, size_t i) {
  TensorObj* t = c.tensor(i);
  if (c.mem(t) == Mem::PSUM) c.fail(i, c.pname(i) + " must be in SBUF or HBM, not PSUM");
  if (t->ap.num_elements() != 1 || t->ap.dims.size() > 2)
    c.fail(i, c.pname(i) + " must be a (1, 1) tensor, not " + shape_str(*t));
  if (c.dtype(t) != DType::Int32)
    c.fail(i, c.pname(i) + " must be int32, not " + std::string(name_of(c.dtype(t))),
           "nkic's NkiScalar is 32-bit only (int64 scalars are not supported: nkic has no 64-bit dtype)");
  return t;
}

Value make_scalar(Interpreter& in) {
  auto r = std::make_shared<ScalarObj>();
  r->id = in.program.num_registers++;
  return Value::wrap(VK::Register, r);
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

namespace {

// An operand of NkiScalar arithmetic: a register, or a Python int that fits in 32 bits.
struct AluOperand {
  const ScalarObj* reg = nullptr;
  int64_t imm = 0;
};

AluOperand alu_operand(Interpreter& in, const Value& v, const std::string& sym, Span s) {
  if (const ScalarObj* r = as_scalar(v)) return {r, 0};
  if (v.is_int()) {
    int64_t x = v.as_int();
    if (x < INT32_MIN || x > INT32_MAX)
      in.error(s, "NkiScalar arithmetic ('" + sym + "'): the int " + std::to_string(x) + " does not fit in 32 bits",
               "an NkiScalar is an int32: use an operand in [-2**31, 2**31)");
    return {nullptr, x};
  }
  if (as_register(v))
    in.error(s, "NkiScalar arithmetic ('" + sym + "') takes an int or another NkiScalar, not a VirtualRegister",
             "load the value with nisa.scalar_load instead of nisa.register_load");
  in.error(
      s, "NkiScalar arithmetic ('" + sym + "') takes an int or another NkiScalar, not " + std::string(type_name(v.k)));
}

// dst = src op operand, one RegisterAlu instruction.
void emit_alu(Interpreter& in, int32_t dst, int32_t src, AluOp op, const AluOperand& b, Span s) {
  Instruction& ins = in.program.instrs[emit_control(in, Opcode::RegisterAlu, s)];
  ins.i0 = dst;
  ins.alu = op;
  if (b.reg) {
    ins.flags |= kFromReg;
    ins.f1 = b.reg->id;
  } else {
    ins.f0 = static_cast<double>(b.imm);
  }
  in.program.set_ints(ins, {src});
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
  Value r = make_scalar(in);  // each result is a fresh register: scalars are values, never updated in place
  int32_t dst = r.as<RegisterObj>()->id;
  if (!b) {  // -a = a * -1 (wraps like two's complement negation: -(-2**31) == -2**31)
    emit_alu(in, dst, as_scalar(a)->id, AluOp::Multiply, {nullptr, -1}, s);
    return r;
  }
  AluOperand x = alu_operand(in, a, sym, s), y = alu_operand(in, *b, sym, s);
  AluOp alu = o == "Add" ? AluOp::Add : o == "Sub" ? AluOp::Subtract : AluOp::Multiply;
  if (!x.reg && o == "Sub") {  // int - scalar: the int into dst first (the source must be a register)
    Instruction& mv = in.program.instrs[emit_control(in, Opcode::RegisterMove, s)];
    mv.i0 = dst;
    mv.f0 = static_cast<double>(x.imm);
    emit_alu(in, dst, dst, alu, y, s);
  } else if (!x.reg) {  // int + scalar, int * scalar: commutative
    emit_alu(in, dst, y.reg->id, alu, x, s);
  } else {
    emit_alu(in, dst, x.reg->id, alu, y, s);
  }
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
    Value s = make_scalar(in);
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
    c.emit(Opcode::RegisterStore, {dst}).i0 = s->id;
    return instruction_handle(in);
  });
}

}  // namespace nkic::trace
