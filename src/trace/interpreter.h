// The specializer's compile-time interpreter: evaluates the kernel's AST with the argument shapes,
// unrolling loops and inlining calls; nki.isa builtins append instructions to the Program.
#pragma once

#include <exception>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "ir/program.h"
#include "support/diagnostic.h"
#include "target/target.h"
#include "trace/loop_records.h"
#include "trace/specialize.h"
#include "trace/value.h"

namespace nkic::trace {

// A parsed source module whose top-level names are evaluated on demand.
struct ModuleEnv {
  SourceRef source;
  std::unique_ptr<ast::Module> ast;
  std::shared_ptr<ModuleObj> obj;
  std::map<std::string, const ast::Stmt*> binders;  // last top-level statement binding each name
  std::set<std::string> loading;                    // names being evaluated (cycle detection)
};

// A Python exception raised by compile-time code (a `raise`, or a builtin such as a missing dict key):
// `try`/`except` catches it. Uncaught, it is the UserError it derives from, reported at the raise site.
// Hardware-rule (validation) errors and nkic's own limits are plain UserErrors: never catchable.
class PyException : public UserError {
 public:
  PyException(UserError e, Value exc) : UserError(std::move(e)), exc(std::move(exc)) {}
  Value exc;  // the exception instance (an Instance of a BaseException subclass)
};

class Interpreter {
 public:
  Interpreter(Program& program, const Target& target);
  ~Interpreter();

  Program& program;
  LoopRecorder loops{program};  // the unrolled range loops (Program::loops)
  Launch launch;                // the program of the launch grid being specialized (nl.program_id, ...)
  const Target& tgt;

  ModuleEnv* load_module(SourceRef source);  // parses; throws UserError on syntax errors
  Value lookup_global(ModuleEnv* env, const std::string& name, Span use);
  Value call(const Value& fn, CallArgs& args);
  Value getattr(const Value& obj, const std::string& name, Span s);
  // Modules from files (modules.cpp).
  Value import_file_module(const std::string& dotted, int level, Span s);
  ModuleEnv* load_module_file(const std::string& path, const std::string& dotted, Span s);
  Value class_getattr(const Value& cls, const std::string& name, Span s);
  // A function value for a def, with its defaults evaluated in its module (decorators not applied).
  Value define_function(ModuleEnv* env, const ast::Stmt* def);
  Value eval_in_module(ModuleEnv* env, const ast::Expr* e);

  // Errors at a span of the file being evaluated, with the current call stack. `kind` is the
  // Python-side class: "compile", "assert", "validation".
  [[noreturn]] void error(Span s, const std::string& msg, const std::string& hint = "", const char* kind = "compile");
  void warning(Span s, const std::string& msg, const std::string& hint = "");
  // Raises the builtin Python exception `type` ("KeyError", "TypeError", ...), reported like error()
  // with `msg` if uncaught. Its args are `args`, or (msg,) when empty.
  [[noreturn]] void py_raise(Span s, const char* type, const std::string& msg, const std::string& hint = "",
                             std::vector<Value> args = {});
  // Raises exception instance `exc`, reported like error() with `msg` if uncaught.
  [[noreturn]] void throw_exception(Span s, const Value& exc, const std::string& msg, const std::string& hint = "",
                                    const char* kind = "compile");
  // An instance of the builtin exception class `type` with `args`.
  Value new_exception(const char* type, std::vector<Value> args);
  const std::vector<Diagnostic>& warnings() const { return warnings_; }

  // Location table entry for an instruction emitted at span `s` of the current file.
  uint32_t loc_here(Span s);
  SourceRef current_file() const;

  // Binds a builtin call's arguments to a signature: returns one Value per param, erroring on
  // unknown keywords, duplicates and missing required params (message names `fname`).
  std::vector<Value> bind(CallArgs& args, const std::string& fname, const std::vector<Param>& params);
  // Span of the argument bound to params[index] (or the call span).
  Span arg_span(const CallArgs& args, const std::vector<Param>& params, size_t index) const;

  // A name suggested for the next tensor created (the assignment target), consumed by ndarray.
  std::string take_name_hint();
  Value new_tensor(const std::string& name, Mem mem, DType dt, std::vector<int64_t> shape, Span decl);

  // Iteration over a compile-time iterable (range, tuple, list, str, dict keys).
  std::vector<Value> iterate(const Value& v, Span s);
  bool truthy(const Value& v, Span s);

