// The tracing front door (NKI 0.7.0): the kernel runs in CPython, and each nki.language / nki.isa call,
// operator and attribute on a traced value arrives here as Values and goes to the same builtin, the same
// validation and the same emission the C++ interpreter uses, appending to the same Program. Python holds
// only handles. Where a call comes from is the kernel's Python call stack (at()), so diagnostics point at
// the kernel's file, line and column with the same rendering.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "trace/interpreter.h"
#include "trace/specialize.h"

namespace nkic::trace {

class Tracer {
 public:
  Tracer(const Target& target, const Launch& launch, const std::string& kernel_name, const HostContext& host);
  ~Tracer();

  Program& program() { return program_; }
  Interpreter& interpreter() { return *in_; }

  // The kernel's own source file and definition (Program::locs[0]).
  void define(const std::string& path, Span def);
  // A source file by path, read once ("" when unreadable: diagnostics then show no source line).
  SourceRef file(const std::string& path);
  // Where the operation being traced is: the kernel-side Python frames, outermost first (file, span of
  // the call or expression each is at); the last is the operation itself.
  struct Frame {
    std::string path;
    Span span;
  };
  void at(const std::vector<Frame>& frames);
  // The next HBM input tensor, named after its parameter.
  Value input(const std::string& name, const std::vector<int64_t>& shape, DType dt);

  // The operations, with the location set by at(). `arg spans` are in CallArgs.
  Value module_attr(const std::string& dotted);  // "nki.language.add": release-checked like `nl.add`
  Value getattr(const Value& obj, const std::string& name);
  void setattr(const Value& obj, const std::string& name, const Value& v);
  Value call(const Value& fn, CallArgs& args);
  Value subscript(const Value& obj, const Value& idx);
  void store_subscript(const Value& obj, const Value& idx, const Value& v);
  Value binary(ast::BinOpKind op, const Value& a, const Value& b);
  Value compare(ast::CmpOpKind op, const Value& a, const Value& b);
  Value unary(ast::UnaryOpKind op, const Value& v);
  bool truthy(const Value& v);
  // The name the next tensor created takes (the C++ interpreter's assignment-target hint; "" clears it).
  void name_hint(const std::string& name);
  void legacy_import(const std::string& dotted);
  void no_reorder(bool enter);  // entering / leaving `with nl.no_reorder():`  // the kernel imports neuronxcc.nki...:
                                // checked per release

  // affine_range / sequential_range / static_range loops (Program::loops, multi-buffering).
  int32_t open_loop(const std::string& kind);
  void next_iteration(int32_t loop);
  void close_loop(int32_t loop, const std::string& kind);

  // `for i in nl.dynamic_range(...)` (before NKI 0.7.0): opens the hardware loop and gives its induction
  // register; Python traces the body once, then closes it. A loop left open (a break or return in its body)
  // is an error when the kernel returns.
  Value open_dynamic_for(const Value& range, int32_t& loop);
  void close_dynamic_for(int32_t loop);

  // The kernel returned `result`: its outputs; the warnings given while tracing.
  SpecializeResult finish(const Value& result);

 private:
  Span here() const { return span_; }
  Program program_;
  std::unique_ptr<Interpreter> in_;
  std::map<std::string, SourceRef> files_;
  std::map<const SourceFile*, std::unique_ptr<ModuleEnv>> envs_;
  SourceRef kernel_file_;
  Span def_, span_;
  int tensor_index_ = 0;
  std::vector<std::pair<uint32_t, Span>> hardware_loops_;  // open dynamic_range loops: Loop instruction, where
};

}  // namespace nkic::trace
