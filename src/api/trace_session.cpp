// The tracing front door's session (api/trace_session.h): TValue <-> trace::Value, and the pipeline.
#include "api/trace_session.h"

#include <stdexcept>

#include "trace/interpreter.h"
#include "trace/scalars.h"
#include "trace/tracer.h"

namespace nkic::trace {
std::shared_ptr<ArrayObj> array_from_bytes(const std::string& dtype, std::vector<int64_t> shape, const uint8_t* data,
                                           size_t bytes, std::string& err);  // constants.cpp
}

namespace nkic::api {

using trace::Value;
using trace::VK;

struct Handle {
  Value v;
};

std::string handle_kind(const Handle& h) {
  if (trace::as_scalar(h.v)) return "NkiScalar";
  return trace::type_name(h.v.k);
}

std::string handle_class(const Handle& h) {
  switch (h.v.k) {
    case VK::Tensor: return "nki.language.NkiTensor";
    case VK::Register: return trace::as_scalar(h.v) ? "nki.isa.NkiScalar" : "nki.isa.VirtualRegister";
    case VK::Instance: {
      const std::string& b = h.v.as<trace::InstanceObj>()->cls.as<trace::ClassObj>()->builtin;
      if (b == "NkiInstruction") return "nki.isa.NkiInstruction";
      if (b.rfind("nki.", 0) == 0) return b;
      return "";
    }
    default: return "";
  }
}

std::string python_class_of(const UserError& e) {
  auto* pe = dynamic_cast<const trace::PyException*>(&e);
  if (!pe || pe->exc.k != VK::Instance) return "";
  return pe->exc.as<trace::InstanceObj>()->cls.as<trace::ClassObj>()->name;
}

namespace {

template <class E>
E enum_named(const char* (*name)(E), const std::string& s, int n) {
  for (int i = 0; i < n; ++i)
    if (s == name(static_cast<E>(i))) return static_cast<E>(i);
  throw std::invalid_argument("unknown operator " + s);
}

}  // namespace

TraceSession::TraceSession(const std::string& path, Span def, const std::string& kernel_name,
                           const CompileOptions& options)
    : path_(path), kernel_name_(kernel_name), def_(def), options_(options) {
  trace::Tracer probe(nkic::target(options.target), Launch{}, kernel_name, options.host);
  src_ = probe.file(path);
  launches_ = check_launch(src_, kernel_name, options_, parts_.warnings);
}

TraceSession::~TraceSession() = default;

trace::Tracer& TraceSession::tr() {
  if (!tracer_) throw std::logic_error("no kernel is being traced: NKI values cannot outlive their kernel");
  return *tracer_;
}

void TraceSession::begin_core(int c) {
  if (c != core_ + 1 || c >= cores()) throw std::logic_error("TraceSession: cores are traced in order");
  core_ = c;
  tracer_ = std::make_unique<trace::Tracer>(nkic::target(options_.target), launches_[static_cast<size_t>(c)],
                                            kernel_name_, options_.host);
  tracer_->define(path_, def_);
}

void TraceSession::end_core(const TValue& result) {
  Value v = to_value(result);
  if (cores() > 1 && !options_.dump_after.empty()) parts_.dump += "core " + std::to_string(core_) + ":\n";
  SpecializeResult r = tr().finish(v);
  tracer_.reset();
  run_passes(r.program, options_, parts_.dump);
  add_core_result(r, core_, parts_);
}

std::shared_ptr<Kernel> TraceSession::finish() {
  if (static_cast<int>(parts_.programs.size()) != cores())
    throw std::logic_error("TraceSession: every core must be traced before finish()");
  return assemble(src_, std::move(parts_), options_.target);
}

void TraceSession::at(const std::vector<Frame>& frames) {
  frames_ = frames;
  std::vector<trace::Tracer::Frame> fs;
  for (const Frame& f : frames) fs.push_back({f.path, f.span});
  tr().at(fs);
}

// ---------------------------------------------------------------- conversions

Value TraceSession::to_value(const TValue& t) {
  using K = TValue::Kind;
  switch (t.kind) {
    case K::None: return Value::none();
    case K::Bool: return Value::boolean(t.b);
    case K::Int: return Value::integer(t.i);
    case K::Float: return Value::real(t.f);
    case K::Str: return Value::str(t.s);
    case K::Tuple:
    case K::List: {
      std::vector<Value> items;
      for (const TValue& x : t.items) items.push_back(to_value(x));
      return t.kind == K::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
    }
    case K::Slice: {
      auto s = std::make_shared<trace::SliceObj>();
      s->start = to_value(t.items.at(0));
      s->stop = to_value(t.items.at(1));
      s->step = to_value(t.items.at(2));
      return Value::wrap(VK::Slice, s);
    }
    case K::Ellipsis: return Value::ellipsis();
    case K::DType: {
      auto dt = dtype_from_name(t.s);
      if (!dt) throw std::invalid_argument("unsupported dtype " + t.s);
      return Value::dtype(*dt);
    }
    case K::Constant: return tr().module_attr("nki.language." + t.name);
    case K::Path: return tr().module_attr(t.s);
    case K::Handle: return t.handle->v;
    case K::Dict: {
      auto d = std::make_shared<trace::DictObj>();
      for (size_t k = 0; k < t.keys.size(); ++k) d->items.push_back({t.keys[k], to_value(t.items.at(k))});
      return Value::wrap(VK::Dict, d);
    }
    case K::Array: {
      std::string err;
      auto arr = trace::array_from_bytes(t.s, t.shape, t.data.data(), t.data.size(), err);
      if (!arr) throw std::invalid_argument(err);
      return Value::wrap(VK::Array, arr);
    }
    case K::Callable: {
      TCallable fn = t.callable;
      return trace::make_builtin("function", [this, fn](trace::Interpreter&, trace::CallArgs& a) -> Value {
        std::vector<Frame> saved = frames_;  // the body's operations move the location: restore it
        TArgs args;
        for (const Value& x : a.pos) args.push_back(from_value(x));
        TKwargs kw;
        for (auto& [k, x] : a.kw) kw.push_back({k, from_value(x)});
        TValue r = fn(args, kw);
        at(saved);
        return to_value(r);
      });
    }
  }
  return Value::none();
}

TValue TraceSession::from_value(const Value& v) {
  using K = TValue::Kind;
  TValue t;
  switch (v.k) {
    case VK::None: return t;
    case VK::Bool: t.kind = K::Bool, t.b = v.b; return t;
    case VK::Int: t.kind = K::Int, t.i = v.i; return t;
    case VK::Float: t.kind = K::Float, t.f = v.f; return t;
    case VK::Str: t.kind = K::Str, t.s = v.as<trace::StrObj>()->s; return t;
    case VK::Tuple:
    case VK::List:
      t.kind = v.k == VK::Tuple ? K::Tuple : K::List;
      for (const Value& x : v.as<trace::SeqObj>()->items) t.items.push_back(from_value(x));
      return t;
    case VK::Dict:
      t.kind = K::Dict;
      for (auto& [k, x] : v.as<trace::DictObj>()->items) {
        t.keys.push_back(k);
        t.items.push_back(from_value(x));
      }
      return t;
    case VK::DType: t.kind = K::DType, t.s = std::string(name_of(v.as_dtype())); return t;
    case VK::Buffer:
      t.kind = K::Constant, t.s = "buffer", t.name = trace::name_of(static_cast<trace::BufferKind>(v.i));
      return t;
    case VK::Op: t.kind = K::Constant, t.s = "op", t.name = std::string(name_of(v.as_op())); return t;
    default:
      t.kind = K::Handle;
      t.handle = std::make_shared<Handle>(Handle{v});
      return t;
  }
}

// ---------------------------------------------------------------- operations

TValue TraceSession::input(const std::string& name, const std::vector<int64_t>& shape, DType dt) {
  return from_value(tr().input(name, shape, dt));
}
TValue TraceSession::attr(const std::string& dotted) { return from_value(tr().module_attr(dotted)); }
TValue TraceSession::getattr(const TValue& obj, const std::string& name) {
  return from_value(tr().getattr(to_value(obj), name));
}
void TraceSession::setattr(const TValue& obj, const std::string& name, const TValue& v) {
  tr().setattr(to_value(obj), name, to_value(v));
}

TValue TraceSession::call(const TValue& fn, const TArgs& args, const TKwargs& kwargs,
                          const std::vector<Span>& pos_spans, const std::vector<Span>& kw_spans) {
  Value f = to_value(fn);
  trace::CallArgs a;
  for (const TValue& x : args) a.pos.push_back(to_value(x));
  for (auto& [k, x] : kwargs) a.kw.push_back({k, to_value(x)});
  Span here = frames_.empty() ? Span{} : frames_.back().span;
  auto spans = [&](const std::vector<Span>& given, size_t n) {
    std::vector<Span> out;
    for (size_t i = 0; i < n; ++i) out.push_back(i < given.size() && given[i].valid() ? given[i] : here);
    return out;
  };
  a.pos_spans = spans(pos_spans, a.pos.size());
  a.kw_spans = spans(kw_spans, a.kw.size());
  return from_value(tr().call(f, a));
}

TValue TraceSession::getitem(const TValue& obj, const TValue& key) {
  return from_value(tr().subscript(to_value(obj), to_value(key)));
}
void TraceSession::setitem(const TValue& obj, const TValue& key, const TValue& v) {
  tr().store_subscript(to_value(obj), to_value(key), to_value(v));
}
TValue TraceSession::binop(const std::string& op, const TValue& a, const TValue& b) {
  auto k = enum_named<ast::BinOpKind>(ast::name_of, op, 13);
  return from_value(tr().binary(k, to_value(a), to_value(b)));
}
TValue TraceSession::cmp(const std::string& op, const TValue& a, const TValue& b) {
  auto k = enum_named<ast::CmpOpKind>(ast::name_of, op, 10);
  return from_value(tr().compare(k, to_value(a), to_value(b)));
}
TValue TraceSession::unop(const std::string& op, const TValue& a) {
  auto k = enum_named<ast::UnaryOpKind>(ast::name_of, op, 4);
  return from_value(tr().unary(k, to_value(a)));
}
void TraceSession::name_hint(const std::string& name) { tr().name_hint(name); }
bool TraceSession::truth(const TValue& a) { return tr().truthy(to_value(a)); }
void TraceSession::no_reorder(bool enter) { tr().no_reorder(enter); }
void TraceSession::legacy_import(const std::string& dotted) { tr().legacy_import(dotted); }
TValue TraceSession::hardware_for_open(const TValue& range, int32_t& loop) {
  return from_value(tr().open_dynamic_for(to_value(range), loop));
}
void TraceSession::hardware_for_close(int32_t loop) { tr().close_dynamic_for(loop); }
int32_t TraceSession::loop_open(const std::string& kind) { return tr().open_loop(kind); }
void TraceSession::loop_iter(int32_t loop) { tr().next_iteration(loop); }
void TraceSession::loop_close(int32_t loop, const std::string& kind) { tr().close_loop(loop, kind); }

}  // namespace nkic::api
