// nl.fori_loop and nl.while_loop (NKI 0.6.0, nki-spec.md §11.5): structured hardware loops. The body
// function is traced once between the Loop/EndLoop (While/EndWhile) instructions that nl.dynamic_range
// and `while reg:` emit; the simulator runs it once per iteration with the live register values.
#include "trace/loops.h"

#include "trace/dynamic.h"
#include "trace/releases.h"
#include "trace/scalars.h"

namespace nkic::trace {

namespace {

constexpr int64_t kInt32Min = -2147483648LL, kInt32Max = 2147483647LL;

// The hardware-loop rules shared by both loops (MG 0.5 -> 0.6): not inside no_reorder, a callable body.
void check_loop(Interpreter& in, const char* fname, const Value& body, Span call, Span body_span) {
  if (in.in_no_reorder())
    in.error(call, std::string("nl.") + fname + " cannot be nested in a no_reorder block",
             "put the `with nl.no_reorder():` block inside the loop body instead");
  if (body.k != VK::Function && body.k != VK::BoundMethod && body.k != VK::Builtin && body.k != VK::Instance)
    in.error(body_span,
             std::string("nl.") + fname + ": body_fun must be a function, not " + std::string(type_name(body.k)));
}

// Calls body(arg) as the loop body: a Python exception leaving it is no longer catchable.
Value call_body(Interpreter& in, const Value& body, const Value& arg, Span call) {
  CallArgs args;
  args.pos = {arg};
  args.pos_spans = {call};
  args.call_span = call;
  try {
    return in.call(body, args);
  } catch (const PyException& e) {
    in.leave_hardware_loop(e);
  }
}

}  // namespace

void add_structured_loops(ModuleObj& nl) {
  // fori_loop(lower, upper, body_fun, step=1)
  static const std::vector<Param> fori = {
      {"lower", true}, {"upper", true}, {"body_fun", true}, {"step", false, Value::integer(1)}};
  nl.ns["fori_loop"] = make_builtin("nki.language.fori_loop", fori, [](Interpreter& in, CallArgs& a) {
    auto v = in.bind(a, "fori_loop", fori);
    check_loop(in, "fori_loop", v[2], a.call_span, in.arg_span(a, fori, 2));
    int64_t bound[2] = {0, 0};
    int64_t is_reg[2] = {0, 0};
    bool plain_register = false;  // a bound is a VirtualRegister (not an NkiScalar)
    for (size_t i = 0; i < 2; ++i) {
      Span s = in.arg_span(a, fori, i);
      if (RegisterObj* r = as_register(v[i])) {
        check_scalar_use(in, v[i], "a fori_loop bound", s, true, false);
        plain_register |= !as_scalar(v[i]);
        bound[i] = r->id;
        is_reg[i] = 1;
        continue;
      }
      bound[i] = expect_int(in, v[i], s, std::string("fori_loop ") + fori[i].name);
      if (bound[i] < kInt32Min || bound[i] > kInt32Max)
        in.error(s, std::string("fori_loop ") + fori[i].name + " " + std::to_string(bound[i]) +
                        " does not fit in a 32-bit register");
    }
    Span step_span = in.arg_span(a, fori, 3);
    if (as_register(v[3]))
      in.error(step_span, "fori_loop step must be a compile-time positive int, not a register", "", "assert");
    int64_t step = expect_int(in, v[3], step_span, "fori_loop step");
    if (step <= 0 || step > kInt32Max)
      in.error(step_span, "fori_loop step must be a positive int (the loop counts up), got " + std::to_string(step), "",
               "assert");
    // The induction value (read-only: the loop, not the body, advances it): from NKI 0.7.0 an int32
    // NkiScalar unless a bound is a VirtualRegister; a VirtualRegister before (nki-spec.md §11.5).
    bool scalar_iv = !plain_register && (!in.launch.release || *in.launch.release >= Release::V0_7);
    Value iv = scalar_iv ? make_scalar(in, DType::Int32, true) : new_register(in, true);
    uint32_t begin = emit_control(in, Opcode::Loop, a.call_span);
    in.program.set_ints(in.program.instrs[begin],
                        {iv.as<RegisterObj>()->id, bound[0], bound[1], step, is_reg[0], is_reg[1]});
    Value r = call_body(in, v[2], iv, a.call_span);
    if (!r.is_none())
      in.error(in.arg_span(a, fori, 2), "fori_loop: body_fun must return None, not " + std::string(type_name(r.k)),
               "carry loop state through SBUF/HBM tensors updated in place");
    in.close_hardware_loop(begin, Opcode::EndLoop, a.call_span);
    return Value::none();
  });

  // while_loop(init, body_fun): r = init; while r != 0: r = body_fun(r)
  static const std::vector<Param> wl = {{"init", true}, {"body_fun", true}};
  nl.ns["while_loop"] = make_builtin("nki.language.while_loop", wl, [](Interpreter& in, CallArgs& a) {
    auto v = in.bind(a, "while_loop", wl);
    check_loop(in, "while_loop", v[1], a.call_span, in.arg_span(a, wl, 1));
    RegisterObj* init = as_register(v[0]);
    if (!init)
      in.error(in.arg_span(a, wl, 0), "while_loop: init must be a VirtualRegister (from nisa.register_alloc), not " +
                                          std::string(type_name(v[0].k)));
    // The condition lives in a register of the loop's own: init is passed by value.
    Value cond = new_register(in, false);
    int32_t c = cond.as<RegisterObj>()->id;
    uint32_t mv = emit_control(in, Opcode::RegisterMove, a.call_span);
    in.program.instrs[mv].i0 = c;
    in.program.instrs[mv].flags |= kFromReg;
    in.program.instrs[mv].f1 = init->id;
    uint32_t begin = emit_control(in, Opcode::While, a.call_span);
    in.program.instrs[begin].f0 = c;
    Value next = call_body(in, v[1], cond, a.call_span);
    RegisterObj* n = as_register(next);
    if (!n)
      in.error(in.arg_span(a, wl, 1),
               "while_loop: body_fun must return the next condition register (a VirtualRegister), not " +
                   std::string(type_name(next.k)),
               "load the condition with nisa.register_load(r, tile) and `return r`");
    if (n->id != c) {
      uint32_t m = emit_control(in, Opcode::RegisterMove, a.call_span);
      in.program.instrs[m].i0 = c;
      in.program.instrs[m].flags |= kFromReg;
      in.program.instrs[m].f1 = n->id;
    }
    in.close_hardware_loop(begin, Opcode::EndWhile, a.call_span);
    return Value::none();
  });
}

}  // namespace nkic::trace