  Value builtin_module(const std::string& name);  // nki, nki.language, math, ... or None
  // The kernel is written in the Beta 1 language (its module imports neuronxcc): legacy semantics apply.
  bool legacy() const { return legacy_; }
  // A serial SPMD grid (Launch::spmd): tracing program k; programs after the first reuse program 0's HBM
  // tensors, matched in declaration order.
  void begin_spmd_program(int64_t k);
  // Beta 1 `nl.zeros(..., buffer=nl.psum)` before `acc += matmul(...)`: the memset is deferred. The
  // tile's first instruction settles it: a matmul writing the whole tile (its accumulation group starts
  // by overwriting) drops it; anything else gets the memset emitted first.
  void defer_psum_zero(const Value& tile, Span s);
  bool has_deferred_zero() const { return !deferred_zero_.empty(); }
  void settle_deferred_zero(const TensorObj& operand, bool whole_matmul_dst);
  bool deferred_zero_of(uint32_t tensor) const { return deferred_zero_.count(tensor) > 0; }
  // Whether the removed-API warning for `name` has not been given yet in this compile (then records it).
  bool warn_removed_once(const std::string& name) { return warned_removed_.insert(name).second; }
  bool deferred_zero_covered(const TensorObj& view) const;  // the view is the whole deferred tile
  // For nl.fori_loop / nl.while_loop (trace/loops.cpp): inside `with nl.no_reorder():`; an exception
  // leaving a hardware loop's body (no longer catchable: the body is traced once).
  bool in_no_reorder() const { return no_reorder_depth_ > 0; }
  [[noreturn]] void leave_hardware_loop(const PyException& e);
  // A dynamic_range hardware loop opened at `at` (its Loop instruction is `begin`): the induction register.
  // The tracing front door opens one, Python traces the body, then it closes it.
  Value open_dynamic_for(const RangeObj& r, Span at, uint32_t& begin);
  void close_hardware_loop(uint32_t begin, Opcode end_op, Span at);

  // The caller's import paths, imported modules and environment (modules.cpp, builtins_os.cpp), and
  // the environment variables compile-time code read (name -> value, or unset).
  HostContext host;
  std::map<std::string, std::optional<std::string>> env_read;
  bool env_read_all = false;
  // getattr's last resort on a module: the submodule `name` of a package, or a module-level
  // __getattr__'s result; the VK::Enum marker if neither (modules.cpp).
  Value missing_module_attr(const Value& module, const std::string& name, Span s);
  // An instance's dunder method (__getitem__, __setitem__, __contains__) called with `args` into `out`;
  // false when its class has none (classes.cpp).
  bool call_dunder(const Value& obj, const char* name, std::vector<Value> args, Span s, Value& out);
  // `obj[idx]` and `obj[idx] = v` (legacy block tensors forward the rest of their index to a tile).
  Value subscript(const Value& obj, const Value& idx, Span s);
  void store_subscript(const Value& obj, const Value& idx, const Value& v, Span s);

  // Unary operators (`-x`, `not x`, ...), as expressions evaluate them.
  Value unary(ast::UnaryOpKind op, const Value& v, Span s, Span operand);

 private:
  friend class Tracer;  // the tracing front door drives frames, calls and operators (trace/tracer.cpp)
  struct Frame {
    ModuleEnv* module;
    std::shared_ptr<Scope> scope;  // null at module level
    bool module_level = false;
  };
  struct CallSite {
    SourceRef file;
    Span span;
    int32_t loc = -1;  // lazily created LocEntry index
  };
  enum class Flow { Normal, Return, Break, Continue };

  Flow exec_block(const std::vector<ast::Stmt*>& body);
  // Hardware loops (dynamic.cpp): the body is traced once between Loop/EndLoop (While/EndWhile).
  Flow exec_dynamic_for(const ast::Stmt* s, const RangeObj& r);
  Flow exec_dynamic_while(const ast::Stmt* s, const RegisterObj& cond);
  // The body of the loop opened by instruction `begin`, then its closing `end_op` instruction.
  Flow trace_hardware_loop(const ast::Stmt* s, uint32_t begin, Opcode end_op, Span at, const char* what);
  int no_reorder_depth_ = 0;  // `with nl.no_reorder():` blocks being traced
  Flow exec(const ast::Stmt* s);
  // try/except/else/finally and raise (exceptions.cpp).
  Flow exec_try(const ast::Stmt* s);
  Flow exec_try_handlers(const ast::Stmt* s);
  [[noreturn]] void exec_raise(const ast::Stmt* s);
  bool exception_matches(const Value& exc, const Value& handler, Span s);
  // An exception leaving a hardware loop's body: no longer catchable (the body is traced once).
  int try_depth_ = 0;  // try bodies being traced
  Diagnostic diagnostic_here(Span s, const std::string& msg, const std::string& hint);
  // Where assignments in the current frame bind: the module namespace or the function's scope.
  std::map<std::string, Value>& names_here();
  Value eval(const ast::Expr* e);
  void assign(const ast::Expr* target, const Value& v);
  Value call_function(const Value& fnv, CallArgs& args);
  Value make_function_here(const ast::Stmt* def);
  // Classes (classes.cpp).
  Value define_class(const ast::Stmt* def);
  Value instantiate(const Value& cls, CallArgs& args);
  Value instance_getattr(const Value& obj, const std::string& name, Span s);
  void setattr(const Value& obj, const std::string& name, const Value& v, Span s);

