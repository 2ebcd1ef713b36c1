// The compile-time interpreter: statements, expressions, calls, modules.
#include "trace/interpreter.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "frontend/parser.h"
#include "frontend/subset_check.h"
#include "trace/checked_int.h"
#include "trace/legacy.h"
#include "trace/legacy_index.h"
#include "trace/legacy_tiles.h"
#include "trace/releases.h"
#include "trace/scalars.h"

namespace nkic::trace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

Interpreter::Interpreter(Program& p, const Target& t) : program(p), tgt(t) {
  add_python_builtins(builtins_);
  add_class_builtins(builtins_);
  Value lang = make_language_module(), isa = make_isa_module();
  builtin_modules_["nki.language"] = lang;
  builtin_modules_["nki.isa"] = isa;
  builtin_modules_["nki.isa.constants"] = isa.as<ModuleObj>()->ns["constants"];
  builtin_modules_["nki"] = make_nki_module(lang, isa);
  builtin_modules_["math"] = make_math_module();
  builtin_modules_["numpy"] = make_numpy_module();
  builtin_modules_["dataclasses"] = make_dataclasses_module();
  builtin_modules_["enum"] = make_enum_module();
  builtin_modules_["typing"] = make_typing_module();
  builtin_modules_["functools"] = make_functools_module();
  builtin_modules_["nki.typing"] = make_nki_typing_module();
  builtin_modules_["nki"].as<ModuleObj>()->ns["typing"] = builtin_modules_["nki.typing"];
  builtin_modules_["nki.collectives"] = make_collectives_module();
  builtin_modules_["nki"].as<ModuleObj>()->ns["collectives"] = builtin_modules_["nki.collectives"];
  builtin_modules_["os"] = make_os_module();
  builtin_modules_["sys"] = make_sys_module();
  add_legacy_modules(builtin_modules_, lang, isa);
}

Interpreter::~Interpreter() {
  for (auto& c : classes_) {  // break the class <-> member reference cycles
    c->ns.clear();
    c->members.clear();
    c->bases.clear();
  }
  for (auto& m : modules_) m->obj->ns.clear();
  for (auto& w : captured_scopes_)  // break the scope <-> nested function reference cycles
    if (auto sc = w.lock()) sc->vars.clear();
}

// ---------------------------------------------------------------- diagnostics and locations

SourceRef Interpreter::current_file() const { return frames_.empty() ? nullptr : frames_.back().module->source; }

Diagnostic Interpreter::diagnostic_here(Span s, const std::string& msg, const std::string& hint) {
  Diagnostic d;
  d.loc = {current_file(), s};
  d.message = msg;
  d.hint = hint;
  for (auto& c : calls_) d.stack.push_back({c.file, c.span});
  return d;
}

void Interpreter::error(Span s, const std::string& msg, const std::string& hint, const char* kind) {
  UserError e(diagnostic_here(s, msg, hint));
  e.kind = kind;
  throw e;
}

void Interpreter::warning(Span s, const std::string& msg, const std::string& hint) {
  Diagnostic d;
  d.severity = Severity::Warning;
  d.loc = {current_file(), s};
  d.message = msg;
  d.hint = hint;
  add_warning(std::move(d));
}

void Interpreter::add_warning(Diagnostic d) {
  for (auto& w : warnings_)  // the same warning at the same place is reported once
    if (w.message == d.message && w.loc.file == d.loc.file && w.loc.span.line == d.loc.span.line &&
        w.loc.span.col == d.loc.span.col)
      return;
  warnings_.push_back(std::move(d));
}

int32_t Interpreter::parent_loc() {
  int32_t parent = -1;
  for (auto& c : calls_) {
    if (c.loc < 0) {
      auto key = std::make_tuple(c.file.get(), c.span.line, c.span.col, c.span.end_line, c.span.end_col, parent);
      auto it = loc_cache_.find(key);
      c.loc = it != loc_cache_.end()
                  ? static_cast<int32_t>(it->second)
                  : static_cast<int32_t>(loc_cache_[key] = program.add_loc({c.file, c.span}, parent));
    }
    parent = c.loc;
  }
  return parent;
}

uint32_t Interpreter::loc_here(Span s) {
  // Unrolled loops emit many instructions from one line: share their location entries.
  int32_t parent = parent_loc();
  const SourceFile* f = current_file().get();
  auto key = std::make_tuple(f, s.line, s.col, s.end_line, s.end_col, parent);
  auto it = loc_cache_.find(key);
  if (it != loc_cache_.end()) return it->second;
  uint32_t id = program.add_loc({current_file(), s}, parent);
  loc_cache_.emplace(key, id);
  return id;
}

// ---------------------------------------------------------------- modules

namespace {
// Names a top-level statement binds (imports, defs, classes, assignments).
void collect_bound_names(const Expr* t, std::vector<std::string>& out) {
  if (!t) return;
  if (t->kind == ExprKind::Name) out.push_back(t->str);
  if (t->kind == ExprKind::Tuple || t->kind == ExprKind::List)
    for (auto* e : t->elts) collect_bound_names(e, out);
  if (t->kind == ExprKind::Starred) collect_bound_names(t->a, out);
}

std::vector<std::string> bound_names(const Stmt* s) {
  std::vector<std::string> out;
  switch (s->kind) {
    case StmtKind::FunctionDef:
    case StmtKind::ClassDef: out.push_back(s->name); break;
    case StmtKind::Assign:
      for (auto* t : s->targets) collect_bound_names(t, out);
      break;
    case StmtKind::AnnAssign:
      if (s->value) collect_bound_names(s->target, out);
      break;
    case StmtKind::Import:
      for (auto& a : s->names) {
        if (!a.asname.empty())
          out.push_back(a.asname);
        else
          out.push_back(a.name.substr(0, a.name.find('.')));
      }
      break;
    case StmtKind::ImportFrom:
      for (auto& a : s->names) out.push_back(a.asname.empty() ? a.name : a.asname);
      break;
    case StmtKind::Try: {  // `try: from x import Y` / `except ImportError: Y = None`: the whole statement binds
      auto add = [&](const std::vector<Stmt*>& body) {
        for (const Stmt* b : body)
          for (auto& n : bound_names(b)) out.push_back(n);
      };
      add(s->body);
      for (auto& h : s->handlers) add(h.body);
      add(s->orelse);
      add(s->finalbody);
      break;
    }
    default: break;
  }
  return out;
}
}  // namespace

ModuleEnv* Interpreter::load_module(SourceRef source) {
  auto env = std::make_unique<ModuleEnv>();
  env->source = source;
  env->ast = parse_module_or_throw(source);
  env->obj = std::make_shared<ModuleObj>();
  env->obj->name = source->path();
  env->obj->env = env.get();
  for (const Stmt* s : env->ast->body)
    for (auto& n : bound_names(s)) env->binders[n] = s;
  std::error_code ec;
  if (std::filesystem::is_regular_file(source->path(), ec))  // so enum/object arguments find the same classes
    file_modules_[std::filesystem::weakly_canonical(source->path(), ec).string()] = env.get();
  modules_.push_back(std::move(env));
  return modules_.back().get();
}

