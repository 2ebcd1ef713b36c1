// nki.isa: the module (enums, constants) and the helpers shared by the instruction families. Each
// builtin binds the exact 0.3.0 signature, validates the hardware rules, and appends one instruction
// to the Program. The instructions themselves are in isa_<family>.cpp.
#include "numerics/activation.h"
#include "trace/dynamic.h"
#include "trace/isa_common.h"
#include "trace/scalars.h"

namespace nkic::trace {

namespace {

Value module_value(std::shared_ptr<ModuleObj> m) {
  Value v;
  v.k = VK::Module;
  v.o = std::move(m);
  return v;
}

Value enum_member(const std::string& cls, const std::string& name, int64_t value) {
  auto e = std::make_shared<EnumObj>();
  e->cls = cls;
  e->name = name;
  e->value = value;
  Value v;
  v.k = VK::Enum;
  v.o = e;
  return v;
}

std::shared_ptr<ModuleObj> make_enum(const std::string& cls,
                                     std::initializer_list<std::pair<const char*, int64_t>> members) {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.isa." + cls;
  for (auto& [n, v] : members) m->ns[n] = enum_member(cls, n, v);
  return m;
}

// nisa.engine members by value (0.3.0): the nkic Engine each names.
constexpr std::pair<const char*, Engine> kEngineMembers[] = {
    {"unknown", Engine::Unknown}, {"tensor", Engine::Tensor}, {"scalar", Engine::Scalar}, {"gpsimd", Engine::GpSimd},
    {"dma", Engine::DMA},         {"vector", Engine::Vector}, {"sync", Engine::Sync}};

template <class E>
constexpr int64_t value_of(E e) {
  return static_cast<int64_t>(e);
}

std::string ops_allowed(uint8_t uses) {
  if (uses & kActivation) return "an activation function such as nl.exp or nl.copy";
  if (uses == kReduce) return "a reduction operator such as nl.add or nl.maximum";
  return "an ALU operator such as nl.add or nl.multiply";
}

}  // namespace

std::string shape_str(const TensorObj& t) {
  std::string s = "[";
  auto sh = t.shape();
  for (size_t i = 0; i < sh.size(); ++i) s += (i ? ", " : "") + std::to_string(sh[i]);
  return s + "]";
}

void Ctx::needs_nc(size_t i, int version, const std::string& hint, const char* with) {
  if (in.tgt.nc_version < version)
    fail(i,
         "needs NeuronCore-v" + std::to_string(version) + " or later" + with + " (target is NeuronCore-v" +
             std::to_string(in.tgt.nc_version) + ")",
         hint);
}

void Ctx::since(size_t i, Release r) {
  if (in.launch.release && *in.launch.release < r)
    fail(i,
         "parameter '" + pname(i) + "' is not in NKI " + std::string(name_of(*in.launch.release)) +
             ": it was added in NKI " + std::string(name_of(r)),
         "select NKI " + std::string(name_of(r)) + " or later (NKIC_NKI_RELEASE, nkic --nki)");
}

void Ctx::on_chip(size_t i, const TensorObj* t) {
  if (mem(t) == Mem::HBM)
    fail(i, pname(i) + " must be in SBUF or PSUM, but it is in HBM",
         "load it into an SBUF tile with nisa.dma_copy first");
  int64_t p = parts(t);
  if (p > in.tgt.partitions)
    fail(i, pname(i) + " partition dimension " + std::to_string(p) + " exceeds the maximum of " +
                std::to_string(in.tgt.partitions));
}

void Ctx::sbuf_only(size_t i, const TensorObj* t, const char* engine) {
  on_chip(i, t);
  if (mem(t) != Mem::SBUF)
    fail(i, pname(i) + " must be in SBUF (" + engine + " cannot access PSUM)",
         "copy it to SBUF with nisa.tensor_copy first");
}

void Ctx::same_tile(size_t i, const TensorObj* t, size_t j, const TensorObj* u) {
  if (parts(t) != parts(u) || elems(t) != elems(u))
    fail(j, pname(j) + " " + shape_str(*u) + " does not match " + pname(i) + " " + shape_str(*t) +
                " (partition counts and elements per partition must be equal)");
}

void Ctx::one_input(size_t d, const TensorObj* dst, size_t s, const TensorObj* src) {
  on_chip(d, dst);
  on_chip(s, src);
  same_tile(s, src, d, dst);
}

void Ctx::two_inputs(size_t d, const TensorObj* dst, size_t a, const TensorObj* ta, size_t b, const TensorObj* tb) {
  on_chip(d, dst);
  on_chip(a < b ? a : b, a < b ? ta : tb);  // argument order, so the first bad argument is reported
  on_chip(a < b ? b : a, a < b ? tb : ta);
  same_tile(a, ta, d, dst);
  same_tile(a, ta, b, tb);
  not_both_psum(a, ta, b, tb);
}

void Ctx::not_both_psum(size_t i, const TensorObj* t, size_t j, const TensorObj* u) {
  if (mem(t) == Mem::PSUM && mem(u) == Mem::PSUM)
    fail(j, pname(i) + " and " + pname(j) + " cannot both be in PSUM", "copy one of them to SBUF first");
}

void Ctx::partitions_by(size_t i, const TensorObj* t, int64_t np, int64_t k, const std::string& why) {
  if (parts(t) != np || elems(t) != k)
    fail(i, pname(i) + " " + shape_str(*t) + " must have " + std::to_string(np) + " partitions and " +
                std::to_string(k) + " elements per partition" + (why.empty() ? "" : " (" + why + ")"));
}

void Ctx::column(size_t i, const TensorObj* t, int64_t P) {
  on_chip(i, t);
  if (parts(t) != P || elems(t) != 1)
    fail(i,
         pname(i) + " " + shape_str(*t) + " must be a (" + std::to_string(P) + ", 1) tile (one value per partition)");
}

int64_t Ctx::int32_imm(size_t i, int64_t x, const std::string& what, bool allow_uint32) {
  int64_t hi = allow_uint32 ? int64_t{UINT32_MAX} : int64_t{INT32_MAX};
  if (x < INT32_MIN || x > hi)
    fail(i, what + " " + std::to_string(x) + " is outside the 32-bit range of ISA integer immediates [" +
                std::to_string(INT32_MIN) + ", " + std::to_string(hi) + "]");
  return x;
}

void Ctx::scalar_imm(size_t i) {
  if (v[i].k == VK::Int) int32_imm(i, v[i].i, pname(i), true);
}

TensorObj* Ctx::scalar_or_column(size_t i, int64_t P, double* num, bool allow_tile) {
  if (v[i].is_number()) {
    scalar_imm(i);
    *num = v[i].as_float();
    return nullptr;
  }
  if (v[i].k == VK::Tensor && allow_tile) {
    TensorObj* t = v[i].as<TensorObj>();
    column(i, t, P);
    return t;
  }
  fail(i, pname(i) + " must be a compile-time number" + std::string(allow_tile ? " or a (P, 1) tile" : "") + ", not '" +
              type_name(v[i].k) + "'");
}

AluOp Ctx::op(size_t i, uint8_t uses, const char* what) {
  if (v[i].k != VK::Op)
    fail(i, pname(i) + " must be " + ops_allowed(uses) + ", not '" + std::string(type_name(v[i].k)) + "'");
  AluOp o = v[i].as_op();
  if (!(op_uses(o) & uses)) fail(i, "nl." + std::string(name_of(o)) + " is not " + what);
  if (o == AluOp::AbsMax || o == AluOp::AbsMin)
    needs_nc(i, 4, kTrn3Hint, (" for nl." + std::string(name_of(o))).c_str());
  return canonical(o);
}

int64_t Ctx::enum_value(size_t i, const char* cls) {
  // dge_mode also takes its raw value: nki-library's mlp_tkg passes `dge_mode=3` ("STATIC DMA mode") and ran
  // on hardware; every other enum parameter rejects raw ints, as 0.3.0 documents.
  if (v[i].is_int() && std::string(cls) == "dge_mode" && v[i].as_int() >= 0 && v[i].as_int() <= 3) return v[i].as_int();
  if (v[i].k != VK::Enum || v[i].as<EnumObj>()->cls != cls) {
    std::string hint = v[i].is_int() ? "raw integers are not accepted for enum parameters in NKI 0.3.0" : "";
    fail(i, pname(i) + " must be a member of nisa." + cls + ", not " + repr(v[i]),
         hint.empty() ? "" : hint + "; use nisa." + cls + ".<member>");
  }
  return v[i].as<EnumObj>()->value;
}

bool Ctx::boolean(size_t i) {
  if (v[i].k != VK::Bool) fail(i, pname(i) + " must be True or False, not " + repr(v[i]));
  return v[i].b;
}

Accumulate Ctx::accumulate(size_t i) {
  if (!given(i)) return Accumulate::Auto;
  return boolean(i) ? Accumulate::Accumulate : Accumulate::Overwrite;
}

Engine Ctx::engine_member(size_t i) { return kEngineMembers[enum_value(i, "engine")].second; }

Engine Ctx::engine(size_t i, Engine def, std::initializer_list<Engine> allowed) {
  Engine eng = engine_member(i);
  if (eng == Engine::Unknown) return def;
  for (Engine a : allowed)
    if (a == eng) return eng;
  std::string names;
  for (Engine a : allowed) names += (names.empty() ? "" : ", ") + std::string("nisa.engine.") + std::string(name_of(a));
  fail(i, "engine " + std::string(name_of(eng)) + " is not supported; use " + names + " or nisa.engine.unknown");
}

void Ctx::float_dtype(size_t i, const TensorObj* t) {
  if (!is_float(dtype(t))) fail(i, pname(i) + " must have a float dtype, not " + std::string(name_of(dtype(t))));
}

void Ctx::int_dtype(size_t i, const TensorObj* t) {
  if (is_float(dtype(t))) fail(i, pname(i) + " must have an integer dtype, not " + std::string(name_of(dtype(t))));
}

Instruction& Ctx::emit(Opcode op, std::initializer_list<const TensorObj*> roles) {
  check_int64_operands(in, op, roles, a.call_span, iname);  // int64 tiles only move (NKI 0.7.0)
  if (in.has_deferred_zero())  // a deferred nl.zeros PSUM tile touched here is zeroed first
    for (const TensorObj* t : roles)
      if (t) in.settle_deferred_zero(*t, false);
  Instruction ins;
  ins.op = op;
  ins.engine = default_engine(op);
  APRef ops[32];
  if (roles.size() > std::size(ops)) throw std::logic_error("Ctx::emit: too many operands");
  size_t n = 0;
  int r = 0;
  for (const TensorObj* t : roles) {
    if (t) {
      ops[n++] = t->ap;
      if (r < 8) ins.present |= static_cast<uint8_t>(1u << r);
    }
    ++r;
  }
  if (r > 8) ins.present = 0;  // variadic: positional roles
  ins.loc = in.loc_here(a.call_span);
  Instruction& out = in.program.emit(ins, std::span<const APRef>(ops, n));
  uint32_t k = 0;  // indirect views: dynamic operands, offsets shared by G partitions (32 on TensorE)
  for (const TensorObj* t : roles) {
    if (!t) continue;
    if (t->dyn && t->dyn->kind == DynKind::Indirect) {
      DynamicOffset d = *t->dyn;
      d.group = op == Opcode::NcMatmul || op == Opcode::NcMatmulMx ? 32 : 16;
      out.flags |= kDynamic;
      in.program.dynamic.push_back({static_cast<uint32_t>(in.program.instrs.size() - 1), k, std::move(d)});
    }
    ++k;
  }
  return out;
}

bool takes_indirect(const std::string& iname) {
  std::string_view list = kIndirectInstructions;
  for (size_t at = list.find(iname); at != std::string_view::npos; at = list.find(iname, at + 1)) {
    size_t end = at + iname.size();
    if ((at == 0 || list[at - 1] == ' ') && (end == list.size() || list[end] == ',')) return true;
  }
  return false;
}

namespace {

// The rules of indirect operands that depend on the emitted instruction (its engine is final once the
// builtin returns): ScalarE cannot scatter into PSUM; nkic does not scatter a matmul's PSUM result.
void check_indirect_operands(Ctx& c, uint32_t first) {
  const Program& p = c.in.program;
  for (size_t j = p.dynamic.size(); j-- > 0 && p.dynamic[j].instr >= first;) {
    const DynamicOperand& d = p.dynamic[j];
    if (d.offset.kind != DynKind::Indirect) continue;
    const Instruction& ins = p.instrs[d.instr];
    const OperandSpec* role = role_of(ins, d.operand);
    // The index tile holds one offset list of G rows (shared by every partition group) or one per group.
    int64_t G = d.offset.group, P = p.op(ins, d.operand).dims[0].num, n = p.op(ins, d.operand).dims[1].num;
    int64_t rows = d.offset.index.dims[0].num, cols = d.offset.index.dims[1].num;
    std::string what = c.iname + ": " + std::string(role ? role->name : "operand") + " is an indirect view";
    if (rows < G)
      c.in.error(c.a.call_span,
                 what + " whose index tile has " + std::to_string(rows) +
                     " partitions; this engine reads offsets in groups of " + std::to_string(G) +
                     " partitions (offset i at index[i % " + std::to_string(G) + ", i // " + std::to_string(G) + "])",
                 "", "validation");
    if (rows != G && rows < (P + G - 1) / G * G)
      c.in.error(c.a.call_span,
                 what + " of " + std::to_string(P) + " partitions: its index tile needs " + std::to_string(G) +
                     " partitions (one offset list) or " + std::to_string((P + G - 1) / G * G) +
                     " (one per partition group), not " + std::to_string(rows),
                 "", "validation");
    if (cols * G < n)
      c.in.error(c.a.call_span,
                 what + " of " + std::to_string(n) + " elements, but its index tile holds " + std::to_string(cols * G) +
                     " offsets per group (" + std::to_string(cols) + " columns x " + std::to_string(G) + ")",
                 "", "validation");
    if (!role || role->access == Access::Read) continue;
    const TensorDecl& t = p.tensors[d.offset.data.tensor];
    Engine e = ins.engine == Engine::Unknown ? info(ins.op).engine : ins.engine;
    if (e == Engine::Scalar && t.mem == Mem::PSUM)
      c.in.error(c.a.call_span,
                 c.iname + ": ScalarE cannot scatter into PSUM: " + std::string(role->name) +
                     " is an indirect view of '" + t.name + "' in PSUM",
                 "write a dense tile and scatter it into PSUM on VectorE (nisa.tensor_copy), or scatter into SBUF",
                 "validation");
    if (ins.op == Opcode::NcMatmul || ins.op == Opcode::NcMatmulMx)
      c.in.error(c.a.call_span, c.iname + ": nkic does not scatter a matmul result: dst cannot be an indirect view",
                 "write the result to a dense PSUM tile and scatter it with nisa.tensor_copy", "validation");
  }
}

}  // namespace

Value isa_builtin(std::string name, std::vector<Param> params, std::function<void(Ctx&)> body) {
  auto ps = std::make_shared<const std::vector<Param>>(std::move(params));
  Value b = make_builtin("nki.isa." + name, [name, ps, body](Interpreter& in, CallArgs& a) {
    Ctx c{in, a, name, *ps, in.bind(a, name, *ps)};
    auto first = static_cast<uint32_t>(in.program.instrs.size());
    body(c);
    if (!in.program.dynamic.empty() && in.program.dynamic.back().instr >= first) check_indirect_operands(c, first);
    return instruction_handle(in);  // an nisa.NkiInstruction from NKI 0.6.0 (scalars.h)
  });
  b.as<BuiltinObj>()->params = ps;  // the signature the Python stub is checked against
  return b;
}

void add_isa_builtins(ModuleObj& m, const std::vector<IsaBuiltin>& rows) {
  for (const IsaBuiltin& r : rows) m.ns[r.name] = isa_builtin(r.name, r.params, r.body);
}

// nl.zeros/ones/full...: a memset of a freshly allocated tile.
#define MEMSET_VALUE_PARAMS(X) X(dst, kRequired) X(value, kRequired)
NKIC_PARAM_POSITIONS(MemsetValueParam, MEMSET_VALUE_PARAMS);

Value emit_memset(Interpreter& in, const Value& dst, double value, Span s) {
  using P = MemsetValueParam;
  static const std::vector<Param> ps = NKIC_SIGNATURE(MEMSET_VALUE_PARAMS);
  CallArgs a;
  a.call_span = s;
  Ctx c{in, a, "memset", ps, {dst, Value::real(value)}};
  TensorObj* d = c.tensor(P::dst);
  c.on_chip(P::dst, d);
  c.emit(Opcode::Memset, {d}).f0 = value;
  return Value::none();
}

Value make_isa_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.isa";
  auto engine = std::make_shared<ModuleObj>();
  engine->name = "nki.isa.engine";
  for (size_t i = 0; i < std::size(kEngineMembers); ++i)
    engine->ns[kEngineMembers[i].first] = enum_member("engine", kEngineMembers[i].first, static_cast<int64_t>(i));
  m->ns["engine"] = module_value(engine);
  m->ns["tensor_engine"] = engine->ns["tensor"];
  m->ns["scalar_engine"] = engine->ns["scalar"];
  m->ns["gpsimd_engine"] = engine->ns["gpsimd"];
  m->ns["vector_engine"] = engine->ns["vector"];
  m->ns["unknown_engine"] = engine->ns["unknown"];
  m->ns["dge_mode"] = module_value(make_enum("dge_mode", {{"unknown", value_of(DgeMode::Unknown)},
                                                          {"swdge", value_of(DgeMode::Swdge)},
                                                          {"hwdge", value_of(DgeMode::Hwdge)},
                                                          {"none", value_of(DgeMode::None)}}));
  m->ns["oob_mode"] =
      module_value(make_enum("oob_mode", {{"error", value_of(OobMode::Error)}, {"skip", value_of(OobMode::Skip)}}));
  auto rc = make_enum("reduce_cmd", {{"idle", value_of(ReduceCmd::Idle)},
                                     {"reset", value_of(ReduceCmd::Reset)},
                                     {"reduce", value_of(ReduceCmd::Reduce)},
                                     {"reset_reduce", value_of(ReduceCmd::ResetReduce)},
                                     {"load_reduce", value_of(ReduceCmd::LoadReduce)}});
  m->ns["reduce_cmd"] = module_value(rc);
  m->ns["matmul_perf_mode"] = module_value(make_enum("matmul_perf_mode", {{"none", 0}, {"double_row", 1}}));
  m->ns["nc_version"] = module_value(make_enum("nc_version", {{"gen2", 2}, {"gen3", 3}, {"gen4", 4}}));
  m->ns["dma_engine"] = module_value(
      make_enum("dma_engine", {{"dma", value_of(DmaEngine::Dma)}, {"gpsimd_dma", value_of(DmaEngine::GpSimdDma)}}));
  // nki.isa.constants holds the same enums (nki-library's find_nonzero_indices does
  // `from nki.isa import constants as nisa_constants` and passes `nisa_constants.dge_mode.hwdge`).
  auto consts = std::make_shared<ModuleObj>();
  consts->name = "nki.isa.constants";
  for (const char* n : {"engine", "dge_mode", "oob_mode", "reduce_cmd", "matmul_perf_mode", "nc_version", "dma_engine"})
    consts->ns[n] = m->ns[n];
  m->ns["constants"] = module_value(consts);
  IsaEnums e;
  e.engine_unknown = engine->ns["unknown"];
  e.engine_gpsimd = engine->ns["gpsimd"];
  e.engine_scalar = engine->ns["scalar"];
  e.oob_error = m->ns["oob_mode"].as<ModuleObj>()->ns["error"];
  e.dge_unknown = m->ns["dge_mode"].as<ModuleObj>()->ns["unknown"];
  e.perf_none = m->ns["matmul_perf_mode"].as<ModuleObj>()->ns["none"];
  e.reduce_idle = rc->ns["idle"];
  e.reduce_reset_reduce = rc->ns["reset_reduce"];
  e.dma_engine_dma = m->ns["dma_engine"].as<ModuleObj>()->ns["dma"];
  add_isa_dma(*m, e);
  add_isa_vector(*m, e);
  add_isa_scalar(*m, e);
  add_isa_gpsimd(*m, e);
  add_isa_tensor(*m, e);
  add_isa_vector_select(*m, e);
  add_isa_extra(*m, e);
  add_isa_random(*m, e);
  add_isa_mx(*m, e);
  add_isa_lnc(*m, e);
  add_isa_activate2(*m, e);
  add_isa_topk(*m, e);
  add_isa_registers(*m);
  add_isa_scalars(*m);  // NkiScalar, scalar_load/store, NkiInstruction (NKI 0.6.0-0.7.0)
  // get_nc_version(): the compile target's generation (nki-library kernels branch on it).
  Value versions = m->ns["nc_version"];
  m->ns["get_nc_version"] = make_builtin("nki.isa.get_nc_version", [versions](Interpreter& in, CallArgs& a) {
    if (!a.pos.empty() || !a.kw.empty()) in.error(a.call_span, "get_nc_version() takes no arguments");
    return versions.as<ModuleObj>()->ns["gen" + std::to_string(in.tgt.nc_version)];
  });
  // get_nc_sub_version() (NKI 0.5.0): the silicon revision within the generation; nkic models revision 0.
  static const std::vector<Param> no_params;
  m->ns["get_nc_sub_version"] = make_builtin("nki.isa.get_nc_sub_version", no_params, [](Interpreter& in, CallArgs& a) {
    in.bind(a, "get_nc_sub_version", no_params);
    return Value::integer(0);
  });
  // Deprecated in 0.3.0, removed in 0.4.0 (spec 5.11): a migration error naming the replacement.
  for (const char* n : {"tensor_copy_dynamic_src", "tensor_copy_dynamic_dst"}) {
    std::string name = n;
    m->ns[n] = make_builtin("nki.isa." + name, [name](Interpreter& in, CallArgs& a) -> Value {
      in.error(a.call_span,
               "nisa." + name + " is deprecated in NKI 0.3.0 (removed in 0.4.0) and nkic does not implement it",
               "copy with nisa.dma_copy and a dynamic view: t.ap(pattern, offset, scalar_offset=register_or_tile)");
    });
  }
  return module_value(m);
}

}  // namespace nkic::trace