  Value binary(ast::BinOpKind op, const Value& a, const Value& b, Span s);
  bool compare(ast::CmpOpKind op, const Value& a, const Value& b, Span s);
  Value lookup(const std::string& name, Span s);
  Value import_module(const std::string& dotted, Span s);
  void eval_call_args(const ast::Expr* call, CallArgs& out);
  std::string format_value(const Value& v, const std::string& spec, Span s);
  int32_t parent_loc();
  void add_warning(Diagnostic d);
  std::map<std::tuple<const SourceFile*, uint32_t, uint32_t, uint32_t, uint32_t, int32_t>, uint32_t> loc_cache_;

  std::vector<Frame> frames_;
  std::vector<CallSite> calls_;
  std::vector<std::unique_ptr<ModuleEnv>> modules_;
  std::map<std::string, Value> builtins_;
  std::map<std::string, Value> builtin_modules_;
  std::vector<Diagnostic> warnings_;
  std::string name_hint_;
  int affine_depth_ = 0;
  bool legacy_ = false;
  int64_t spmd_program_ = 0;
  bool spmd_tracing_ = false;
  std::set<std::string> warned_removed_;
  std::map<uint32_t, std::pair<Value, Span>> deferred_zero_;  // tensor id -> (the whole tile, nl.zeros call)
  size_t spmd_next_hbm_ = 0;
  std::vector<uint32_t>
      spmd_hbm_;  // program 0's HBM tensors, in declaration order  // the kernel's module imports neuronxcc (the Beta 1
                  // language)  // nl.affine_range loop bodies being unrolled (new tiles are multi-buffered)
  Value return_value_;
  std::map<std::string, int> tensor_names_;
  std::set<const ast::Stmt*> checked_;              // functions that passed the subset check
  std::map<std::string, ModuleEnv*> file_modules_;  // by resolved path
  std::vector<std::shared_ptr<ClassObj>> classes_;  // cleared at the end: enum members point back at their class
  // Scopes a nested def captured: cleared at the end (the def's function value sits in the scope it holds).
  std::vector<std::weak_ptr<Scope>> captured_scopes_;
  // The exceptions being handled (innermost last): what a bare `raise` re-raises.
  std::vector<std::exception_ptr> handling_;
};

// Builtin tables (one file each).
void add_python_builtins(std::map<std::string, Value>& b);
Value make_math_module();
Value make_numpy_module();
Value make_language_module();
Value make_isa_module();
Value make_nki_module(const Value& language, const Value& isa);
Value make_dataclasses_module();
Value make_enum_module();
Value make_typing_module();
Value make_functools_module();
Value make_nki_typing_module();
Value make_collectives_module();
Value make_os_module();   // builtins_os.cpp
Value make_sys_module();  // builtins_sys.cpp
// A dictionary key as kernels may write it: a string, or a dtype standing for its name (NKI 0.3.0's dtypes
// are strings: nl.float32 == "float32"; nki-library keys tables by dtype). Other values stay as they are.
inline Value dict_key(const Value& k) { return k.k == VK::DType ? Value::str(std::string(name_of(k.as_dtype()))) : k; }
// staticmethod / classmethod decorators for class bodies (classes.cpp); added only when absent.
void add_class_builtins(std::map<std::string, Value>& b);
// Lookup along a class and its bases; VK::Enum marker when absent.
Value class_lookup(const ClassObj* c, const std::string& name);
bool is_subclass(const Value& cls, const Value& base);
// Builtin exception classes (exceptions.cpp): BaseException > Exception > LookupError > KeyError, ...
void add_exception_builtins(std::map<std::string, Value>& b);
bool is_exception_class(const Value& cls);  // derives from BaseException
Value tensor_type(Interpreter& in, const Value& index, Span s);

// Helpers for builtin implementations.
Value make_builtin(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn);
// A builtin that records its signature `params` (nki.isa / nki.language / nki.collectives: the Python
// stubs are checked against it, api::builtin_signatures).
inline Value make_builtin(std::string name, std::vector<Param> params,
                          std::function<Value(Interpreter&, CallArgs&)> fn) {
  Value v = make_builtin(std::move(name), std::move(fn));
  v.as<BuiltinObj>()->params = std::make_shared<const std::vector<Param>>(std::move(params));
  return v;
}
// dynamic_ok: views with a run-time offset are accepted (DMA operands).
// dynamic_ok: a DMA operand (.ap(scalar_offset=/vector_offset=)); indirect_ok: an instruction that takes
// an indirect view (.indirect(), kIndirectInstructions).
TensorObj* expect_tensor(Interpreter& in, const Value& v, Span s, const std::string& what, bool dynamic_ok = false,
                         bool indirect_ok = false);
// The nki.isa instructions that take an indirect view (NKI 0.5.0 tensor indirection), comma-separated.
inline constexpr const char* kIndirectInstructions =
    "nc_matmul, nc_matmul_mx, tensor_tensor, tensor_scalar, tensor_reduce, tensor_copy, tensor_copy_predicated, "
    "tensor_scalar_reduce, tensor_scalar_cumulative, activation, activation_reduce, activate2, exponential";
int64_t expect_int(Interpreter& in, const Value& v, Span s, const std::string& what);
std::vector<int64_t> expect_shape(Interpreter& in, const Value& v, Span s, const std::string& what);

}  // namespace nkic::trace
