// The tracing front door (trace/tracer.h): every operation goes to the interpreter's own builtins and
// operators, with the interpreter's frames standing for the kernel's Python call stack.
#include "trace/tracer.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "trace/kernel_io.h"
#include "trace/releases.h"
#include "trace/scalars.h"

namespace nkic::trace {

namespace {
std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return "";
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
}  // namespace

Tracer::Tracer(const Target& target, const Launch& launch, const std::string& kernel_name, const HostContext& host) {
  program_.kernel_name = kernel_name;
  in_ = std::make_unique<Interpreter>(program_, target);
  in_->host = host;
  in_->launch = launch;
  fill_tile_size(*in_);
}

Tracer::~Tracer() = default;

SourceRef Tracer::file(const std::string& path) {
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  return files_[path] = std::make_shared<const SourceFile>(path, read_file(path));
}

void Tracer::define(const std::string& path, Span def) {
  kernel_file_ = file(path);
  def_ = def;
  program_.add_loc({kernel_file_, def}, -1);  // locs[0]: the kernel definition
  at({{path, def}});
}

void Tracer::at(const std::vector<Frame>& frames) {
  Interpreter& in = *in_;
  in.calls_.clear();
  for (size_t i = 0; i + 1 < frames.size(); ++i) in.calls_.push_back({file(frames[i].path), frames[i].span, -1});
  const Frame& last = frames.empty() ? Frame{kernel_file_ ? kernel_file_->path() : "", def_} : frames.back();
  SourceRef f = file(last.path);
  auto& env = envs_[f.get()];
  if (!env) {  // a module environment with no AST: only its file is used (diagnostics, locations)
    env = std::make_unique<ModuleEnv>();
    env->source = f;
    env->obj = std::make_shared<ModuleObj>();
    env->obj->name = last.path;
  }
  in.frames_.clear();
  in.frames_.push_back({env.get(), nullptr, true});
  span_ = last.span;
}

Value Tracer::input(const std::string& name, const std::vector<int64_t>& shape, DType dt) {
  Value t = input_tensor(*in_, name, shape, dt, tensor_index_);
  program_.num_inputs = tensor_index_;
  return t;
}

Value Tracer::module_attr(const std::string& dotted) {
  // The longest builtin module prefix, then attributes: "nki.isa.engine.vector" = (nki.isa).engine.vector.
  size_t cut = dotted.size();
  Value v;
  while (true) {
    v = in_->builtin_module(dotted.substr(0, cut));
    if (!v.is_none() || cut == std::string::npos) break;
    cut = dotted.rfind('.', cut - 1);
    if (cut == std::string::npos) in_->error(span_, "no module named '" + dotted + "'");
  }
  while (cut < dotted.size()) {
    size_t next = dotted.find('.', cut + 1);
    v = in_->getattr(v, dotted.substr(cut + 1, next == std::string::npos ? std::string::npos : next - cut - 1), span_);
    cut = next == std::string::npos ? dotted.size() : next;
  }
  return v;
}

Value Tracer::getattr(const Value& obj, const std::string& name) { return in_->getattr(obj, name, span_); }
void Tracer::setattr(const Value& obj, const std::string& name, const Value& v) { in_->setattr(obj, name, v, span_); }

Value Tracer::call(const Value& fn, CallArgs& args) {
  args.call_span = span_;
  while (args.pos_spans.size() < args.pos.size()) args.pos_spans.push_back(span_);
  while (args.kw_spans.size() < args.kw.size()) args.kw_spans.push_back(span_);
  return in_->call(fn, args);
}

Value Tracer::subscript(const Value& obj, const Value& idx) { return in_->subscript(obj, idx, span_); }
void Tracer::store_subscript(const Value& obj, const Value& idx, const Value& v) {
  in_->store_subscript(obj, idx, v, span_);
}
Value Tracer::binary(ast::BinOpKind op, const Value& a, const Value& b) { return in_->binary(op, a, b, span_); }
Value Tracer::unary(ast::UnaryOpKind op, const Value& v) { return in_->unary(op, v, span_, span_); }
bool Tracer::truthy(const Value& v) {
  if (v.k == VK::Register && !as_scalar(v)) {  // `while reg:` / `if reg:`: Python asks the register for a bool
    check_release(*in_, "`while` on a register", span_);  // removed in 0.7.0 (the error under 0.7.0)
    in_->py_raise(span_, "TypeError",
                  "a VirtualRegister holds a run-time value: it has no truth value in a traced kernel",
                  "loop on the device with nl.while_loop(init, body) (NKI 0.6.0+), or select NKI 0.6 for `while reg:`");
  }
  return in_->truthy(v, span_);
}

Value Tracer::compare(ast::CmpOpKind op, const Value& a, const Value& b) {
  if (as_scalar(a) || as_scalar(b)) return scalar_compare(*in_, op, a, b, span_);  // NKI 0.7.0: traced
  return Value::boolean(in_->compare(op, a, b, span_));
}

void Tracer::name_hint(const std::string& name) { in_->name_hint_ = name; }

void Tracer::no_reorder(bool enter) { in_->no_reorder_depth_ += enter ? 1 : -1; }

void Tracer::legacy_import(const std::string& dotted) { check_legacy_namespace(*in_, dotted, span_); }

int32_t Tracer::open_loop(const std::string& kind) {
  if (kind != "range") check_release(*in_, "nki.language." + kind, span_);         // deprecated in 0.7.0
  if (kind == "affine_range" || kind == "sequential_range") ++in_->affine_depth_;  // multi-buffered tiles
  return in_->loops.open(LoopRecorder::kind_of(kind), in_->loc_here(span_));
}
void Tracer::next_iteration(int32_t loop) { in_->loops.next_iteration(loop); }
void Tracer::close_loop(int32_t loop, const std::string& kind) {
  in_->loops.close(loop);
  if (kind == "affine_range" || kind == "sequential_range") --in_->affine_depth_;
}

Value Tracer::open_dynamic_for(const Value& range, int32_t& loop) {
  if (range.k != VK::Range || !range.as<RangeObj>()->dynamic())
    in_->py_raise(span_, "TypeError", std::string("'") + type_name(range.k) + "' object is not iterable at trace time");
  if (in_->in_no_reorder())
    in_->error(span_, "Dynamic control-flow cannot be nested with a no_reorder block",
               "put the `with nl.no_reorder():` block inside the loop body instead");
  uint32_t begin = 0;
  Value iv = in_->open_dynamic_for(*range.as<RangeObj>(), span_, begin);
  hardware_loops_.push_back({begin, span_});
  loop = static_cast<int32_t>(hardware_loops_.size()) - 1;
  return iv;
}

void Tracer::close_dynamic_for(int32_t loop) {
  if (loop != static_cast<int32_t>(hardware_loops_.size()) - 1)
    throw std::logic_error("Tracer: hardware loops close innermost first");
  auto [begin, at] = hardware_loops_.back();
  hardware_loops_.pop_back();
  in_->close_hardware_loop(begin, Opcode::EndLoop, at);
}

SpecializeResult Tracer::finish(const Value& result) {
  if (!hardware_loops_.empty())
    in_->error(hardware_loops_.back().second,
               "'break' or 'return' cannot leave a dynamic_range loop: its body runs on the device");
  collect_outputs(program_, result, {kernel_file_, def_});
  SpecializeResult r;
  r.warnings = in_->warnings();
  r.program = std::move(program_);
  return r;
}

}  // namespace nkic::trace