Value Interpreter::lookup_global(ModuleEnv* env, const std::string& name, Span use) {
  auto& ns = env->obj->ns;
  if (auto it = ns.find(name); it != ns.end()) return it->second;
  auto b = env->binders.find(name);
  if (b == env->binders.end()) return Value::of(VK::Enum);  // marker: not found (VK::Enum never stored here)
  if (env->loading.count(name)) error(use, "name '" + name + "' is defined in terms of itself");
  env->loading.insert(name);
  frames_.push_back({env, nullptr, true});
  std::string hint = std::move(name_hint_);  // `t = nl.ndarray(..., ncc.sbuf...)` still names `t`
  try {
    exec(b->second);
  } catch (...) {
    frames_.pop_back();
    env->loading.erase(name);
    throw;
  }
  name_hint_ = std::move(hint);
  frames_.pop_back();
  env->loading.erase(name);
  if (auto it = ns.find(name); it != ns.end()) return it->second;
  return Value::of(VK::Enum);
}

Value Interpreter::builtin_module(const std::string& name) {
  auto it = builtin_modules_.find(name);
  return it == builtin_modules_.end() ? Value::none() : it->second;
}

Value Interpreter::import_module(const std::string& dotted, Span s) {
  if (dotted == "neuronxcc" || dotted.rfind("neuronxcc.", 0) == 0) {  // the Beta 1 language
    legacy_ = true;
    if (dotted.rfind("neuronxcc.nki", 0) == 0) check_legacy_namespace(*this, dotted, s);  // per release
  }
  Value m = builtin_module(dotted);
  if (!m.is_none()) return m;
  if (!frames_.empty()) {
    Value f = import_file_module(dotted, 0, s);
    if (!f.is_none()) return f;
  }
  // Unknown modules import lazily: using a name from them is the error.
  auto mo = std::make_shared<ModuleObj>();
  mo->name = dotted;
  mo->unavailable = "module '" + dotted + "' is not available to kernels";
  return Value::wrap(VK::Module, mo);
}

// ---------------------------------------------------------------- names

Value Interpreter::lookup(const std::string& name, Span s) {
  Frame& f = frames_.back();
  for (const Scope* sc = f.scope.get(); sc; sc = sc->parent.get())  // locals, then enclosing functions
    if (auto it = sc->vars.find(name); it != sc->vars.end()) return it->second;
  Value g = lookup_global(f.module, name, s);
  if (g.k != VK::Enum) return g;
  if (auto it = builtins_.find(name); it != builtins_.end()) return it->second;
  py_raise(s, "NameError", "name '" + name + "' is not defined");
}

std::map<std::string, Value>& Interpreter::names_here() {
  Frame& f = frames_.back();
  return f.module_level ? f.module->obj->ns : f.scope->vars;
}

std::string Interpreter::take_name_hint() {
  std::string n = std::move(name_hint_);
  name_hint_.clear();
  return n;
}

Value emit_memset(Interpreter& in, const Value& dst, double value, Span s);  // builtins_isa.cpp

void Interpreter::defer_psum_zero(const Value& tile, Span s) {
  deferred_zero_[tile.as<TensorObj>()->ap.tensor] = {tile, s};
}

bool Interpreter::deferred_zero_covered(const TensorObj& view) const {
  auto it = deferred_zero_.find(view.ap.tensor);
  if (it == deferred_zero_.end()) return false;
  const AccessPattern& whole = it->second.first.as<TensorObj>()->ap;
  return view.ap.offset == whole.offset && view.ap.dims.size() == whole.dims.size() &&
         std::equal(view.ap.dims.begin(), view.ap.dims.end(), whole.dims.begin(),
                    [](const APDim& x, const APDim& y) { return x.stride == y.stride && x.num == y.num; });
}

void Interpreter::settle_deferred_zero(const TensorObj& operand, bool whole_matmul_dst) {
  auto it = deferred_zero_.find(operand.ap.tensor);
  if (it == deferred_zero_.end()) return;
  bool covers = deferred_zero_covered(operand);
  auto [tile, s] = it->second;
  deferred_zero_.erase(it);
  if (!(whole_matmul_dst && covers)) emit_memset(*this, tile, 0.0, s);
}

namespace {
// A view of the whole of tensor `id`: row-major over `shape`.
Value whole_tensor(uint32_t id, DType dt, const std::vector<int64_t>& shape) {
  auto obj = std::make_shared<TensorObj>();
  obj->ap.tensor = id;
  obj->ap.dtype = dt;
  int64_t stride = 1;
  std::vector<APDim> dims(shape.size());
  for (size_t i = shape.size(); i-- > 0;) {
    dims[i] = {stride, shape[i]};
    stride *= shape[i];
  }
  obj->ap.dims = std::move(dims);
  return Value::wrap(VK::Tensor, obj);
}
}  // namespace

void Interpreter::begin_spmd_program(int64_t k) {
  spmd_program_ = k;
  spmd_next_hbm_ = 0;
  spmd_tracing_ = true;  // the kernel's own HBM tensors are recorded from here (not the arguments)
}

Value Interpreter::new_tensor(const std::string& name, Mem mem, DType dt, std::vector<int64_t> shape, Span decl) {
  if (mem == Mem::HBM && spmd_program_ > 0) {  // later programs of a serial SPMD grid share program 0's HBM
    if (spmd_next_hbm_ >= spmd_hbm_.size())
      error(decl, "program " + std::to_string(spmd_program_) + " of the launch grid declares more HBM tensors than " +
                      "program 0; every program must declare the same HBM tensors in the same order");
    uint32_t id = spmd_hbm_[spmd_next_hbm_++];
    const TensorDecl& first = program.tensors[id];
    if (first.shape != shape || first.dtype != dt)
      error(decl, "program " + std::to_string(spmd_program_) + " of the launch grid declares HBM tensor '" +
                      (name.empty() ? std::string("hbm") : name) + "' with another shape or dtype than program 0's '" +
                      first.name + "'");
    return whole_tensor(id, dt, shape);
  }
  TensorDecl t;
  std::string base = name.empty() ? (mem == Mem::HBM ? "hbm" : mem == Mem::PSUM ? "psum" : "sbuf") : name;
  int n = tensor_names_[base]++;
  t.name = n == 0 ? base : base + "." + std::to_string(n);
  t.mem = mem;
  t.dtype = dt;
  t.shape = shape;
  t.loc = decl.valid() ? loc_here(decl) : 0;
  t.created_at = static_cast<uint32_t>(program.instrs.size());
  t.multi_buffer = affine_depth_ > 0 && mem != Mem::HBM;
  program.tensors.push_back(std::move(t));
  if (mem == Mem::HBM && spmd_tracing_) spmd_hbm_.push_back(static_cast<uint32_t>(program.tensors.size() - 1));
  return whole_tensor(static_cast<uint32_t>(program.tensors.size() - 1), dt, shape);
}

// ---------------------------------------------------------------- statements

