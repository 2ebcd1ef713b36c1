// The tracing front door's compile (NKI 0.7.0): the bindings run the kernel in CPython once per core and
// forward each operation here; every one goes to the C++ interpreter's own builtins (trace/tracer.h), and
// finish() runs the same passes as compile(). Values cross as TValues: plain data, or opaque handles on
// compiler values (tensor views, registers, scalars, instruction handles, grids).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/nkic.h"
#include "api/pipeline.h"

namespace nkic::trace {
class Tracer;
struct Value;
}  // namespace nkic::trace

namespace nkic::api {

struct Handle;  // a compiler value (trace::Value), opaque outside api/

struct TValue;
using TArgs = std::vector<TValue>;
using TKwargs = std::vector<std::pair<std::string, TValue>>;
// A Python callable handed to an API (nl.fori_loop's body): called back with the compiler's arguments.
using TCallable = std::function<TValue(const TArgs&, const TKwargs&)>;

struct TValue {
  enum class Kind {
    None,
    Bool,
    Int,
    Float,
    Str,
    Tuple,
    List,
    Slice,  // items: start, stop, step
    Ellipsis,
    DType,     // s: its name
    Constant,  // s: "buffer" or "op", name: which (nl.sbuf, nl.add)
    Path,      // s: a dotted NKI name ("nki.isa.engine.vector") the kernel passed
    Handle,
    Callable,
    Dict,  // keys, items (string keys)
    Array  // a NumPy array (nl.shared_constant's contents): s = NumPy dtype name, shape, raw bytes
  } kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s, name;
  std::vector<TValue> items;
  std::shared_ptr<Handle> handle;
  TCallable callable;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;
  std::vector<std::string> keys;
};
// What a handle is, for Python: the NKI class it is an instance of ("nki.language.NkiTensor",
// "nki.isa.VirtualRegister", "nki.isa.NkiScalar", "nki.isa.NkiInstruction", ...) and a short kind name.
std::string handle_class(const Handle& h);
std::string handle_kind(const Handle& h);

// A Python exception class compile-time code raised ("TypeError"), or "" (UserError::kind says the rest).
std::string python_class_of(const UserError& e);

class TraceSession {
 public:
  // `path` and `def`: the kernel's file and its `def` (or first decorator) span. Throws UserError on
  // launch errors (as compile() does).
  TraceSession(const std::string& path, Span def, const std::string& kernel_name, const CompileOptions& options);
  ~TraceSession();
  int cores() const { return static_cast<int>(launches_.size()); }
  // Starts tracing core `c` (0, then 1 under LNC2): a fresh Program.
  void begin_core(int c);
  bool tracing() const { return tracer_ != nullptr; }
  // The traced core returned `result`: its outputs, then the passes.
  void end_core(const TValue& result);
  std::shared_ptr<Kernel> finish();

  // The operations. `frames`: where the operation is, the kernel-side Python frames outermost first.
  struct Frame {
    std::string path;
    Span span;
  };
  void at(const std::vector<Frame>& frames);  // sets the location for the operations that follow
  TValue input(const std::string& name, const std::vector<int64_t>& shape, DType dt);
  TValue attr(const std::string& dotted);  // "nki.language.tile_size"
  TValue getattr(const TValue& obj, const std::string& name);
  void setattr(const TValue& obj, const std::string& name, const TValue& v);
  // fn: a handle or a Path; spans: per positional argument and keyword (Span{} = the call's).
  TValue call(const TValue& fn, const TArgs& args, const TKwargs& kwargs, const std::vector<Span>& pos_spans,
              const std::vector<Span>& kw_spans);
  // The name the next tensor created takes: the target of the assignment being evaluated ("" clears it), as
  // the C++ specializer names tensors (set when an assignment starts, cleared when one ends).
  void name_hint(const std::string& name);
  TValue getitem(const TValue& obj, const TValue& key);
  void setitem(const TValue& obj, const TValue& key, const TValue& v);
  TValue binop(const std::string& op, const TValue& a, const TValue& b);  // CPython names: "Add", "Sub", ...
  TValue cmp(const std::string& op, const TValue& a, const TValue& b);    // "Eq", "Lt", ...
  TValue unop(const std::string& op, const TValue& a);                    // "USub", "Not", ...
  bool truth(const TValue& a);
  void legacy_import(const std::string& dotted);  // `import neuronxcc.nki...` in the kernel
  void no_reorder(bool enter);                    // entering / leaving `with nl.no_reorder():`
  // `for i in nl.dynamic_range(...)`: the induction register and the loop's id; closed after the body.
  TValue hardware_for_open(const TValue& range, int32_t& loop);
  void hardware_for_close(int32_t loop);
  int32_t loop_open(const std::string& kind);  // affine_range / sequential_range / static_range / range
  void loop_iter(int32_t loop);
  void loop_close(int32_t loop, const std::string& kind);

 private:
  trace::Tracer& tr();
  trace::Value to_value(const TValue& t);
  TValue from_value(const trace::Value& v);
  std::string path_, kernel_name_;
  Span def_;
  CompileOptions options_;
  std::vector<Launch> launches_;
  std::unique_ptr<trace::Tracer> tracer_;
  std::vector<Frame> frames_;
  int core_ = -1;
  KernelParts parts_;
  SourceRef src_;
};

}  // namespace nkic::api
