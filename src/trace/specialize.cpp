// specialize(): sets up the interpreter, binds the kernel's arguments, traces the kernel and collects
// its outputs. The passes that follow (allocate, verify) are run by the pipeline in api/.
#include "trace/specialize.h"

#include "trace/interpreter.h"
#include "trace/kernel_io.h"

namespace nkic {

namespace trace {
std::shared_ptr<ArrayObj> array_from_bytes(const std::string& dtype, std::vector<int64_t> shape, const uint8_t* data,
                                           size_t bytes, std::string& err);  // constants.cpp
}

using namespace trace;

namespace trace {
Value input_tensor(Interpreter& in, const std::string& name, const std::vector<int64_t>& shape, DType dt,
                   int& tensor_index) {
  Value t = in.new_tensor(name, Mem::HBM, dt, shape, Span{});
  TensorDecl& d = in.program.tensors[t.as<TensorObj>()->ap.tensor];
  d.role = TensorRole::Input;
  d.io_index = tensor_index++;
  return t;
}

void fill_tile_size(Interpreter& in) {
  auto* ts = in.builtin_module("nki.language").as<ModuleObj>()->ns["tile_size"].as<ModuleObj>();
  const Target& t = in.tgt;
  ts->ns["pmax"] = Value::integer(t.partitions);
  ts->ns["psum_fmax"] = Value::integer(t.psum_fmax);
  ts->ns["gemm_stationary_fmax"] = Value::integer(t.gemm_stationary_fmax);
  ts->ns["gemm_moving_fmax"] = Value::integer(t.gemm_moving_fmax);
  ts->ns["bn_stats_fmax"] = Value::integer(t.bn_stats_fmax);
  ts->ns["psum_min_align"] = Value::integer(t.psum_min_align);
  ts->ns["sbuf_min_align"] = Value::integer(t.sbuf_min_align);
  ts->ns["total_available_sbuf_size"] = Value::integer(t.sbuf_usable_bytes);
  // NKI 0.4.0 (bytes-aware sizes) and 0.5.0 (psum_num_banks); docs/semantics.md "NKI 0.4.0-0.5.0 additions".
  ts->ns["sbuf_size_bytes"] = Value::integer(t.sbuf_partition_bytes * t.partitions);
  ts->ns["sbuf_fmax"] = Value::integer(t.sbuf_usable_bytes / 4);
  ts->ns["sbuf_fmax_bytes"] = Value::integer(t.sbuf_usable_bytes);
  ts->ns["psum_bank_fmax"] = Value::integer(t.psum_bank_bytes / 4);
  ts->ns["psum_bank_fmax_bytes"] = Value::integer(t.psum_bank_bytes);
  ts->ns["psum_num_banks"] = Value::integer(t.psum_banks);
}

void collect_outputs(Program& p, const Value& result, const Location& def) {
  std::vector<Value> outs;
  if (result.k == VK::Tuple || result.k == VK::List) {
    outs = result.as<SeqObj>()->items;
    p.output_is_tuple = true;
  } else if (!result.is_none()) {
    outs.push_back(result);
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    const Value& v = outs[i];
    Diagnostic d;
    d.loc = def;
    if (v.k != VK::Tensor) {
      d.message = "kernel '" + p.kernel_name + "' returns a '" + type_name(v.k) + "'; kernels return HBM tensors";
      throw UserError(std::move(d));
    }
    TensorDecl& t = p.tensors[v.as<TensorObj>()->ap.tensor];
    if (t.mem != Mem::HBM) {
      d.message = "kernel '" + p.kernel_name + "' returns tensor '" + t.name + "', which is not in HBM";
      d.hint = "create outputs with nl.ndarray(..., buffer=nl.shared_hbm) and return them";
      throw UserError(std::move(d));
    }
    if (!v.as<TensorObj>()->whole) {
      d.message = "kernel '" + p.kernel_name + "' returns a view of tensor '" + t.name + "'; return the whole tensor";
      throw UserError(std::move(d));
    }
    // A whole-tensor reshape is returned in its new shape (nki-library's cascaded_max returns
    // `max_values.reshape(config.out_shape)`): the output's storage is the same, only its shape differs.
    const AccessPattern& rap = v.as<TensorObj>()->ap;
    std::vector<int64_t> rshape;
    for (const auto& dim : rap.dims) rshape.push_back(dim.num);
    if (rshape != t.shape) {
      if (rap.dtype != t.dtype || t.role == TensorRole::Input) {
        d.message = "kernel '" + p.kernel_name + "' returns tensor '" + t.name + "' " +
                    (t.role == TensorRole::Input ? "reshaped; return the input argument itself"
                                                 : "reinterpreted as another dtype; return the tensor itself");
        throw UserError(std::move(d));
      }
      t.shape = rshape;
    }
    // A returned input argument (production kernels that update an input in place return it) is that
    // same array: it stays an input, and the output position aliases it.
    if (t.role == TensorRole::Output || t.role == TensorRole::Internal) {
      if (t.role == TensorRole::Output) {
        d.message = "kernel '" + p.kernel_name + "' returns tensor '" + t.name + "' twice";
        throw UserError(std::move(d));
      }
      t.role = TensorRole::Output;
      t.io_index = static_cast<int32_t>(i);
    }
    p.outputs.push_back(v.as<TensorObj>()->ap.tensor);
  }
}

}  // namespace trace

namespace {

Value to_value(Interpreter& in, const ArgValue& a, const std::string& pname, int& tensor_index) {
  switch (a.kind) {
    case ArgValue::Kind::Tensor: return input_tensor(in, pname, a.shape, a.dtype, tensor_index);
    case ArgValue::Kind::None: return Value::none();
    case ArgValue::Kind::Bool: return Value::boolean(a.b);
    case ArgValue::Kind::Int: return Value::integer(a.i);
    case ArgValue::Kind::Float: return Value::real(a.f);
    case ArgValue::Kind::Str: return Value::str(a.s);
    case ArgValue::Kind::DType: return Value::dtype(a.dtype);
    case ArgValue::Kind::Enum:
    case ArgValue::Kind::Object: {
      Span none;
      ModuleEnv* env = in.load_module_file(a.s, "", none);
      Value cls = in.lookup_global(env, a.cls.substr(0, a.cls.find('.')), none);
      for (size_t pos = a.cls.find('.'); pos != std::string::npos && cls.k == VK::Class;) {
        size_t next = a.cls.find('.', pos + 1);
        cls = in.class_getattr(
            cls, a.cls.substr(pos + 1, next == std::string::npos ? std::string::npos : next - pos - 1), none);
        pos = next;
      }
      if (cls.k != VK::Class)
        throw UserError(Diagnostic{
            Severity::Error, {}, "argument '" + pname + "': class " + a.cls + " not found in " + a.s, "", {}, {}});
      if (a.kind == ArgValue::Kind::Enum) return in.class_getattr(cls, a.member, none);
      auto obj = std::make_shared<InstanceObj>();
      obj->cls = cls;
      for (size_t i = 0; i < a.keys.size(); ++i)
        obj->attrs.push_back({a.keys[i], to_value(in, a.items[i], pname, tensor_index)});
      return Value::wrap(VK::Instance, obj);
    }
    case ArgValue::Kind::Module: {
      Value m = in.builtin_module(a.s);
      if (m.is_none()) m = in.import_file_module(a.s, 0, Span{});  // a package the caller imported
      if (m.is_none()) {
        auto mo = std::make_shared<ModuleObj>();
        mo->name = a.s;
        mo->unavailable = "module '" + a.s + "' is not available to kernels";
        m = Value::wrap(VK::Module, mo);
      }
      Span none;
      for (size_t pos = 0; !a.member.empty() && pos != std::string::npos;) {  // "engine.vector" -> attributes
        size_t next = a.member.find('.', pos);
        m = in.getattr(m, a.member.substr(pos, next == std::string::npos ? std::string::npos : next - pos), none);
        pos = next == std::string::npos ? next : next + 1;
      }
      return m;
    }
    case ArgValue::Kind::Function: {
      Span none;
      ModuleEnv* env = in.load_module_file(a.s, "", none);
      Value fn = in.lookup_global(env, a.cls, none);
      if (fn.k != VK::Function)
        throw UserError(
            Diagnostic{Severity::Error,
                       {},
                       "argument '" + pname + "': function " + a.cls + " not found at the top level of " + a.s,
                       "pass a module-level function",
                       {},
                       {}});
      return fn;
    }
    case ArgValue::Kind::Dict: {
      auto d = std::make_shared<DictObj>();
      for (size_t i = 0; i < a.keys.size(); ++i)
        d->items.push_back({a.keys[i], to_value(in, a.items[i], pname, tensor_index)});
      return Value::wrap(VK::Dict, d);
    }
    case ArgValue::Kind::Array: {
      std::string err;
      auto arr = array_from_bytes(a.s, a.shape, a.data.data(), a.data.size(), err);
      if (!arr) throw UserError(Diagnostic{Severity::Error, {}, "'" + pname + "': " + err, "", {}, {}});
      return Value::wrap(VK::Array, arr);
    }
    case ArgValue::Kind::Tuple: {
      std::vector<Value> items;
      for (auto& x : a.items) items.push_back(to_value(in, x, pname, tensor_index));
      return Value::tuple(std::move(items));
    }
  }
  return Value::none();
}

// `a: nt.tensor[128, 512]` on a kernel parameter: the argument's shape (and dtype, if given) must match.
void check_annotations(Interpreter& in, ModuleEnv* env, const ast::Stmt* def, const CallArgs& call) {
  std::vector<const ast::Arg*> params;
  for (auto& a : def->args->posonlyargs) params.push_back(&a);
  for (auto& a : def->args->args) params.push_back(&a);
  for (auto& a : def->args->kwonlyargs) params.push_back(&a);
  for (size_t i = 0; i < params.size(); ++i) {
    const ast::Expr* ann = params[i]->annotation;
    if (!ann || ann->kind != ast::ExprKind::Subscript) continue;
    const Value* arg = nullptr;
    if (i < call.pos.size()) arg = &call.pos[i];
    for (size_t k = 0; k < call.kw.size(); ++k)
      if (call.kw[k].first == params[i]->name) arg = &call.kw[k].second;
    if (!arg || arg->k != VK::Tensor) continue;
    Value spec = in.eval_in_module(env, ann);
    if (spec.k != VK::Instance || spec.as<InstanceObj>()->cls.as<ClassObj>()->builtin != "nki.typing.TensorType")
      continue;
    auto* inst = spec.as<InstanceObj>();
    auto shape = arg->as<TensorObj>()->shape();
    const auto& dims = inst->find("shape")->as<SeqObj>()->items;
    std::string want = "[", got = "[";
    bool ok = dims.size() == shape.size();
    for (size_t d = 0; d < dims.size(); ++d) {
      want += (d ? ", " : "") + to_str(dims[d]);
      if (ok && dims[d].is_int() && dims[d].as_int() != shape[d]) ok = false;
    }
    for (size_t d = 0; d < shape.size(); ++d) got += (d ? ", " : "") + std::to_string(shape[d]);
    want += "]";
    got += "]";
    const Value& dt = *inst->find("dtype");
    std::string msg;
    if (!ok)
      msg = "argument '" + params[i]->name + "' has shape " + got + " but its annotation declares " + want;
    else if (dt.k == VK::DType && dt.as_dtype() != arg->as<TensorObj>()->ap.dtype)
      msg = "argument '" + params[i]->name + "' has dtype " + std::string(name_of(arg->as<TensorObj>()->ap.dtype)) +
            " but its annotation declares " + std::string(name_of(dt.as_dtype()));
    if (msg.empty()) continue;
    Diagnostic d;
    d.loc = {env->source, ann->span};
    d.message = msg;
    d.hint = "pass an array of the annotated shape, or change the annotation";
    UserError e(std::move(d));
    e.kind = "validation";
    throw e;
  }
}

}  // namespace

namespace {
void find_defs(const std::vector<ast::Stmt*>& body, const std::string& name, bool top,
               std::vector<std::pair<const ast::Stmt*, bool>>& out) {
  for (const ast::Stmt* s : body) {
    if (s->kind == ast::StmtKind::FunctionDef && s->name == name) out.push_back({s, top});
    for (auto* b : {&s->body, &s->orelse, &s->finalbody}) find_defs(*b, name, false, out);
    for (auto& h : s->handlers) find_defs(h.body, name, false, out);
  }
}
}  // namespace

SpecializeResult specialize(SourceRef source, const std::string& kernel_name, const std::vector<KernelArg>& args,
                            const Target& target, int lineno, const std::vector<KernelArg>& globals,
                            const HostContext& host, const Launch& launch) {
  SpecializeResult r;
  Program& p = r.program;
  p.kernel_name = kernel_name;
  Interpreter in(p, target);
  in.host = host;
  in.launch = launch;
  fill_tile_size(in);
  ModuleEnv* env = in.load_module(source);
  for (const KernelArg& g : globals) {
    // The source's own definition wins, except for NumPy arrays: the live value is exact.
    if (env->binders.count(g.keyword) && g.value.kind != ArgValue::Kind::Array) continue;
    int unused = 0;
    env->obj->ns[g.keyword] = to_value(in, g.value, g.keyword, unused);
  }
  const ast::Stmt* def = nullptr;
  std::vector<std::pair<const ast::Stmt*, bool>> defs;
  find_defs(env->ast->body, kernel_name, true, defs);
  for (auto& [s, top] : defs) {
    uint32_t first = s->decorators.empty() ? s->span.line : s->decorators[0]->span.line;
    if (lineno > 0 ? (s->span.line == static_cast<uint32_t>(lineno) || first == static_cast<uint32_t>(lineno)) : top)
      def = s;
  }
  if (!def && !defs.empty() && lineno > 0) def = defs.back().first;
  if (!def) {
    Diagnostic d;
    d.loc = {source, Span{}};
    d.message = "no top-level function named '" + kernel_name + "' in " + source->path();
    throw UserError(std::move(d));
  }
  p.add_loc({source, def->span}, -1);  // locs[0]: the kernel definition
  Value fn = in.define_function(env, def);

  // Bind arguments: name tensors after the parameters they bind to.
  std::vector<std::string> pnames;
  for (auto& a : def->args->posonlyargs) pnames.push_back(a.name);
  for (auto& a : def->args->args) pnames.push_back(a.name);
  CallArgs call;
  call.call_span = def->span;
  int tensor_index = 0;
  size_t npos = 0;
  for (const KernelArg& a : args) {
    if (a.keyword.empty()) {
      std::string pname = npos < pnames.size() ? pnames[npos] : "arg" + std::to_string(npos);
      call.pos.push_back(to_value(in, a.value, pname, tensor_index));
      call.pos_spans.push_back(def->span);
      ++npos;
    } else {
      call.kw.push_back({a.keyword, to_value(in, a.value, a.keyword, tensor_index)});
      call.kw_spans.push_back(def->span);
    }
  }
  p.num_inputs = tensor_index;
  check_annotations(in, env, def, call);
  Value result;
  if (launch.spmd.empty()) {
    result = in.call(fn, call);
  } else {  // a Beta 1 SPMD grid run serially on one core: every program traced in turn into one Program
    int64_t n = 1;
    for (int64_t d : launch.spmd) n *= d;
    for (int64_t k = 0; k < n; ++k) {
      in.launch.spmd_id.assign(launch.spmd.size(), 0);
      for (size_t d = launch.spmd.size(), rest = static_cast<size_t>(k); d-- > 0;) {
        in.launch.spmd_id[d] = static_cast<int64_t>(rest) % launch.spmd[d];
        rest /= static_cast<size_t>(launch.spmd[d]);
      }
      in.begin_spmd_program(k);
      Value r = in.call(fn, call);
      if (k == 0) result = r;  // every program returns the same shared tensors (matched in declaration order)
    }
  }

  collect_outputs(p, result, {source, def->span});
  r.warnings = in.warnings();
  for (auto& [name, value] : in.env_read) r.env.vars.push_back({name, value});
  r.env.all = in.env_read_all;
  return r;
}

}  // namespace nkic
