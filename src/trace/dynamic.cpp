// Registers, hardware loops and dynamic DMA offsets (see dynamic.h).
#include "trace/dynamic.h"

#include "ir/verify.h"

#include "trace/isa_common.h"
#include "trace/scalars.h"

namespace nkic::trace {

using ast::Stmt;

namespace {

constexpr int64_t kInt32Min = -2147483648LL, kInt32Max = 2147483647LL;

int64_t int32_immediate(Interpreter& in, const Value& v, Span s, const std::string& what) {
  int64_t x = expect_int(in, v, s, what);
  if (x < kInt32Min || x > kInt32Max)
    in.error(s, what + " " + std::to_string(x) + " does not fit in a 32-bit register");
  return x;
}

RegisterObj* expect_register(Ctx& c, size_t i, bool writable) {
  RegisterObj* r = as_register(c.v[i]);
  if (!r)
    c.fail(i, c.pname(i) + " must be a VirtualRegister (from nisa.register_alloc), not " +
                  std::string(type_name(c.v[i].k)));
  const ScalarObj* sc = as_scalar(c.v[i]);
  if (sc && !(writable && sc->frozen) && (writable || sc->dtype == DType::Int64 || sc->comparison))
    c.fail(i,
           c.pname(i) + " must be a VirtualRegister: an NkiScalar " +
               (writable ? "is a value (never written)" : "of this kind is not a 32-bit register value"),
           "use nisa.scalar_load / nisa.scalar_store for NkiScalars");
  if (writable && r->frozen)
    c.fail(i, "the induction variable of a dynamic_range loop is read-only",
           "copy it into another register with nisa.register_move if you need to change it");
  return r;
}

// A single-element tensor ([1] or [1, 1]) of an integer dtype in SBUF or HBM.
const TensorObj* register_tensor(Ctx& c, size_t i) {
  TensorObj* t = c.tensor(i);
  if (c.mem(t) == Mem::PSUM) c.fail(i, c.pname(i) + " must be in SBUF or HBM, not PSUM");
  if (t->ap.num_elements() != 1 || t->ap.dims.size() > 2)
    c.fail(i, c.pname(i) + " must be a single-element tensor ([1] or [1, 1]), not " + shape_str(*t));
  if (!is_int(c.dtype(t)) || size_of(c.dtype(t)) > 4)
    c.fail(i, c.pname(i) + " must have an integer dtype of at most 32 bits, not " + std::string(name_of(c.dtype(t))),
           "registers hold 32-bit integers; use an int32 tensor");
  return t;
}

}  // namespace

RegisterObj* as_register(const Value& v) { return v.k == VK::Register ? v.as<RegisterObj>() : nullptr; }

void add_isa_registers(ModuleObj& m) {
  static const std::vector<Param> ps = {{"x", false}};
  m.ns["register_alloc"] = make_builtin("nki.isa.register_alloc", ps, [](Interpreter& in, CallArgs& a) {
    auto v = in.bind(a, "register_alloc", ps);
    Value r = new_register(in, false);
    if (!v[0].is_none()) {
      if (v[0].k == VK::Tensor)
        in.error(in.arg_span(a, ps, 0), "register_alloc(x) takes an int; load a tensor value with nisa.register_load");
      int64_t x = int32_immediate(in, v[0], in.arg_span(a, ps, 0), "register_alloc initial value");
      uint32_t i = emit_control(in, Opcode::RegisterMove, a.call_span);
      in.program.instrs[i].i0 = r.as<RegisterObj>()->id;
      in.program.instrs[i].f0 = static_cast<double>(x);
    }
    return r;
  });
  // register_move/register_load/register_store(dst, src)
#define REGISTER_PARAMS(X) X(dst, kRequired) X(src, kRequired)
  NKIC_PARAM_POSITIONS(P, REGISTER_PARAMS);
  m.ns["register_move"] = isa_builtin("register_move", NKIC_SIGNATURE(REGISTER_PARAMS), [](Ctx& c) {
    RegisterObj* dst = expect_register(c, P::dst, true);
    Instruction* ins;
    const Value& src_arg = c.v[P::src];
    if (RegisterObj* src = as_register(src_arg)) {
      ins = &c.emit(Opcode::RegisterMove, {});
      ins->flags |= kFromReg;
      ins->f1 = src->id;
    } else {
      if (!src_arg.is_int())
        c.fail(P::src, "src must be an int or a VirtualRegister, not " + std::string(type_name(src_arg.k)));
      int64_t x = int32_immediate(c.in, src_arg, c.span(P::src), "src");
      ins = &c.emit(Opcode::RegisterMove, {});
      ins->f0 = static_cast<double>(x);
    }
    ins->i0 = dst->id;
  });
  m.ns["register_load"] = isa_builtin("register_load", NKIC_SIGNATURE(REGISTER_PARAMS), [](Ctx& c) {
    RegisterObj* dst = expect_register(c, P::dst, true);
    const TensorObj* src = register_tensor(c, P::src);
    c.emit(Opcode::RegisterLoad, {src}).i0 = dst->id;
  });
  m.ns["register_store"] = isa_builtin("register_store", NKIC_SIGNATURE(REGISTER_PARAMS), [](Ctx& c) {
    const TensorObj* dst = register_tensor(c, P::dst);
    RegisterObj* src = expect_register(c, P::src, false);
    c.emit(Opcode::RegisterStore, {dst}).i0 = src->id;
  });
}

void add_dynamic_range(ModuleObj& nl) {
  static const std::vector<Param> ps = {{"start", true}, {"stop", false}, {"step", false, Value::integer(1)}};
  nl.ns["dynamic_range"] = make_builtin("nki.language.dynamic_range", ps, [](Interpreter& in, CallArgs& a) {
    auto v = in.bind(a, "dynamic_range", ps);
    auto r = std::make_shared<RangeObj>();
    r->kind = "dynamic_range";
    Value start = v[0], stop = v[1];
    if (stop.is_none()) {
      stop = start;
      start = Value::integer(0);
    }
    auto bound = [&](const Value& b, size_t pi, int64_t& imm, int32_t& reg) {
      if (RegisterObj* rg = as_register(b)) {
        check_scalar_use(in, b, "a dynamic_range bound", in.arg_span(a, ps, pi), true, false);
        reg = rg->id;
      } else {
        imm = int32_immediate(in, b, in.arg_span(a, ps, pi), std::string(ps[pi].name));
      }
    };
    bound(start, 0, r->start, r->start_reg);
    bound(stop, v[1].is_none() ? 0 : 1, r->stop, r->stop_reg);
    if (as_register(v[2]))
      in.error(in.arg_span(a, ps, 2), "dynamic_range step must be a compile-time positive int, not a register", "",
               "assert");
    r->step = expect_int(in, v[2], in.arg_span(a, ps, 2), "dynamic_range step");
    if (r->step <= 0 || r->step > kInt32Max)
      in.error(in.arg_span(a, ps, 2), "dynamic_range step must be a positive int, got " + std::to_string(r->step), "",
               "assert");
    return Value::wrap(VK::Range, r);
  });
}

Value Interpreter::open_dynamic_for(const RangeObj& r, Span at, uint32_t& begin) {
  Value iv = new_register(*this, true);
  begin = emit_control(*this, Opcode::Loop, at);
  program.set_ints(program.instrs[begin],
                   {iv.as<RegisterObj>()->id, r.start_reg >= 0 ? r.start_reg : r.start,
                    r.stop_reg >= 0 ? r.stop_reg : r.stop, r.step, r.start_reg >= 0 ? 1 : 0, r.stop_reg >= 0 ? 1 : 0});
  return iv;
}

void Interpreter::close_hardware_loop(uint32_t begin, Opcode end_op, Span at) {
  uint32_t end = emit_control(*this, end_op, at);
  program.instrs[begin].i0 = static_cast<int32_t>(end);
  program.instrs[end].i0 = static_cast<int32_t>(begin);
}

Interpreter::Flow Interpreter::exec_dynamic_for(const Stmt* s, const RangeObj& r) {
  if (s->target->kind != ast::ExprKind::Name)
    error(s->target->span, "the target of a dynamic_range loop must be a single name");
  uint32_t begin = 0;
  Value iv = open_dynamic_for(r, s->iter->span, begin);
  assign(s->target, iv);
  return trace_hardware_loop(s, begin, Opcode::EndLoop, s->iter->span, "a dynamic_range loop");
}

Interpreter::Flow Interpreter::exec_dynamic_while(const Stmt* s, const RegisterObj& cond) {
  uint32_t begin = emit_control(*this, Opcode::While, s->test->span);
  program.instrs[begin].f0 = cond.id;
  return trace_hardware_loop(s, begin, Opcode::EndWhile, s->test->span, "a `while` loop on a register");
}

Interpreter::Flow Interpreter::trace_hardware_loop(const Stmt* s, uint32_t begin, Opcode end_op, Span at,
                                                   const char* what) {
  if (no_reorder_depth_ > 0)
    error(s->span, "Dynamic control-flow cannot be nested with a no_reorder block",
          "put the `with nl.no_reorder():` block inside the loop body instead");
  Flow f = exec_block(s->body);
  if (f != Flow::Normal)
    error(s->span, std::string("'") +
                       (f == Flow::Return  ? "return"
                        : f == Flow::Break ? "break"
                                           : "continue") +
                       "' cannot leave " + what + ": its body runs on the device");
  close_hardware_loop(begin, end_op, at);
  return exec_block(s->orelse);
}

namespace {

// The vector_offset index tile as a 2-D [P, C] pattern: element w of indices.T.flatten() is at
// partition w % P, column w / P. A tile of more dims counts only if its dims after the partition dim
// multiply to 1 (nki-library's router_topk passes [P, 1, 1] column views): one index per partition.
AccessPattern index_tile(Interpreter& in, const AccessPattern& t, Span s) {
  AccessPattern out = t;
  if (t.dims.size() == 2) return out;
  int64_t per_row = 1;
  for (size_t i = 1; i < t.dims.size(); ++i) per_row *= t.dims[i].num;
  if (per_row != 1) {
    std::string shape;
    for (auto& d : t.dims) shape += (shape.empty() ? "" : ", ") + std::to_string(d.num);
    in.error(s,
             "vector_offset must hold one index per partition: its dims after the partition dim must multiply to 1 "
             "(a [P, 1] or [P, 1, 1] tile), not [" +
                 shape + "]",
             "pass one column of indices at a time, e.g. idx[:, k:k + 1] of a [P, K] tile");
  }
  out.dims = {t.dims[0], {1, 1}};
  return out;
}

}  // namespace

std::shared_ptr<const DynamicOffset> dynamic_offset(Interpreter& in, const TensorDecl& base, const AccessPattern& view,
                                                    AccessPattern& ap, const Value& scalar_offset,
                                                    const Value& vector_offset, const Value& indirect_dim,
                                                    const Span spans[3]) {
  if (scalar_offset.is_none() && vector_offset.is_none()) return nullptr;
  if (!scalar_offset.is_none() && !vector_offset.is_none())
    in.error(spans[1], "scalar_offset and vector_offset cannot be used together");
  int64_t rank = static_cast<int64_t>(view.dims.size());
  int64_t dim = expect_int(in, indirect_dim, spans[2], "indirect_dim");
  if (dim < 0 || dim >= rank)
    in.error(spans[2], "indirect_dim must be a dimension of the tensor (0.." + std::to_string(rank - 1) + "), got " +
                           std::to_string(dim));
  // One unit of the offset is one step along dim of the view .ap() is called on (its stride after
  // reshape, slicing or .view()), in elements of the pattern's dtype.
  int64_t bytes = view.dims[dim].stride * size_of(view.dtype);
  if (bytes % size_of(ap.dtype) != 0)
    in.error(spans[2],
             "the indexed dimension's stride is not a whole number of " + std::string(name_of(ap.dtype)) + " elements");
  auto d = std::make_shared<DynamicOffset>();
  d->multiplier = bytes / size_of(ap.dtype);
  if (scalar_offset.is_int()) {  // known at compile time (ncc.rank_id() is): a static offset of the pattern
    int64_t step = 0;
    if (__builtin_mul_overflow(scalar_offset.as_int(), d->multiplier, &step) ||
        __builtin_add_overflow(ap.offset, step, &ap.offset))
      in.error(spans[1], "scalar_offset is too large");
    if (std::string why = check_access_pattern(in.program, ap); !why.empty())
      in.error(spans[1], "scalar_offset " + std::to_string(scalar_offset.as_int()) + " moves the pattern outside '" +
                             base.name + "': " + why);
    return nullptr;
  }
  auto index_tensor = [&](const Value& v, Span s, const char* what) -> const TensorObj* {
    const TensorObj* t = expect_tensor(in, v, s, what);
    if (t->dyn) in.error(s, std::string(what) + " cannot itself have a dynamic offset");
    const TensorDecl& td = in.program.tensors[t->ap.tensor];
    if (td.mem != Mem::SBUF) in.error(s, std::string(what) + " must be in SBUF, not " + std::string(name_of(td.mem)));
    DType dt = t->ap.dtype;
    if (dt != DType::Int32 && dt != DType::UInt32)
      in.error(s, std::string(what) + " must be int32 or uint32, not " + std::string(name_of(dt)));
    return t;
  };
  if (!scalar_offset.is_none()) {
    if (RegisterObj* r = as_register(scalar_offset)) {
      check_scalar_use(in, scalar_offset, "a scalar_offset", spans[0], false, base.mem != Mem::HBM);
      d->kind = DynKind::ScalarRegister;
      d->reg = r->id;
    } else {
      const TensorObj* t = index_tensor(scalar_offset, spans[0], "scalar_offset");
      if (t->ap.num_elements() != 1)
        in.error(spans[0], "scalar_offset must be a [1, 1] tensor or a VirtualRegister, not a tensor of " +
                               std::to_string(t->ap.num_elements()) + " elements");
      d->kind = DynKind::ScalarTensor;
      d->index = t->ap;
    }
    return d;
  }
  const TensorObj* t = index_tensor(vector_offset, spans[1], "vector_offset");
  if (base.mem != Mem::HBM)
    in.error(spans[1], "vector_offset indexes rows of an HBM tensor; '" + base.name + "' is in " +
                           std::string(name_of(base.mem)));
  if (dim != 0) in.error(spans[2], "vector_offset supports only indirect_dim=0");
  // Row w of the view uses index element w of indices.T.flatten(): a [P, 1] tile gives one row per
  // partition; the gather-transpose of dma_transpose takes wider [P, C] tiles (checked by each user).
  AccessPattern index = index_tile(in, t->ap, spans[1]);
  if (index.num_elements() < ap.dims[0].num)
    in.error(spans[1], "vector_offset must have at least one index per row of the pattern (" +
                           std::to_string(ap.dims[0].num) + " rows), not " + std::to_string(index.num_elements()));
  d->kind = DynKind::Vector;
  d->index = std::move(index);
  ap.dims[0].stride = d->multiplier;  // the leading step is replaced by the row size
  return d;
}

void record_dynamic_operand(Interpreter& in, uint32_t operand, const TensorObj& t) {
  if (!t.dyn) return;
  uint32_t i = static_cast<uint32_t>(in.program.instrs.size() - 1);
  in.program.instrs[i].flags |= kDynamic;
  in.program.dynamic.push_back({i, operand, *t.dyn});
}

Value new_register(Interpreter& in, bool frozen) {
  auto r = std::make_shared<RegisterObj>();
  r->id = in.program.num_registers++;
  r->frozen = frozen;
  return Value::wrap(VK::Register, r);
}

uint32_t emit_control(Interpreter& in, Opcode op, Span s) {
  Instruction ins;
  ins.op = op;
  ins.engine = default_engine(op);
  ins.loc = in.loc_here(s);
  in.program.emit(ins, {});
  return static_cast<uint32_t>(in.program.instrs.size() - 1);
}

}  // namespace nkic::trace
