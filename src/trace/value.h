// Compile-time values of the specializer: everything a kernel computes while it is being traced.
// Scalars are held inline; containers, functions, modules and tensor views live behind a shared Object.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "ir/program.h"

namespace nkic::trace {

enum class VK : uint8_t {
  None,
  Bool,
  Int,
  Float,
  Str,
  Tuple,
  List,
  Dict,
  Slice,
  Ellipsis,
  Function,
  Builtin,
  BoundMethod,
  Module,
  Tensor,
  DType,
  Buffer,
  Op,
  Range,
  Enum,
  Class,
  Instance,
  Register,
  Array,  // a compile-time NumPy array (ArrayObj)
};
const char* type_name(VK k);  // Python-ish type names for messages ("int", "tuple", "tensor", ...)

// nl buffers: what `buffer=` takes.
enum class BufferKind : uint8_t { SBUF, PSUM, HBM, PrivateHBM, SharedHBM };
Mem mem_of(BufferKind b);
const char* name_of(BufferKind b);

struct Object {
  virtual ~Object() = default;
};

struct Value {
  VK k = VK::None;
  bool b = false;
  int64_t i = 0;  // Int; DType/Buffer/Op enumerators
  double f = 0;
  std::shared_ptr<Object> o;

  static Value none() { return {}; }
  static Value of(VK kind) {
    Value x;
    x.k = kind;
    return x;
  }
  static Value wrap(VK kind, std::shared_ptr<Object> obj) {
    Value x;
    x.k = kind;
    x.o = std::move(obj);
    return x;
  }
  static Value boolean(bool v) {
    Value x;
    x.k = VK::Bool;
    x.b = v;
    return x;
  }
  static Value integer(int64_t v) {
    Value x;
    x.k = VK::Int;
    x.i = v;
    return x;
  }
  static Value real(double v) {
    Value x;
    x.k = VK::Float;
    x.f = v;
    return x;
  }
  static Value str(std::string s);
  static Value tuple(std::vector<Value> v);
  static Value list(std::vector<Value> v);
  static Value dtype(DType t) {
    Value x;
    x.k = VK::DType;
    x.i = static_cast<int64_t>(t);
    return x;
  }
  static Value buffer(BufferKind b) {
    Value x;
    x.k = VK::Buffer;
    x.i = static_cast<int64_t>(b);
    return x;
  }
  static Value op(AluOp a) {
    Value x;
    x.k = VK::Op;
    x.i = static_cast<int64_t>(a);
    return x;
  }
  static Value ellipsis() {
    Value x;
    x.k = VK::Ellipsis;
    return x;
  }

