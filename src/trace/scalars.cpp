// nisa.NkiScalar (NKI 0.7.0) and nisa.NkiInstruction handles (NKI 0.6.0); see scalars.h.
#include "trace/scalars.h"

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

void scalar_arithmetic(Interpreter& in, const char* op, Span s) {
  std::string o = op;  // the CPython operator class name
  std::string sym = o == "Add" ? "+" : o == "Sub" ? "-" : o == "Mult" ? "*" : o == "USub" ? "unary -" : o;
  in.error(s,
           std::string("NkiScalar arithmetic ('") + sym +
               "') is not supported by nkic: its sequencer has no register arithmetic instruction",
           "compute the value in an int32 tile (e.g. nisa.tensor_scalar) and nisa.scalar_load the result");
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