Interpreter::Flow Interpreter::exec_block(const std::vector<Stmt*>& body) {
  for (const Stmt* s : body) {
    Flow f = exec(s);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::exec(const Stmt* s) {
  switch (s->kind) {
    case StmtKind::ExprStmt: eval(s->value); return Flow::Normal;
    case StmtKind::Pass: return Flow::Normal;
    case StmtKind::Assign: {
      if (s->targets.size() == 1 && s->targets[0]->kind == ExprKind::Name) name_hint_ = s->targets[0]->str;
      Value v = eval(s->value);
      name_hint_.clear();
      if (legacy_ && s->targets.size() == 1 && s->targets[0]->kind == ExprKind::Subscript) {
        // Beta 1 `t[...] = expr`: the result is written into t (the call's instruction retargeted).
        const Expr* t = s->targets[0];
        Value obj = eval(t->a);
        bool blocks = obj.k == VK::Instance &&  // nl.par_dim block tensors: t[b, ...] is a tile view
                      obj.as<InstanceObj>()->cls.as<ClassObj>()->builtin == "neuronxcc.block_tensor";
        if (obj.k == VK::Tensor || blocks) {
          bool fresh = s->value->kind == ExprKind::Call || s->value->kind == ExprKind::BinOp ||
                       s->value->kind == ExprKind::UnaryOp || s->value->kind == ExprKind::Compare;
          legacy_write(*this, subscript(obj, eval(t->b), t->span), v, fresh, t->span);
          return Flow::Normal;
        }
        store_subscript(obj, eval(t->b), v, t->span);
        return Flow::Normal;
      }
      for (const Expr* t : s->targets) assign(t, v);
      return Flow::Normal;
    }
    case StmtKind::AnnAssign: {
      if (!s->value) return Flow::Normal;
      if (s->target->kind == ExprKind::Name) name_hint_ = s->target->str;
      Value v = eval(s->value);
      name_hint_.clear();
      assign(s->target, v);
      return Flow::Normal;
    }
    case StmtKind::AugAssign: {
      Value cur = eval(s->target);
      if (legacy_ && cur.k == VK::Tensor) {  // Beta 1 `t += x`: updated in place (PSUM matmuls accumulate)
        bool fresh = s->value->kind == ExprKind::Call || s->value->kind == ExprKind::BinOp;
        legacy_augassign(*this, s->op, cur, eval(s->value), fresh, s->span);
        return Flow::Normal;
      }
      Value r = binary(s->op, cur, eval(s->value), s->span);
      if (cur.k == VK::List && s->op == ast::BinOpKind::Add) {  // list += extends in place
        cur.as<SeqObj>()->items = r.as<SeqObj>()->items;
        return Flow::Normal;
      }
      assign(s->target, r);
      return Flow::Normal;
    }
    case StmtKind::If: return truthy(eval(s->test), s->test->span) ? exec_block(s->body) : exec_block(s->orelse);
    case StmtKind::For: {
      Value it = eval(s->iter);
      if (it.k == VK::Range && it.as<RangeObj>()->dynamic()) {
        try {
          return exec_dynamic_for(s, *it.as<RangeObj>());
        } catch (const PyException& e) {
          leave_hardware_loop(e);
        }
      }
      if (it.k == VK::Range) {  // one value at a time: an unrolled range(n) never holds n Values
        const RangeObj& r = *it.as<RangeObj>();
        struct Depth {  // tiles declared in an affine_range or sequential_range body are multi-buffered
          int& d;
          bool on;
          ~Depth() { d -= on; }
        } depth{affine_depth_, r.kind == "affine_range" || r.kind == "sequential_range"};
        affine_depth_ += depth.on;
        LoopKind kind = LoopRecorder::kind_of(r.kind);  // a selected 0.7.0: affine_range is Python's range
        if (kind == LoopKind::Affine && launch.release && *launch.release >= Release::V0_7) kind = LoopKind::Range;
        ScopedLoop record(loops, kind, loc_here(s->iter->span));
        for (int64_t i = 0, n = r.length(); i < n; ++i) {
          record.next_iteration();
          assign(s->target, Value::integer(r.start + i * r.step));
          Flow f = exec_block(s->body);
          if (f == Flow::Break) return Flow::Normal;
          if (f == Flow::Return) return f;
        }
        affine_depth_ -= depth.on;
        depth.on = false;
        return exec_block(s->orelse);
      }
      for (Value& v : iterate(it, s->iter->span)) {
        assign(s->target, v);
        Flow f = exec_block(s->body);
        if (f == Flow::Break) return Flow::Normal;
        if (f == Flow::Return) return f;
      }
      return exec_block(s->orelse);
    }
    case StmtKind::While: {
      Value test = eval(s->test);
      // An NkiScalar is no `while reg:` condition: it has no truth value (truthy).
      if (test.k == VK::Register && !as_scalar(test)) {
        check_release(*this, "`while` on a register", s->test->span);  // removed in 0.7.0: nl.while_loop
        try {
          return exec_dynamic_while(s, *test.as<RegisterObj>());
        } catch (const PyException& e) {
          leave_hardware_loop(e);
        }
      }
      for (int64_t n = 0;; ++n) {
        if (n > 10'000'000) error(s->span, "while loop did not terminate at compile time");
        if (n > 0) test = eval(s->test);
        if (!truthy(test, s->test->span)) return exec_block(s->orelse);
        Flow f = exec_block(s->body);
        if (f == Flow::Break) return Flow::Normal;
        if (f == Flow::Return) return f;
      }
    }
    case StmtKind::Break: return Flow::Break;
    case StmtKind::Continue: return Flow::Continue;
    case StmtKind::Return: return_value_ = s->value ? eval(s->value) : Value::none(); return Flow::Return;
    case StmtKind::Assert: {
      if (!truthy(eval(s->test), s->test->span)) {
        std::string msg = "assertion failed";
        std::vector<Value> args;
        if (s->msg) {
          args.push_back(eval(s->msg));
          msg += ": " + to_str(args[0]);
        }
        throw_exception(s->test->span, new_exception("AssertionError", std::move(args)), msg, "", "assert");
      }
      return Flow::Normal;
    }
    case StmtKind::Raise: exec_raise(s);
    case StmtKind::Try: return exec_try(s);
    case StmtKind::FunctionDef: {
      Value fv = make_function_here(s);
      for (auto it = s->decorators.rbegin(); it != s->decorators.rend(); ++it) {
        Value dec = eval(*it);
        if (dec.k == VK::Builtin && dec.as<BuiltinObj>()->name == "nki.jit") {
          // @nki.jit(mode="trace") sub-kernels are traced into the calling kernel (nki-library's moe_cte
          // calls them); any other @nki.jit function called from a kernel stays the 0.3.0 error.
          bool traced = false;
          if ((*it)->kind == ExprKind::Call)
            for (const ast::Keyword& k : (*it)->keywords) {
              Value mode = k.arg == "mode" ? eval(k.value) : Value::none();
              traced = traced || (mode.k == VK::Str && mode.as<StrObj>()->s == "trace");
            }
          if (fv.k == VK::Function && !traced) fv.as<FunctionObj>()->jit_decorated = true;
          continue;
        }
        CallArgs ca;
        ca.pos.push_back(fv);
        ca.pos_spans.push_back((*it)->span);
        ca.call_span = (*it)->span;
        fv = call(dec, ca);
      }
      names_here()[s->name] = fv;
      return Flow::Normal;
    }
    case StmtKind::Import: {
      auto& ns = names_here();
      for (auto& a : s->names) {
        if (!a.asname.empty()) {
          ns[a.asname] = import_module(a.name, a.span);
        } else {
          std::string top = a.name.substr(0, a.name.find('.'));
          ns[top] = import_module(top, a.span);
        }
      }
      return Flow::Normal;
    }
    case StmtKind::ImportFrom: {
      auto& ns = names_here();
      Value m;
      if (s->level > 0) {
        m = import_file_module(s->module, s->level, s->span);
        if (m.is_none())
          error(s->span, "cannot find module '" + std::string(s->level, '.') + s->module + "' relative to " +
                             current_file()->path());
      } else {
        m = import_module(s->module, s->span);
      }
      for (auto& a : s->names) {
        std::string bind = a.asname.empty() ? a.name : a.asname;
        if (a.name == "*") error(a.span, "'import *' is not supported in NKI kernels", "import the names you use");
        Value sub = s->level > 0 ? Value::none() : builtin_module(s->module + "." + a.name);
        if (sub.is_none() && m.k == VK::Module) {
          auto* mo = m.as<ModuleObj>();
          bool has = mo->ns.count(a.name) || (mo->env && mo->env->binders.count(a.name));
          if (!has && mo->env) {  // a submodule file of a package
            std::string dotted = s->module.empty() ? a.name : s->module + "." + a.name;
            sub = import_file_module(dotted, s->level, a.span);
          }
        }
        // Unavailable modules stay lazy: the error comes when the kernel uses the name.
        if (sub.is_none() && m.k == VK::Module && !m.as<ModuleObj>()->unavailable.empty()) {
          auto mo = std::make_shared<ModuleObj>();
          mo->name = s->module + "." + a.name;
          mo->unavailable = m.as<ModuleObj>()->unavailable;
          sub.k = VK::Module;
          sub.o = mo;
        }
        if (!sub.is_none()) {
          ns[bind] = sub;
          continue;
        }
        try {
          ns[bind] = getattr(m, a.name, a.span);
        } catch (const PyException& e) {  // Python's ImportError ("cannot import name"), same report
          if (!is_subclass(e.exc.as<InstanceObj>()->cls, builtins_.at("AttributeError"))) throw;
          throw PyException(UserError(e), new_exception("ImportError", {Value::str(e.first().message)}));
        }
      }
      return Flow::Normal;
    }
    case StmtKind::With: {
      int reorder = 0;
      for (auto& item : s->items) {
        Value v = eval(item.context_expr);
        if (v.k == VK::Enum && v.o && v.as<EnumObj>()->cls == "no_reorder") ++reorder;
        if (item.optional_vars) assign(item.optional_vars, v);
      }
      no_reorder_depth_ += reorder;
      try {
        Flow f = exec_block(s->body);
        no_reorder_depth_ -= reorder;
        return f;
      } catch (...) {
        no_reorder_depth_ -= reorder;
        throw;
      }
    }
    case StmtKind::ClassDef: {
      Value cv = define_class(s);
      names_here()[s->name] = cv;
      return Flow::Normal;
    }
    case StmtKind::Global:
    case StmtKind::Nonlocal: return Flow::Normal;
    default: error(s->span, std::string("'") + ast::name_of(s->kind) + "' statements are not supported in NKI kernels");
  }
}

Value Interpreter::make_function_here(const Stmt* s) {
  auto fo = std::make_shared<FunctionObj>();
  fo->def = s;
  fo->module = frames_.back().module;
  // A closure holds the enclosing function's live scope (a class body's names are not visible to its methods).
  std::shared_ptr<Scope> sc = frames_.back().scope;
  while (sc && sc->is_class) sc = sc->parent;
  if (sc) {
    if (captured_scopes_.empty() || captured_scopes_.back().lock() != sc) captured_scopes_.push_back(sc);
    fo->closure = sc;
  }
  for (const Expr* d : s->args->defaults) fo->defaults.push_back(eval(d));
  for (const Expr* d : s->args->kw_defaults) {
    fo->kw_has_default.push_back(d != nullptr);
    fo->kw_defaults.push_back(d ? eval(d) : Value::none());
  }
  return Value::wrap(VK::Function, fo);
}

Value Interpreter::eval_in_module(ModuleEnv* env, const Expr* e) {
  frames_.push_back({env, nullptr, true});
  try {
    Value v = eval(e);
    frames_.pop_back();
    return v;
  } catch (...) {
    frames_.pop_back();
    throw;
  }
}

Value Interpreter::define_function(ModuleEnv* env, const Stmt* def) {
  frames_.push_back({env, nullptr, true});
  try {
    Value v = make_function_here(def);
    frames_.pop_back();
    return v;
  } catch (...) {
    frames_.pop_back();
    throw;
  }
}

void Interpreter::assign(const Expr* t, const Value& v) {
  switch (t->kind) {
    case ExprKind::Name: names_here()[t->str] = v; return;
    case ExprKind::Tuple:
    case ExprKind::List: {
      std::vector<Value> items = iterate(v, t->span);
      if (items.size() != t->elts.size())
        py_raise(t->span, "ValueError",
                 "cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(t->elts.size()) +
                     " targets");
      for (size_t i = 0; i < items.size(); ++i) assign(t->elts[i], items[i]);
      return;
    }
    case ExprKind::Subscript: store_subscript(eval(t->a), eval(t->b), v, t->span); return;
    case ExprKind::Attribute: setattr(eval(t->a), t->str, v, t->span); return;
    default: error(t->span, "cannot assign to this expression in a kernel");
  }
}

// ---------------------------------------------------------------- expressions

std::vector<Value> Interpreter::iterate(const Value& v, Span s) {
  switch (v.k) {
    case VK::Range: {
      auto* r = v.as<RangeObj>();
      if (r->dynamic()) error(s, "a dynamic_range can only be the iterable of a for loop");
      std::vector<Value> out;
      int64_t n = r->length();
      out.reserve(n);
      for (int64_t i = 0; i < n; ++i) out.push_back(Value::integer(r->start + i * r->step));
      return out;
    }
    case VK::Tuple:
    case VK::List: return v.as<SeqObj>()->items;
    case VK::Str: {
      std::vector<Value> out;
      for (char c : v.as<StrObj>()->s) out.push_back(Value::str(std::string(1, c)));
      return out;
    }
    case VK::Dict: {
      std::vector<Value> out;
      for (auto& [k, x] : v.as<DictObj>()->items) out.push_back(Value::str(k));
      return out;
    }
    case VK::Instance:  // a class with __iter__ (nl.mgrid's grids)
      if (Value r; call_dunder(v, "__iter__", {}, s, r)) return iterate(r, s);
      [[fallthrough]];
    default: py_raise(s, "TypeError", std::string("cannot iterate over a value of type '") + type_name(v.k) + "'");
  }
}

bool Interpreter::truthy(const Value& v, Span s) {
  switch (v.k) {
    case VK::None: return false;
    case VK::Bool: return v.b;
    case VK::Int: return v.i != 0;
    case VK::Float: return v.f != 0;
    case VK::Str: return !v.as<StrObj>()->s.empty();
    case VK::Tuple:
    case VK::List: return !v.as<SeqObj>()->items.empty();
    case VK::Dict: return !v.as<DictObj>()->items.empty();
    case VK::Range: return v.as<RangeObj>()->length() > 0;
    case VK::Register:
      if (as_scalar(v))  // NKI 0.7.0: not an if/while condition (nki-spec.md §11.4)
        py_raise(s, "TypeError", "an NkiScalar holds a run-time value: it has no truth value (if, while, bool())",
                 "use nl.fori_loop with NkiScalar bounds for device-side control flow");
      error(s, "a VirtualRegister holds a run-time value: it cannot be tested at compile time",
            "use `while reg:` for a loop on the device");
    case VK::Instance:
      if (is_index_value(v))  // Beta 1 grids are symbolic: no truth value while tracing
        error(s, "an index grid (nl.arange/nl.mgrid) or a comparison of one has no truth value at compile time",
              "control flow cannot depend on grid values; join mask comparisons with & (not and/or/not)");
      return true;
    default: return true;  // objects, tensors included: `if tile:` tests "given" (nki-library's moe_tkg does)
  }
}

Value Interpreter::eval(const Expr* e) {
  switch (e->kind) {
    case ExprKind::Constant:
      switch (e->ckind) {
        case ast::ConstKind::None: return Value::none();
        case ast::ConstKind::Bool: return Value::boolean(e->bval);
        case ast::ConstKind::Int:
          if (e->big_int)
            error(e->span, "integer constant exceeds the 64-bit range nkic supports for compile-time integers");
          return Value::integer(e->ival);
        case ast::ConstKind::Float: return Value::real(e->fval);
        case ast::ConstKind::Str: return Value::str(e->str);
        case ast::ConstKind::Ellipsis: return Value::ellipsis();
        default: error(e->span, "this constant is not supported in NKI kernels");
      }
    case ExprKind::Name: return lookup(e->str, e->span);
    case ExprKind::Attribute: return getattr(eval(e->a), e->str, e->span);
    case ExprKind::Subscript: return subscript(eval(e->a), eval(e->b), e->span);
    case ExprKind::Tuple:
    case ExprKind::List: {
      std::vector<Value> items;
      for (const Expr* x : e->elts) {
        if (x->kind == ExprKind::Starred) {
          for (auto& v : iterate(eval(x->a), x->span)) items.push_back(v);
        } else {
          items.push_back(eval(x));
        }
      }
      return e->kind == ExprKind::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    case ExprKind::Dict: {
      auto d = std::make_shared<DictObj>();
      for (size_t i = 0; i < e->elts.size(); ++i) {
        if (!e->keys[i]) error(e->elts[i]->span, "'**' in dict displays is not supported in NKI kernels");
        Value k = dict_key(eval(e->keys[i]));
        if (k.k != VK::Str) error(e->keys[i]->span, "dictionary keys must be strings in NKI kernels");
        Value v = eval(e->elts[i]);
        if (Value* old = d->find(k.as<StrObj>()->s))
          *old = v;
        else
          d->items.push_back({k.as<StrObj>()->s, v});
      }
      return Value::wrap(VK::Dict, d);
    }
    case ExprKind::Slice: {
      auto sl = std::make_shared<SliceObj>();
      if (e->a) sl->start = eval(e->a);
      if (e->b) sl->stop = eval(e->b);
      if (e->c) sl->step = eval(e->c);
      return Value::wrap(VK::Slice, sl);
    }
    case ExprKind::BinOp: {
      if (e->binop == ast::BinOpKind::MatMult)
        error(e->span, "the '@' operator is not supported in NKI kernels", "use nisa.nc_matmul or nl.matmul");
      Value a = eval(e->a), b = eval(e->b);
      return binary(e->binop, a, b, e->span);
    }
    case ExprKind::UnaryOp: return unary(e->unaryop, eval(e->a), e->span, e->a->span);
    case ExprKind::BoolOp: {
      Value v;
      for (const Expr* x : e->elts) {
        v = eval(x);
        bool t = truthy(v, x->span);
        if (e->boolop == ast::BoolOpKind::And ? !t : t) return v;
      }
      return v;
    }
    case ExprKind::Compare: {
      Value left = eval(e->a), pred;  // pred: comparisons of Beta 1 index grids, joined by &
      for (size_t i = 0; i < e->cmpops.size(); ++i) {
        Value right = eval(e->elts[i]);
        if (is_index_value(left) || is_index_value(right)) {
          Value p = index_compare(*this, e->cmpops[i], left, right, e->span);
          pred = pred.is_none() ? p : index_binary(*this, ast::BinOpKind::BitAnd, pred, p, e->span);
        } else if (legacy_ && e->cmpops.size() == 1 && (left.k == VK::Tensor || right.k == VK::Tensor)) {
          return legacy_compare(*this, e->cmpops[0], left, right, e->span);  // a tile comparison
        } else if (as_scalar(left) || as_scalar(right)) {
          // NKI 0.7.0: a traced comparison
          if (e->cmpops.size() != 1)  // `a < s < b` is `(a < s) and (s < b)`: the first one's truth value
            py_raise(e->span, "TypeError",
                     "an NkiScalar holds a run-time value: it has no truth value (if, while, bool())",
                     "a chained comparison tests the truth of its first comparison: compare two values at a time");
          return scalar_compare(*this, e->cmpops[0], left, right, e->span);
        } else if (!compare(e->cmpops[i], left, right, e->span)) {
          return Value::boolean(false);
        }
        left = right;
      }
      return pred.is_none() ? Value::boolean(true) : pred;
    }
    case ExprKind::IfExp: return truthy(eval(e->a), e->a->span) ? eval(e->b) : eval(e->c);
    case ExprKind::Call: {
      Value fn = eval(e->a);
      CallArgs args;
      eval_call_args(e, args);
      return call(fn, args);
    }
    case ExprKind::JoinedStr: {
      std::string out;
      for (const Expr* part : e->elts) {
        if (part->kind == ExprKind::Constant) {
          out += part->str;
          continue;
        }
        Value v = eval(part->a);
        std::string spec;
        if (part->b) spec = to_str(eval(part->b));
        if (part->conversion == 'r') v = Value::str(repr(v));
        out += spec.empty() ? to_str(v) : format_value(v, spec, part->span);
      }
      return Value::str(out);
    }
    default:
      error(e->span, std::string("'") + ast::name_of(e->kind) + "' expressions are not supported in NKI kernels");
  }
}

std::string Interpreter::format_value(const Value& v, const std::string& spec, Span s) {
  // [[fill]align][sign][0][width][,][.precision][type]
  size_t i = 0;
  char fill = ' ', align = 0, type = 0;
  if (spec.size() >= 2 && (spec[1] == '<' || spec[1] == '>' || spec[1] == '^')) {
    fill = spec[0];
    align = spec[1];
    i = 2;
  } else if (!spec.empty() && (spec[0] == '<' || spec[0] == '>' || spec[0] == '^')) {
    align = spec[0];
    i = 1;
  }
  bool plus = false;
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-')) plus = spec[i++] == '+';
  if (i < spec.size() && spec[i] == '0') {
    fill = '0';
    if (!align) align = '=';
    ++i;
  }
  int width = 0, prec = -1;
  while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i]))) width = width * 10 + (spec[i++] - '0');
  if (i < spec.size() && spec[i] == '.') {
    prec = 0;
    ++i;
    while (i < spec.size() && isdigit(static_cast<unsigned char>(spec[i]))) prec = prec * 10 + (spec[i++] - '0');
  }
  if (i < spec.size()) type = spec[i++];
  if (i != spec.size()) error(s, "unsupported format specification '" + spec + "'");
  std::string body;
  char buf[512];
  if (type == 'f' || type == 'e' || type == 'g' || type == '%' || (v.k == VK::Float && prec >= 0 && !type)) {
    if (!v.is_number()) error(s, "format '" + spec + "' needs a number");
    double d = v.as_float() * (type == '%' ? 100 : 1);
    char t = type == '%' ? 'f' : (type ? type : 'g');
    std::string fmt = std::string(plus ? "%+" : "%") + ".*" + t;
    std::snprintf(buf, sizeof buf, fmt.c_str(), prec < 0 ? 6 : prec, d);
    body = buf;
    if (type == '%') body += "%";
  } else if (type == 'd' || type == 'x' || type == 'b' || type == 'o') {
    if (!v.is_int()) error(s, "format '" + spec + "' needs an integer");
    int64_t n = v.as_int();
    if (type == 'd')
      body = (plus && n >= 0 ? "+" : "") + std::to_string(n);
    else if (type == 'x') {
      std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(n));
      body = buf;
    } else if (type == 'o') {
      std::snprintf(buf, sizeof buf, "%llo", static_cast<unsigned long long>(n));
      body = buf;
    } else {
      uint64_t u = static_cast<uint64_t>(n);
      do {
        body.insert(body.begin(), char('0' + (u & 1)));
        u >>= 1;
      } while (u);
    }
  } else {
    body = to_str(v);
    if (prec >= 0 && v.k == VK::Str) body = body.substr(0, prec);
  }
  if (static_cast<int>(body.size()) < width) {
    size_t pad = width - body.size();
    char a = align ? align : (v.is_number() ? '>' : '<');
    if (a == '<')
      body += std::string(pad, fill);
    else if (a == '^')
      body = std::string(pad / 2, fill) + body + std::string(pad - pad / 2, fill);
    else if (a == '=' && !body.empty() && (body[0] == '-' || body[0] == '+'))
      body = body.substr(0, 1) + std::string(pad, fill) + body.substr(1);
    else
      body = std::string(pad, fill) + body;
  }
  return body;
}