  bool is_none() const { return k == VK::None; }
  bool is_int() const { return k == VK::Int || k == VK::Bool; }  // bool is an int, as in Python
  bool is_number() const { return is_int() || k == VK::Float; }
  int64_t as_int() const { return k == VK::Bool ? (b ? 1 : 0) : i; }
  double as_float() const { return k == VK::Float ? f : static_cast<double>(as_int()); }
  DType as_dtype() const { return static_cast<DType>(i); }
  BufferKind as_buffer() const { return static_cast<BufferKind>(i); }
  AluOp as_op() const { return static_cast<AluOp>(i); }
  template <class T>
  T* as() const {
    return static_cast<T*>(o.get());
  }
};

struct StrObj : Object {
  std::string s;
};
struct SeqObj : Object {  // tuple and list
  std::vector<Value> items;
};
struct DictObj : Object {  // string keys, insertion order
  std::vector<std::pair<std::string, Value>> items;
  Value* find(const std::string& key);
};
struct EnumObj : Object {  // a member of an nki enum (nisa.engine.vector, ...)
  std::string cls, name;
  int64_t value = 0;
};
struct SliceObj : Object {
  Value start, stop, step;
};
// range / nl.affine_range / nl.sequential_range / nl.static_range: unrolled at compile time.
// nl.dynamic_range: a runtime hardware loop whose bounds may be registers (start_reg/stop_reg >= 0).
struct RangeObj : Object {
  int64_t start = 0, stop = 0, step = 1;
  std::string kind;  // "range", "affine_range", ..., "dynamic_range"
  int32_t start_reg = -1, stop_reg = -1;
  int64_t length() const;
  bool dynamic() const { return kind == "dynamic_range"; }
};

// A nisa VirtualRegister: a 32-bit runtime value in an engine sequencer register (Program register id).
struct RegisterObj : Object {
  int32_t id = 0;
  bool frozen = false;  // the induction variable of a dynamic_range: read-only
};

class Interpreter;
struct ModuleEnv;

// A call's arguments: positional then keyword, each with the span of its expression.
struct CallArgs {
  std::vector<Value> pos;
  std::vector<Span> pos_spans;
  std::vector<std::pair<std::string, Value>> kw;
  std::vector<Span> kw_spans;
  Span call_span;
};

// One parameter of a builtin's signature.
struct Param {
  const char* name;
  bool required = false;
  Value def = Value::none();
};

struct BuiltinObj : Object {
  std::string name;  // qualified, for messages: "nki.isa.dma_copy"
  std::function<Value(Interpreter&, CallArgs&)> fn;
  std::shared_ptr<const std::vector<Param>> params;  // the signature, when recorded (null: not recorded)
};

// A function call's local names. A nested def holds its enclosing function's Scope, not a copy, so
// when called it sees names bound there after the def too: itself and sibling defs (recursion).
struct Scope {
  std::map<std::string, Value> vars;
  std::shared_ptr<Scope> parent;  // the enclosing function's scope (nested defs), or null
  bool is_class = false;          // a class body: the methods defined in it do not see its names
};

struct FunctionObj : Object {
  const ast::Stmt* def = nullptr;  // FunctionDef
  ModuleEnv* module = nullptr;
  std::vector<Value> defaults;     // positional defaults, aligned to the last params
  std::vector<Value> kw_defaults;  // one per kw-only param (None kind with missing flag)
  std::vector<bool> kw_has_default;
  bool jit_decorated = false;      // @nki.jit on a function that is then called from a kernel: an error
  std::shared_ptr<Scope> closure;  // the enclosing function's scope (nested defs), or null
};

struct BoundMethodObj : Object {
  Value self;
  Value fn;
};

// A module: names resolve in `ns`, then (for source modules) lazily from the module's top level.
struct ModuleObj : Object {
  std::string name;
  std::map<std::string, Value> ns;
  ModuleEnv* env = nullptr;  // source module, or nullptr for built-in ones
  std::string unavailable;   // non-empty: importing worked lazily, but using it is an error (why)
};

// A user class (NKIObject subclasses, @dataclass classes, Enum subclasses). Attribute lookup goes
// through `ns`, then the bases in order.
struct ClassObj : Object {
  std::string name;
  ModuleEnv* module = nullptr;
  std::vector<Value> bases;
  std::map<std::string, Value> ns;
  std::vector<std::string> fields;  // annotated fields in declaration order (dataclass-style init)
  // Names the class body assigns without an annotation (`x = None`): keyword-only fields of an
  // NKIObject dataclass, as NKI's compiler treats them (nki-library's attention_cte SectionParams).
  std::vector<std::string> plain_fields;
  bool is_dataclass = false;
  bool frozen = false;
  bool is_enum = false;
  std::vector<Value> members;  // Enum members, in declaration order
  std::string builtin;         // non-empty for built-in classes: "NKIObject", "Enum", "object", ...
};

// An instance of a user class; also an Enum member (attrs "name" and "value").
struct InstanceObj : Object {
  Value cls;
  std::vector<std::pair<std::string, Value>> attrs;
  Value* find(const std::string& n) {
    for (auto& [k, v] : attrs)
      if (k == n) return &v;
    return nullptr;
  }
};

// A view of a tensor: the access pattern plus its logical shape (the dims' nums).
struct TensorObj : Object {
  AccessPattern ap;
  // .ap(scalar_offset=/vector_offset=): the start moves at run time (DMA operands only).
  std::shared_ptr<const DynamicOffset> dyn;
  bool whole = true;     // the view is the whole, unsliced tensor (possibly reshaped or re-typed)
  bool indexed = false;  // the view came from indexing, slicing or .ap(): no further indexing
  std::vector<int64_t> shape() const {
    std::vector<int64_t> s;
    for (auto& d : ap.dims) s.push_back(d.num);
    return s;
  }
};

// A compile-time NumPy array: np.identity / np.eye / np.arange / ... evaluated while tracing, or a
// NumPy array from the caller's live globals. Its only use on the device is nl.shared_constant.
// Elements are held as doubles (exact for every NKI dtype, and for 64-bit integers up to 2^53),
// already rounded to the array's dtype. `kind` says whether the dtype is an NKI one or NumPy's
// float64/int64 (the defaults of np.identity, np.arange, ...), which have no NKI dtype.
enum class ArrayKind : uint8_t { Nki, Float64, Int64 };
struct ArrayObj : Object {
  ArrayKind kind = ArrayKind::Float64;
  DType dtype = DType::Float32;  // kind == Nki
  std::vector<int64_t> shape;
  std::vector<double> data;  // row-major
  std::string dtype_name() const;
  int64_t size() const;
};
// Attributes and methods of an array (.shape, .dtype, .ndim, .size, .T, .reshape, .astype, ...).
Value array_attribute(Interpreter& in, const Value& arr, const std::string& name, Span s);

std::string repr(const Value& v);
std::string to_str(const Value& v);  // Python str()
bool equals(const Value& a, const Value& b);

}  // namespace nkic::trace