void Interpreter::eval_call_args(const Expr* call, CallArgs& out) {
  out.call_span = call->span;
  for (const Expr* a : call->elts) {
    if (a->kind == ExprKind::Starred) {
      for (auto& v : iterate(eval(a->a), a->span)) {
        out.pos.push_back(v);
        out.pos_spans.push_back(a->span);
      }
      continue;
    }
    out.pos.push_back(eval(a));
    out.pos_spans.push_back(a->span);
  }
  for (const ast::Keyword& k : call->keywords) {
    if (k.arg.empty()) {
      Value d = eval(k.value);
      if (d.k != VK::Dict) error(k.span, "argument after ** must be a dict");
      for (auto& [name, v] : d.as<DictObj>()->items) {
        out.kw.push_back({name, v});
        out.kw_spans.push_back(k.span);
      }
      continue;
    }
    out.kw.push_back({k.arg, eval(k.value)});
    out.kw_spans.push_back(k.span);
  }
}

// ---------------------------------------------------------------- operators

namespace {
int64_t floordiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
int64_t pymod(int64_t a, int64_t b) {
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
}  // namespace

Value Interpreter::unary(ast::UnaryOpKind op, const Value& v, Span s, Span operand) {
  switch (op) {
    case ast::UnaryOpKind::Not:
      if (legacy_ && v.k == VK::Tensor) return legacy_unary(*this, op, v, s);  // an error
      return Value::boolean(!truthy(v, operand));
    case ast::UnaryOpKind::USub:
      if (v.is_int()) return Value::integer(checked_neg(*this, s, v.as_int()));
      if (is_index_value(v)) return index_binary(*this, ast::BinOpKind::Mult, v, Value::integer(-1), s);
      if (v.k == VK::Float) return Value::real(-v.f);
      break;
    case ast::UnaryOpKind::UAdd:
      if (v.is_int()) return Value::integer(v.as_int());
      if (v.k == VK::Float) return v;
      break;
    case ast::UnaryOpKind::Invert:
      if (v.is_int()) return Value::integer(~v.as_int());
      break;
  }
  if (as_scalar(v)) return scalar_arithmetic(*this, ast::name_of(op), v, nullptr, s);
  if (v.k == VK::Tensor && legacy_) return legacy_unary(*this, op, v, s);
  if (v.k == VK::Tensor)
    error(s, "operators on tensors are not supported", "use nki.isa instructions (e.g. nisa.tensor_scalar)");
  py_raise(s, "TypeError",
           std::string("bad operand type for unary ") + ast::name_of(op) + ": '" + type_name(v.k) + "'");
}

Value Interpreter::binary(ast::BinOpKind op, const Value& a, const Value& b, Span s) {
  using B = ast::BinOpKind;
  if (is_index_value(a) || is_index_value(b)) return index_binary(*this, op, a, b, s);  // Beta 1 grids
  if (legacy_ && (a.k == VK::Tensor || b.k == VK::Tensor)) return legacy_binary(*this, op, a, b, s);
  if (as_scalar(a) || as_scalar(b)) return scalar_arithmetic(*this, ast::name_of(op), a, &b, s);  // NKI 0.7.0
  if (a.k == VK::Tensor || b.k == VK::Tensor)
    error(s, "binary operators on tensors are not supported",
          "use nki.isa instructions (nisa.tensor_tensor, nisa.tensor_scalar) or nl.add/nl.multiply");
  if (a.is_int() && b.is_int()) {
    int64_t x = a.as_int(), y = b.as_int();
    switch (op) {
      case B::Add: return Value::integer(checked_add(*this, s, x, y));
      case B::Sub: return Value::integer(checked_sub(*this, s, x, y));
      case B::Mult: return Value::integer(checked_mul(*this, s, x, y));
      case B::Div:
        if (y == 0) py_raise(s, "ZeroDivisionError", "division by zero");
        return Value::real(static_cast<double>(x) / static_cast<double>(y));
      case B::FloorDiv:
        if (y == 0) py_raise(s, "ZeroDivisionError", "integer division by zero");
        if (x == INT64_MIN && y == -1) int_overflow(*this, s);
        return Value::integer(floordiv(x, y));
      case B::Mod:
        if (y == 0) py_raise(s, "ZeroDivisionError", "integer modulo by zero");
        if (y == -1) return Value::integer(0);
        return Value::integer(pymod(x, y));
      case B::Pow: {
        if (y < 0) {
          if (x == 0) py_raise(s, "ZeroDivisionError", "0 cannot be raised to a negative power");
          return Value::real(std::pow(static_cast<double>(x), static_cast<double>(y)));
        }
        return Value::integer(checked_pow(*this, s, x, y));
      }
      case B::LShift:
        if (y < 0) py_raise(s, "ValueError", "negative shift count");
        if (x == 0) return Value::integer(0);
        if (y >= 63) int_overflow(*this, s);
        return Value::integer(checked_mul(*this, s, x, int64_t{1} << y));
      case B::RShift:
        if (y < 0) py_raise(s, "ValueError", "negative shift count");
        return Value::integer(y >= 63 ? (x < 0 ? -1 : 0) : (x >> y));
      case B::BitAnd: return Value::integer(x & y);
      case B::BitOr: return Value::integer(x | y);
      case B::BitXor: return Value::integer(x ^ y);
      default: break;
    }
  }
  if (a.is_number() && b.is_number()) {
    double x = a.as_float(), y = b.as_float();
    switch (op) {
      case B::Add: return Value::real(x + y);
      case B::Sub: return Value::real(x - y);
      case B::Mult: return Value::real(x * y);
      case B::Div:
        if (y == 0) py_raise(s, "ZeroDivisionError", "float division by zero");
        return Value::real(x / y);
      case B::FloorDiv:
        if (y == 0) py_raise(s, "ZeroDivisionError", "float floor division by zero");
        return Value::real(std::floor(x / y));
      case B::Mod: {
        if (y == 0) py_raise(s, "ZeroDivisionError", "float modulo by zero");
        double r = std::fmod(x, y);
        if (r != 0 && ((r < 0) != (y < 0))) r += y;
        return Value::real(r);
      }
      case B::Pow: return Value::real(std::pow(x, y));
      default: break;
    }
  }
  bool seq_a = a.k == VK::Tuple || a.k == VK::List;
  if (op == B::Add && ((a.k == VK::Str && b.k == VK::Str) || (seq_a && a.k == b.k))) {
    if (a.k == VK::Str) return Value::str(a.as<StrObj>()->s + b.as<StrObj>()->s);
    std::vector<Value> items = a.as<SeqObj>()->items;
    for (auto& x : b.as<SeqObj>()->items) items.push_back(x);
    return a.k == VK::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
  }
  if (op == B::Mult && (a.is_int() || b.is_int())) {
    const Value& seq = a.is_int() ? b : a;
    int64_t n = a.is_int() ? a.as_int() : b.as_int();
    if (seq.k == VK::Str) {
      std::string r;
      for (int64_t i = 0; i < n; ++i) r += seq.as<StrObj>()->s;
      return Value::str(r);
    }
    if (seq.k == VK::Tuple || seq.k == VK::List) {
      std::vector<Value> items;
      for (int64_t i = 0; i < n; ++i)
        for (auto& x : seq.as<SeqObj>()->items) items.push_back(x);
      return seq.k == VK::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
  }
  if (op == B::Mod && a.k == VK::Str)
    error(s, "'%' string formatting is not supported in NKI kernels", "use an f-string");
  py_raise(s, "TypeError",
           std::string("unsupported operand types for ") + ast::name_of(op) + ": '" + type_name(a.k) + "' and '" +
               type_name(b.k) + "'");
}

bool Interpreter::compare(ast::CmpOpKind op, const Value& a, const Value& b, Span s) {
  using C = ast::CmpOpKind;
  switch (op) {
    case C::Eq:
    case C::NotEq: {
      bool eq;
      if (a.k == VK::DType && b.k == VK::Str)
        eq = name_of(a.as_dtype()) == b.as<StrObj>()->s;
      else if (b.k == VK::DType && a.k == VK::Str)
        eq = name_of(b.as_dtype()) == a.as<StrObj>()->s;
      else
        eq = equals(a, b);
      return op == C::Eq ? eq : !eq;
    }
    case C::Is:
    case C::IsNot: {
      bool same = (a.k == b.k && (a.k == VK::None || a.k == VK::Ellipsis)) ||
                  (a.k == VK::Bool && b.k == VK::Bool && a.b == b.b) || (a.o && a.o == b.o) ||
                  ((a.k == VK::DType || a.k == VK::Buffer || a.k == VK::Op) && a.k == b.k && a.i == b.i);
      return op == C::Is ? same : !same;
    }
    case C::In:
    case C::NotIn: {
      bool found = false;
      if (b.k == VK::Str && a.k == VK::Str) {
        found = b.as<StrObj>()->s.find(a.as<StrObj>()->s) != std::string::npos;
      } else if (b.k == VK::Dict) {
        found = a.k == VK::Str && b.as<DictObj>()->find(a.as<StrObj>()->s) != nullptr;
      } else if (Value r; b.k == VK::Instance && call_dunder(b, "__contains__", {a}, s, r)) {
        found = truthy(r, s);
      } else {
        for (auto& x : iterate(b, s))
          if (compare(C::Eq, a, x, s)) {
            found = true;
            break;
          }
      }
      return op == C::In ? found : !found;
    }
    default: break;
  }
  auto order = [&](int c) {
    switch (op) {
      case C::Lt: return c < 0;
      case C::LtE: return c <= 0;
      case C::Gt: return c > 0;
      default: return c >= 0;
    }
  };
  if (a.is_number() && b.is_number()) {
    if (a.k == VK::Float || b.k == VK::Float) {
      double x = a.as_float(), y = b.as_float();
      if (std::isnan(x) || std::isnan(y)) return false;
      return order(x < y ? -1 : x > y ? 1 : 0);
    }
    int64_t x = a.as_int(), y = b.as_int();
    return order(x < y ? -1 : x > y ? 1 : 0);
  }
  if (a.k == VK::Str && b.k == VK::Str) return order(a.as<StrObj>()->s.compare(b.as<StrObj>()->s));
  // nki.isa's enums order by value, as IntEnums (nki-library: `nisa.get_nc_version() >= nisa.nc_version.gen3`).
  if (a.k == VK::Enum && b.k == VK::Enum && a.as<EnumObj>()->cls == b.as<EnumObj>()->cls) {
    int64_t x = a.as<EnumObj>()->value, y = b.as<EnumObj>()->value;
    return order(x < y ? -1 : x > y ? 1 : 0);
  }
  if ((a.k == VK::Tuple || a.k == VK::List) && a.k == b.k) {
    auto &x = a.as<SeqObj>()->items, &y = b.as<SeqObj>()->items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (equals(x[i], y[i])) continue;
      return order(compare(C::Lt, x[i], y[i], s) ? -1 : 1);
    }
    return order(x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0);
  }
  if (a.k == VK::Tensor || b.k == VK::Tensor)
    error(s, "comparison operators on tensors are not supported", "use nisa.tensor_tensor with op=nl.less etc.");
  py_raise(s, "TypeError",
           std::string("'<' is not supported between '") + type_name(a.k) + "' and '" + type_name(b.k) + "'");
}

// ---------------------------------------------------------------- calls

Value call_language_op(Interpreter& in, AluOp op, CallArgs& args);  // builtins_language_ops.cpp

Value Interpreter::call(const Value& fn, CallArgs& args) {
  switch (fn.k) {
    case VK::Builtin: return fn.as<BuiltinObj>()->fn(*this, args);
    case VK::Op:  // nl.add(x, y), nl.exp(x), ... (Beta 1 kernels: their legacy form)
      return legacy_ ? legacy_call_op(*this, fn.as_op(), args) : call_language_op(*this, fn.as_op(), args);
    case VK::Function: return call_function(fn, args);
    case VK::Class: return instantiate(fn, args);
    case VK::DType: {  // np.float32(1.5), nl.int32(3): a compile-time scalar of that type
      if (args.pos.size() != 1 || !args.pos[0].is_number())
        error(args.call_span, std::string(name_of(fn.as_dtype())) + "() takes one number");
      if (is_float(fn.as_dtype())) return Value::real(args.pos[0].as_float());
      return Value::integer(args.pos[0].is_int()
                                ? args.pos[0].as_int()
                                : checked_float_to_int(*this, args.pos_spans[0], std::trunc(args.pos[0].as_float())));
    }
    case VK::Module:
      if (!fn.as<ModuleObj>()->unavailable.empty())
        error(args.call_span,
              fn.as<ModuleObj>()->unavailable + " (the kernel calls '" + fn.as<ModuleObj>()->name + "')");
      break;
    case VK::Instance: {
      Value m = instance_getattr(fn, "__call__", args.call_span);
      return call(m, args);
    }
    case VK::BoundMethod: {
      auto* bm = fn.as<BoundMethodObj>();
      args.pos.insert(args.pos.begin(), bm->self);
      args.pos_spans.insert(args.pos_spans.begin(), args.call_span);
      return call(bm->fn, args);
    }
    default: break;
  }
  py_raise(args.call_span, "TypeError", std::string("'") + type_name(fn.k) + "' object is not callable");
}

Value Interpreter::call_function(const Value& fnv, CallArgs& args) {
  auto* fo = fnv.as<FunctionObj>();
  const Stmt* def = fo->def;
  const ast::Arguments* a = def->args;
  if (fo->jit_decorated && !frames_.empty())
    error(args.call_span, "'" + def->name + "' is decorated with @nki.jit but is called from a kernel",
          "remove @nki.jit from '" + def->name + "': sub-kernels are plain functions (use nki.jit(" + def->name +
              ") where it also runs as a top-level kernel)");
  if (checked_.insert(def).second) {  // the subset check, once per function the kernel reaches
    std::vector<Diagnostic> errors;
    for (Diagnostic& d : check_subset(def, fo->module->source, frames_.empty())) {
      if (d.severity != Severity::Error) {
        add_warning(std::move(d));
        continue;
      }
      for (auto& c : calls_) d.stack.push_back({c.file, c.span});
      if (!frames_.empty()) d.stack.push_back({current_file(), args.call_span});
      errors.push_back(std::move(d));
    }
    if (!errors.empty()) throw UserError(std::move(errors));
  }
  if (calls_.size() > 200) {
    // A runaway recursion repeats the same few call sites: show each one once, not 200 frames.
    Diagnostic d = diagnostic_here(args.call_span, "maximum call depth exceeded (recursive kernel helpers?)",
                                   "the kernel is " + std::to_string(calls_.size()) +
                                       " calls deep (each call site above is shown once): make the recursion stop");
    std::vector<Location> stack;
    for (const Location& l : d.stack)
      if (std::none_of(stack.begin(), stack.end(), [&](const Location& o) {
            return o.file == l.file && o.span.line == l.span.line && o.span.col == l.span.col;
          }))
        stack.push_back(l);
    d.stack = std::move(stack);
    throw UserError(std::move(d));
  }
  Frame frame{fo->module, std::make_shared<Scope>(), false};
  frame.scope->parent = fo->closure;
  auto& locals = frame.scope->vars;
  std::vector<const ast::Arg*> positional;
  for (auto& p : a->posonlyargs) positional.push_back(&p);
  for (auto& p : a->args) positional.push_back(&p);
  std::vector<bool> bound(positional.size(), false);
  size_t np = positional.size();
  std::vector<Value> extra;
  for (size_t i = 0; i < args.pos.size(); ++i) {
    if (i < np) {
      locals[positional[i]->name] = args.pos[i];
      bound[i] = true;
    } else if (a->vararg) {
      extra.push_back(args.pos[i]);
    } else {
      py_raise(args.call_span, "TypeError",
               def->name + "() takes " + std::to_string(np) + " positional arguments but " +
                   std::to_string(args.pos.size()) + " were given");
    }
  }
  if (a->vararg) locals[a->vararg->name] = Value::tuple(extra);
  auto kwd = std::make_shared<DictObj>();
  std::vector<bool> kwbound(a->kwonlyargs.size(), false);
  for (size_t k = 0; k < args.kw.size(); ++k) {
    const std::string& name = args.kw[k].first;
    bool done = false;
    for (size_t i = 0; i < np && !done; ++i)
      if (positional[i]->name == name) {
        if (bound[i])
          py_raise(args.kw_spans[k], "TypeError", def->name + "() got multiple values for argument '" + name + "'");
        if (i < a->posonlyargs.size()) break;
        locals[name] = args.kw[k].second;
        bound[i] = done = true;
      }
    for (size_t i = 0; i < a->kwonlyargs.size() && !done; ++i)
      if (a->kwonlyargs[i].name == name) {
        locals[name] = args.kw[k].second;
        kwbound[i] = done = true;
      }
    if (!done) {
      if (!a->kwarg)
        py_raise(args.kw_spans[k], "TypeError", def->name + "() got an unexpected keyword argument '" + name + "'");
      kwd->items.push_back({name, args.kw[k].second});
    }
  }
  if (a->kwarg) {
    Value d;
    d.k = VK::Dict;
    d.o = kwd;
    locals[a->kwarg->name] = d;
  }
  size_t first_default = np - fo->defaults.size();
  for (size_t i = 0; i < np; ++i) {
    if (bound[i]) continue;
    if (i >= first_default)
      locals[positional[i]->name] = fo->defaults[i - first_default];
    else
      py_raise(args.call_span, "TypeError", def->name + "() missing required argument '" + positional[i]->name + "'");
  }
  for (size_t i = 0; i < a->kwonlyargs.size(); ++i) {
    if (kwbound[i]) continue;
    if (!fo->kw_has_default[i])
      py_raise(args.call_span, "TypeError",
               def->name + "() missing required keyword-only argument '" + a->kwonlyargs[i].name + "'");
    locals[a->kwonlyargs[i].name] = fo->kw_defaults[i];
  }
  bool outermost = frames_.empty();
  if (!outermost) calls_.push_back({current_file(), args.call_span, -1});
  frames_.push_back(std::move(frame));
  Value result;
  // A call that creates no tensor keeps the caller's name hint (`t = nl.ndarray(..., buffer=f(...))`).
  std::string hint = name_hint_;
  size_t tensors = program.tensors.size();
  try {
    Flow f = exec_block(def->body);
    result = f == Flow::Return ? return_value_ : Value::none();
    if (program.tensors.size() == tensors) name_hint_ = hint;
  } catch (...) {
    frames_.pop_back();
    if (!outermost) calls_.pop_back();
    throw;
  }
  return_value_ = Value::none();
  frames_.pop_back();
  if (!outermost) calls_.pop_back();
  return result;
}

std::vector<Value> Interpreter::bind(CallArgs& args, const std::string& fname, const std::vector<Param>& params) {
  std::vector<Value> out(params.size());
  std::vector<bool> set(params.size(), false);
  if (args.pos.size() > params.size())
    py_raise(args.call_span, "TypeError",
             fname + "() takes at most " + std::to_string(params.size()) + " arguments but " +
                 std::to_string(args.pos.size()) + " were given");
  for (size_t i = 0; i < args.pos.size(); ++i) {
    out[i] = args.pos[i];
    set[i] = true;
  }
  for (size_t k = 0; k < args.kw.size(); ++k) {
    size_t i = 0;
    while (i < params.size() && args.kw[k].first != params[i].name) ++i;
    if (i == params.size())
      py_raise(args.kw_spans[k], "TypeError",
               fname + "() got an unexpected keyword argument '" + args.kw[k].first + "'");
    if (set[i])
      py_raise(args.kw_spans[k], "TypeError", fname + "() got multiple values for argument '" + args.kw[k].first + "'");
    out[i] = args.kw[k].second;
    set[i] = true;
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (set[i]) continue;
    if (params[i].required)
      py_raise(args.call_span, "TypeError", fname + "() missing required argument '" + params[i].name + "'");
    out[i] = params[i].def;
  }
  return out;
}

Span Interpreter::arg_span(const CallArgs& args, const std::vector<Param>& params, size_t index) const {
  if (index < args.pos_spans.size()) return args.pos_spans[index];
  for (size_t k = 0; k < args.kw.size(); ++k)
    if (args.kw[k].first == params[index].name) return args.kw_spans[k];
  return args.call_span;
}

}  // namespace nkic::trace
