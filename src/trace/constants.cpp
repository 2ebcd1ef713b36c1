// Compile-time NumPy arrays (np.identity, np.eye, np.arange, ...) and the creation APIs that bake
// them into the Program: nl.shared_constant (an HBM tensor with fixed contents) and
// nl.shared_identity_matrix (an identity built in SBUF by instructions).
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "numerics/numerics.h"
#include "support/npy.h"
#include "trace/checked_int.h"
#include "trace/interpreter.h"

namespace nkic::trace {

Value emit_memset(Interpreter& in, const Value& dst, double value, Span s);

namespace {

constexpr int64_t kMaxArrayElements = int64_t{1} << 26;  // 64 Mi elements: compile-time arrays stay small

const char* const kSupported =
    "nkic evaluates these NumPy functions at compile time: identity, eye, zeros, ones, full, arange, array, "
    "asarray, reshape, transpose, tril, triu; arrays have .shape, .dtype, .ndim, .size, .T, .reshape(), .astype()";

const char* const kGlobalHint =
    "a kernel called from Python can use a module-level NumPy array instead: nkic takes its live value";

struct ArrType {
  ArrayKind kind = ArrayKind::Float64;
  DType dtype = DType::Float32;
};

Value wrap(std::shared_ptr<ArrayObj> a) { return Value::wrap(VK::Array, std::move(a)); }

ArrayObj* expect_array(Interpreter& in, const Value& v, Span s, const std::string& what) {
  if (v.k != VK::Array) in.error(s, what + " must be a NumPy array, not '" + type_name(v.k) + "'");
  return v.as<ArrayObj>();
}

// dtype= of a NumPy function: an NKI/NumPy dtype (np.float32 is nl.float32), a dtype name, or the
// Python types float/int/bool. None: `dflt`.
ArrType parse_dtype(Interpreter& in, const Value& v, Span s, ArrType dflt) {
  if (v.is_none()) return dflt;
  if (v.k == VK::DType) {
    if (v.as_dtype() == DType::Int64) return {ArrayKind::Int64, DType::Int32};  // nl.int64 is np.int64 here
    if (is_packed(v.as_dtype()))
      in.error(s, "packed dtype " + std::string(name_of(v.as_dtype())) + " cannot hold a NumPy array");
    return {ArrayKind::Nki, v.as_dtype()};
  }
  std::string n;
  if (v.k == VK::Str) n = v.as<StrObj>()->s;
  if (v.k == VK::Builtin) n = v.as<BuiltinObj>()->name;
  if (n == "float" || n == "float64" || n == "double") return {ArrayKind::Float64, DType::Float32};
  if (n == "int" || n == "int64") return {ArrayKind::Int64, DType::Int32};
  if (n == "bool") return {ArrayKind::Nki, DType::Bool};
  if (!n.empty())
    if (auto dt = dtype_from_name(n); dt && !is_packed(*dt)) return {ArrayKind::Nki, *dt};
  in.error(s, "unsupported NumPy dtype " + repr(v),
           "use np.float32, np.int32, np.uint8, ... (float64 and int64 are the NumPy defaults)");
}

// The value an element of type `t` holds after NumPy's astype (float -> int truncates; ints wrap).
double cast(const ArrType& t, double v) {
  auto wrap_int = [](double x, int bits, bool is_signed) {
    if (std::isnan(x) || std::isinf(x)) return 0.0;
    double m = std::ldexp(1.0, bits);
    double r = std::fmod(std::trunc(x), m);
    if (r < 0) r += m;
    if (is_signed && r >= m / 2) r -= m;
    return r;
  };
  switch (t.kind) {
    case ArrayKind::Float64: return v;
    case ArrayKind::Int64: return std::isfinite(v) ? std::trunc(v) : 0.0;
    case ArrayKind::Nki: break;
  }
  if (t.dtype == DType::Bool) return v != 0 ? 1.0 : 0.0;
  if (is_float(t.dtype)) return numerics::quantize(t.dtype, static_cast<float>(v));
  return wrap_int(v, size_of(t.dtype) * 8, info(t.dtype).is_signed_int);
}

ArrType type_of(const ArrayObj& a) { return {a.kind, a.dtype}; }
bool is_integral(const ArrType& t) {
  return t.kind == ArrayKind::Int64 || (t.kind == ArrayKind::Nki && !is_float(t.dtype));
}

std::shared_ptr<ArrayObj> new_array(Interpreter& in, Span s, ArrType t, std::vector<int64_t> shape, double fill = 0) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) in.error(s, "negative dimensions are not allowed");
    n = checked_mul(in, s, n, d);
    if (n > kMaxArrayElements)
      in.error(s, "compile-time arrays are limited to " + std::to_string(kMaxArrayElements) + " elements");
  }
  auto a = std::make_shared<ArrayObj>();
  a->kind = t.kind;
  a->dtype = t.dtype;
  a->shape = std::move(shape);
  a->data.assign(static_cast<size_t>(n), cast(t, fill));
  return a;
}

// A shape argument: an int or a tuple/list of non-negative ints.
std::vector<int64_t> np_shape(Interpreter& in, const Value& v, Span s) {
  if (v.is_int()) return {v.as_int()};
  if (v.k != VK::Tuple && v.k != VK::List) in.error(s, "shape must be an integer or a tuple of integers");
  std::vector<int64_t> out;
  for (auto& x : v.as<SeqObj>()->items) out.push_back(expect_int(in, x, s, "shape"));
  return out;
}

// np.array(obj): nested tuples/lists of numbers (their shape follows the first elements), or an array.
void flatten(Interpreter& in, const Value& v, Span s, size_t depth, const std::vector<int64_t>& shape,
             std::vector<double>& out, bool& any_float) {
  if (depth == shape.size()) {
    if (!v.is_number())
      in.error(s, v.k == VK::Tuple || v.k == VK::List ? "np.array(): the nested sequences have different lengths"
                                                      : "np.array() takes numbers in nested tuples or lists, not '" +
                                                            std::string(type_name(v.k)) + "'");
    if (v.k == VK::Float) any_float = true;
    out.push_back(v.as_float());
    return;
  }
  if (v.k != VK::Tuple && v.k != VK::List) in.error(s, "np.array(): the nested sequences have different lengths");
  const auto& items = v.as<SeqObj>()->items;
  if (static_cast<int64_t>(items.size()) != shape[depth])
    in.error(s, "np.array(): the nested sequences have different lengths");
  for (auto& x : items) flatten(in, x, s, depth + 1, shape, out, any_float);
}

std::vector<int64_t> nested_shape(const Value& v) {
  std::vector<int64_t> shape;
  const Value* cur = &v;
  while (cur->k == VK::Tuple || cur->k == VK::List) {
    const auto& items = cur->as<SeqObj>()->items;
    shape.insert(shape.end(), static_cast<int64_t>(items.size()));
    if (items.empty()) break;
    cur = &items.front();
  }
  return shape;
}

Value to_array(Interpreter& in, const Value& v, Span s, const Value& dtype) {
  if (v.k == VK::Array) {
    auto* src = v.as<ArrayObj>();
    ArrType t = parse_dtype(in, dtype, s, type_of(*src));
    auto a = std::make_shared<ArrayObj>(*src);
    a->kind = t.kind;
    a->dtype = t.dtype;
    for (double& x : a->data) x = cast(t, x);
    return wrap(a);
  }
  std::vector<int64_t> shape = nested_shape(v);
  std::vector<double> data;
  bool any_float = false;
  flatten(in, v, s, 0, shape, data, any_float);
  bool all_bool = v.k == VK::Bool;
  ArrType t = parse_dtype(in, dtype, s,
                          all_bool    ? ArrType{ArrayKind::Nki, DType::Bool}
                          : any_float ? ArrType{ArrayKind::Float64, DType::Float32}
                                      : ArrType{ArrayKind::Int64, DType::Int32});
  auto a = new_array(in, s, t, shape);
  for (size_t i = 0; i < data.size(); ++i) a->data[i] = cast(t, data[i]);
  return wrap(a);
}

Value reshape(Interpreter& in, const ArrayObj& a, std::vector<int64_t> shape, Span s) {
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1 && infer < 0)
      infer = static_cast<int64_t>(i);
    else if (shape[i] < 0)
      in.error(s, "reshape: dimensions must be non-negative (one may be -1)");
    else
      known *= shape[i];
  }
  if (infer >= 0 && known > 0 && a.size() % known == 0) shape[infer] = a.size() / known;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  if (n != a.size()) {
    std::string sh;
    for (size_t i = 0; i < shape.size(); ++i) sh += (i ? ", " : "") + std::to_string(shape[i]);
    in.error(s, "cannot reshape an array of size " + std::to_string(a.size()) + " into shape (" + sh + ")");
  }
  auto r = std::make_shared<ArrayObj>(a);
  r->shape = std::move(shape);
  return wrap(r);
}

Value transpose(Interpreter& in, const ArrayObj& a, Span s) {
  (void)in;
  (void)s;
  auto r = std::make_shared<ArrayObj>(a);
  size_t nd = a.shape.size();
  r->shape.assign(a.shape.rbegin(), a.shape.rend());
  std::vector<int64_t> idx(nd, 0), in_strides(nd, 1);
  for (size_t i = nd; i-- > 1;) in_strides[i - 1] = in_strides[i] * a.shape[i];
  // Walk the output in row-major order; its index is the input index reversed.
  for (size_t o = 0; o < r->data.size(); ++o) {
    int64_t src = 0;
    for (size_t d = 0; d < nd; ++d) src += idx[d] * in_strides[nd - 1 - d];
    r->data[o] = a.data[static_cast<size_t>(src)];
    for (size_t d = nd; d-- > 0;) {
      if (++idx[d] < r->shape[d]) break;
      idx[d] = 0;
    }
  }
  return wrap(r);
}

// Binds positional/keyword arguments of a NumPy function (a thin wrapper over Interpreter::bind).
std::vector<Value> np_bind(Interpreter& in, CallArgs& a, const std::string& name, const std::vector<Param>& ps) {
  return in.bind(a, "numpy." + name, ps);
}

Value builtin(const std::string& name, std::function<Value(Interpreter&, CallArgs&)> fn) {
  return make_builtin("numpy." + name, std::move(fn));
}

Value tri(Interpreter& in, CallArgs& a, bool lower) {
  static const std::vector<Param> ps = {{"m", true}, {"k", false, Value::integer(0)}};
  auto v = np_bind(in, a, lower ? "tril" : "triu", ps);
  ArrayObj* m = expect_array(in, v[0], in.arg_span(a, ps, 0), lower ? "np.tril m" : "np.triu m");
  int64_t k = expect_int(in, v[1], in.arg_span(a, ps, 1), "k");
  if (m->shape.size() != 2) in.error(in.arg_span(a, ps, 0), "nkic supports np.tril/np.triu of 2-D arrays only");
  auto r = std::make_shared<ArrayObj>(*m);
  for (int64_t i = 0; i < m->shape[0]; ++i)
    for (int64_t j = 0; j < m->shape[1]; ++j)
      if (lower ? j - i > k : j - i < k) r->data[static_cast<size_t>(i * m->shape[1] + j)] = 0;
  return wrap(r);
}

}  // namespace

// An array from raw little-endian bytes of a NumPy dtype (globals from the caller, .npy files).
// Returns an error message in `err` for dtypes it cannot read.
std::shared_ptr<ArrayObj> array_from_bytes(const std::string& dtype, std::vector<int64_t> shape, const uint8_t* data,
                                           size_t bytes, std::string& err) {
  auto a = std::make_shared<ArrayObj>();
  a->shape = std::move(shape);
  int64_t n = 1;
  for (int64_t d : a->shape) n *= d;
  int width = 0;
  if (dtype == "float64") {
    a->kind = ArrayKind::Float64;
    width = 8;
  } else if (dtype == "int64" || dtype == "uint64") {
    a->kind = ArrayKind::Int64;
    width = 8;
  } else if (auto dt = dtype_from_name(dtype); dt && !is_packed(*dt)) {
    a->kind = ArrayKind::Nki;
    a->dtype = *dt;
    width = size_of(*dt);
  } else {
    err = "arrays of dtype " + dtype + " are not supported";
    return nullptr;
  }
  if (static_cast<size_t>(n) * width != bytes) {
    err = "expected " + std::to_string(n * width) + " bytes of " + dtype + " data, got " + std::to_string(bytes);
    return nullptr;
  }
  a->data.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const uint8_t* p = data + i * width;
    double x = 0;
    if (dtype == "float64") {
      std::memcpy(&x, p, 8);
    } else if (dtype == "int64") {
      int64_t v;
      std::memcpy(&v, p, 8);
      x = static_cast<double>(v);
    } else if (dtype == "uint64") {
      uint64_t v;
      std::memcpy(&v, p, 8);
      x = static_cast<double>(v);
    } else if (is_float(a->dtype)) {
      x = numerics::load(a->dtype, p);
    } else {
      x = static_cast<double>(numerics::load_i64(a->dtype, p));
    }
    a->data[static_cast<size_t>(i)] = x;
  }
  return a;
}

namespace {

Value read_npy(Interpreter& in, const std::string& path, Span s) {
  auto fail = [&](const std::string& why) {
    in.error(s, "nl.shared_constant: cannot read '" + path + "': " + why,
             "pass a NumPy array, or the path of a .npy file saved with np.save");
  };
  NpyArray npy;
  try {
    npy = nkic::read_npy(path, kMaxArrayElements);
  } catch (const std::runtime_error& e) {
    fail(e.what());
  }
  std::string err;
  auto a = array_from_bytes(npy.dtype, npy.shape, npy.data.data(), npy.data.size(), err);
  if (!a) fail(err);
  return wrap(a);
}

// The tensor dtype of an array without dtype=: float64 -> float32, int64 -> int32 (NKI has no 64-bit types).
DType tensor_dtype(const ArrayObj& a) {
  switch (a.kind) {
    case ArrayKind::Float64: return DType::Float32;
    case ArrayKind::Int64: return DType::Int32;
    default: return a.dtype;
  }
}

// The array's elements stored as `dt` with the simulator's rounding (RNE; integers saturate; integer
// sources go through the exact int64 path).
std::vector<uint8_t> encode(const ArrayObj& a, DType dt) {
  std::vector<uint8_t> out(a.data.size() * static_cast<size_t>(size_of(dt)));
  bool integral = is_integral(type_of(a));
  for (size_t i = 0; i < a.data.size(); ++i) {
    uint8_t* p = out.data() + i * static_cast<size_t>(size_of(dt));
    double x = a.data[i];
    if (integral && !is_float(dt))
      numerics::store_i64(dt, static_cast<int64_t>(x), p);
    else
      numerics::store(dt, static_cast<float>(x), p);
  }
  return out;
}

}  // namespace

Value array_attribute(Interpreter& in, const Value& arr, const std::string& name, Span s) {
  auto* a = arr.as<ArrayObj>();
  auto shape_value = [](const std::vector<int64_t>& sh) {
    std::vector<Value> v;
    for (int64_t d : sh) v.push_back(Value::integer(d));
    return Value::tuple(std::move(v));
  };
  if (name == "shape") return shape_value(a->shape);
  if (name == "ndim") return Value::integer(static_cast<int64_t>(a->shape.size()));
  if (name == "size") return Value::integer(a->size());
  if (name == "dtype") {
    if (a->kind == ArrayKind::Nki) return Value::dtype(a->dtype);
    return Value::str(a->dtype_name());
  }
  if (name == "itemsize") return Value::integer(a->kind == ArrayKind::Nki ? size_of(a->dtype) : 8);
  if (name == "T") return transpose(in, *a, s);
  Value self = arr;
  if (name == "reshape")
    return make_builtin("numpy.ndarray.reshape", [self](Interpreter& in, CallArgs& c) {
      if (!c.kw.empty()) in.error(c.kw_spans[0], "reshape() takes the shape only");
      if (c.pos.size() == 1)
        return reshape(in, *self.as<ArrayObj>(), np_shape(in, c.pos[0], c.pos_spans[0]), c.call_span);
      std::vector<int64_t> sh;
      for (size_t i = 0; i < c.pos.size(); ++i)
        sh.push_back(expect_int(in, c.pos[i], c.pos_spans[i], "reshape dimension"));
      return reshape(in, *self.as<ArrayObj>(), sh, c.call_span);
    });
  if (name == "astype")
    return make_builtin("numpy.ndarray.astype", [self](Interpreter& in, CallArgs& c) {
      static const std::vector<Param> ps = {{"dtype", true}};
      auto v = in.bind(c, "astype", ps);
      if (v[0].is_none()) in.error(in.arg_span(c, ps, 0), "astype() needs a dtype");
      return to_array(in, self, in.arg_span(c, ps, 0), v[0]);
    });
  if (name == "transpose")
    return make_builtin("numpy.ndarray.transpose", [self](Interpreter& in, CallArgs& c) {
      if (!c.pos.empty() || !c.kw.empty()) in.error(c.call_span, "nkic supports transpose() without axes only");
      return transpose(in, *self.as<ArrayObj>(), c.call_span);
    });
  if (name == "copy")
    return make_builtin("numpy.ndarray.copy", [self](Interpreter&, CallArgs&) {
      return wrap(std::make_shared<ArrayObj>(*self.as<ArrayObj>()));
    });
  in.error(s, "nkic does not support 'numpy.ndarray." + name + "' at compile time", kSupported);
}

void add_numpy_arrays(ModuleObj& np) {
  np.ns["float64"] = Value::str("float64");
  np.ns["double"] = Value::str("float64");
  np.ns["int64"] = Value::str("int64");
  np.ns["identity"] = builtin("identity", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> ps = {{"n", true}, {"dtype", false}};
    auto v = np_bind(in, a, "identity", ps);
    int64_t n = expect_int(in, v[0], in.arg_span(a, ps, 0), "np.identity n");
    auto r = new_array(in, a.call_span, parse_dtype(in, v[1], in.arg_span(a, ps, 1), {}), {n, n});
    for (int64_t i = 0; i < n; ++i) r->data[static_cast<size_t>(i * n + i)] = cast(type_of(*r), 1);
    return wrap(r);
  });
  np.ns["eye"] = builtin("eye", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> ps = {{"N", true}, {"M", false}, {"k", false, Value::integer(0)}, {"dtype", false}};
    auto v = np_bind(in, a, "eye", ps);
    int64_t n = expect_int(in, v[0], in.arg_span(a, ps, 0), "np.eye N");
    int64_t m = v[1].is_none() ? n : expect_int(in, v[1], in.arg_span(a, ps, 1), "np.eye M");
    int64_t k = expect_int(in, v[2], in.arg_span(a, ps, 2), "np.eye k");
    auto r = new_array(in, a.call_span, parse_dtype(in, v[3], in.arg_span(a, ps, 3), {}), {n, m});
    for (int64_t i = 0; i < n; ++i)
      if (i + k >= 0 && i + k < m) r->data[static_cast<size_t>(i * m + i + k)] = cast(type_of(*r), 1);
    return wrap(r);
  });
  for (auto [nm, fill] : {std::pair<const char*, double>{"zeros", 0.0}, {"ones", 1.0}, {"empty", 0.0}}) {
    std::string name = nm;
    double f = fill;
    np.ns[name] = builtin(name, [name, f](Interpreter& in, CallArgs& a) {
      static const std::vector<Param> ps = {{"shape", true}, {"dtype", false}};
      auto v = np_bind(in, a, name, ps);
      auto sh = np_shape(in, v[0], in.arg_span(a, ps, 0));
      return wrap(new_array(in, a.call_span, parse_dtype(in, v[1], in.arg_span(a, ps, 1), {}), sh, f));
    });
  }
  np.ns["full"] = builtin("full", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> ps = {{"shape", true}, {"fill_value", true}, {"dtype", false}};
    auto v = np_bind(in, a, "full", ps);
    auto sh = np_shape(in, v[0], in.arg_span(a, ps, 0));
    if (!v[1].is_number()) in.error(in.arg_span(a, ps, 1), "np.full fill_value must be a number");
    ArrType dflt = v[1].k == VK::Bool  ? ArrType{ArrayKind::Nki, DType::Bool}
                   : v[1].k == VK::Int ? ArrType{ArrayKind::Int64, DType::Int32}
                                       : ArrType{};
    return wrap(new_array(in, a.call_span, parse_dtype(in, v[2], in.arg_span(a, ps, 2), dflt), sh, v[1].as_float()));
  });
  np.ns["arange"] = builtin("arange", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> ps = {{"start", true}, {"stop", false}, {"step", false}, {"dtype", false}};
    auto v = np_bind(in, a, "arange", ps);
    for (size_t i = 0; i < 3; ++i)
      if (!v[i].is_none() && !v[i].is_number())
        in.error(in.arg_span(a, ps, i), std::string("np.arange ") + ps[i].name + " must be a number");
    Value start = v[1].is_none() ? Value::integer(0) : v[0];
    Value stop = v[1].is_none() ? v[0] : v[1];
    Value step = v[2].is_none() ? Value::integer(1) : v[2];
    if (step.as_float() == 0) in.error(in.arg_span(a, ps, 2), "np.arange step must not be zero");
    bool ints = start.is_int() && stop.is_int() && step.is_int();
    double len = std::ceil((stop.as_float() - start.as_float()) / step.as_float());
    int64_t n = len > 0 ? static_cast<int64_t>(std::min(len, static_cast<double>(kMaxArrayElements + 1))) : 0;
    ArrType t =
        parse_dtype(in, v[3], in.arg_span(a, ps, 3), ints ? ArrType{ArrayKind::Int64, DType::Int32} : ArrType{});
    auto r = new_array(in, a.call_span, t, {n});
    for (int64_t i = 0; i < n; ++i)
      r->data[static_cast<size_t>(i)] = cast(t, start.as_float() + static_cast<double>(i) * step.as_float());
    return wrap(r);
  });
  for (const char* nm : {"array", "asarray"}) {
    std::string name = nm;
    np.ns[name] = builtin(name, [name](Interpreter& in, CallArgs& a) {
      static const std::vector<Param> ps = {{"object", true}, {"dtype", false}};
      auto v = np_bind(in, a, name, ps);
      return to_array(in, v[0], in.arg_span(a, ps, 0), v[1]);
    });
  }
  np.ns["reshape"] = builtin("reshape", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> ps = {{"a", true}, {"newshape", true}};
    auto v = np_bind(in, a, "reshape", ps);
    ArrayObj* x = expect_array(in, v[0], in.arg_span(a, ps, 0), "np.reshape a");
    return reshape(in, *x, np_shape(in, v[1], in.arg_span(a, ps, 1)), a.call_span);
  });
  np.ns["transpose"] = builtin("transpose", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> ps = {{"a", true}};
    auto v = np_bind(in, a, "transpose", ps);
    return transpose(in, *expect_array(in, v[0], in.arg_span(a, ps, 0), "np.transpose a"), a.call_span);
  });
  np.ns["tril"] = builtin("tril", [](Interpreter& in, CallArgs& a) { return tri(in, a, true); });
  np.ns["triu"] = builtin("triu", [](Interpreter& in, CallArgs& a) { return tri(in, a, false); });
  // Common NumPy names kernels might reach for: a clear error instead of "no attribute".
  for (const char* nm : {"load",        "linspace",   "concatenate",
                         "stack",       "matmul",     "dot",
                         "diag",        "tile",       "repeat",
                         "where",       "sum",        "max",
                         "min",         "mean",       "exp",
                         "sqrt",        "zeros_like", "ones_like",
                         "full_like",   "empty_like", "fromfile",
                         "frombuffer",  "outer",      "kron",
                         "flip",        "roll",       "pad",
                         "vstack",      "hstack",     "broadcast_to",
                         "expand_dims", "squeeze",    "ascontiguousarray",
                         "cumsum",      "abs"}) {
    std::string name = nm;
    if (np.ns.count(name)) continue;
    np.ns[name] = builtin(name, [name](Interpreter& in, CallArgs& a) -> Value {
      in.error(a.call_span, "numpy." + name + " is not supported at compile time by nkic",
               std::string(kSupported) + "; " + kGlobalHint);
    });
  }
  for (const char* sub : {"random", "linalg", "fft"}) {
    auto m = std::make_shared<ModuleObj>();
    m->name = std::string("numpy.") + sub;
    for (const char* nm : {"rand", "randn", "random", "uniform", "normal", "randint", "default_rng", "seed",
                           "permutation", "choice", "inv", "norm", "qr", "svd", "fft", "ifft"}) {
      std::string name = m->name + "." + nm;
      m->ns[nm] = make_builtin(name, [name](Interpreter& in, CallArgs& a) -> Value {
        in.error(a.call_span, name + " is not supported at compile time by nkic", kGlobalHint);
      });
    }
    np.ns[sub] = Value::wrap(VK::Module, m);
  }
}

// nl.shared_constant / nl.shared_identity_matrix.
void add_constants(ModuleObj& nl) {
  static const std::vector<Param> constant_params = {
      {"constant", true}, {"dtype", false}, {"name", false, Value::str("")}};
  nl.ns["shared_constant"] =
      make_builtin("nki.language.shared_constant", constant_params, [](Interpreter& in, CallArgs& a) {
        const auto& ps = constant_params;
        auto v = in.bind(a, "shared_constant", ps);
        Span cs = in.arg_span(a, ps, 0);
        Value arr = v[0];
        if (arr.k == VK::Str) {
          std::string path = arr.as<StrObj>()->s;
          if (!path.empty() && path[0] != '/') {  // relative to the kernel's file, then to the working directory
            std::string file = in.current_file() ? in.current_file()->path() : "";
            size_t slash = file.rfind('/');
            std::string rel = slash == std::string::npos ? path : file.substr(0, slash + 1) + path;
            if (std::ifstream(rel).good()) path = rel;
          }
          arr = read_npy(in, path, cs);
        }
        if (arr.k == VK::Tensor)
          in.error(cs, "nl.shared_constant takes a compile-time NumPy array, not a tensor",
                   "build the constant with np.identity / np.arange / np.full / ... or pass a .npy path");
        if (arr.k != VK::Array)
          in.error(cs,
                   "nl.shared_constant takes a NumPy array or the path of a .npy file, not '" +
                       std::string(type_name(arr.k)) + "'",
                   kSupported);
        auto* c = arr.as<ArrayObj>();
        if (c->shape.empty()) in.error(cs, "nl.shared_constant needs an array with at least one dimension");
        for (int64_t d : c->shape)
          if (d <= 0) in.error(cs, "nl.shared_constant: the array has an empty dimension (shape " + repr(arr) + ")");
        DType dt = tensor_dtype(*c);
        if (!v[1].is_none()) {
          if (v[1].k != VK::DType)
            in.error(in.arg_span(a, ps, 1), "dtype must be an nki.language dtype (e.g. nl.bfloat16), not '" +
                                                std::string(type_name(v[1].k)) + "'");
          dt = v[1].as_dtype();
          if (is_packed(dt))
            in.error(in.arg_span(a, ps, 1),
                     "nl.shared_constant does not support packed dtype " + std::string(name_of(dt)));
        }
        std::vector<uint8_t> bytes = encode(*c, dt);
        std::string name = v[2].k == VK::Str ? v[2].as<StrObj>()->s : "";
        if (name.empty()) name = in.take_name_hint();
        if (name.empty()) name = "constant";
        Value t = in.new_tensor(name, Mem::HBM, dt, c->shape, a.call_span);
        auto& consts = in.program.constants;
        int32_t idx = -1;
        for (size_t i = 0; i < consts.size() && idx < 0; ++i)
          if (consts[i] == bytes) idx = static_cast<int32_t>(i);  // identical contents share one entry
        if (idx < 0) {
          consts.push_back(std::move(bytes));
          idx = static_cast<int32_t>(consts.size() - 1);
        }
        in.program.tensors[t.as<TensorObj>()->ap.tensor].constant = idx;
        return t;
      });

  static const std::vector<Param> identity_params = {
      {"n", true}, {"dtype", false, Value::dtype(DType::UInt8)}, {"dst", false}};
  nl.ns["shared_identity_matrix"] =
      make_builtin("nki.language.shared_identity_matrix", identity_params, [](Interpreter& in, CallArgs& a) {
        const auto& ps = identity_params;
        auto v = in.bind(a, "shared_identity_matrix", ps);
        Span ns = in.arg_span(a, ps, 0);
        int64_t n = expect_int(in, v[0], ns, "shared_identity_matrix n");
        if (n <= 0 || n > in.tgt.partitions)
          in.error(ns,
                   "shared_identity_matrix: n = " + std::to_string(n) + " must be between 1 and " +
                       std::to_string(in.tgt.partitions),
                   "the identity lives in SBUF: one row per partition", "validation");
        if (v[1].k != VK::DType)
          in.error(in.arg_span(a, ps, 1), "dtype must be an nki.language dtype (e.g. nl.bfloat16), not '" +
                                              std::string(type_name(v[1].k)) + "'");
        DType dt = v[1].as_dtype();
        if (is_packed(dt))
          in.error(in.arg_span(a, ps, 1),
                   "shared_identity_matrix does not support packed dtype " + std::string(name_of(dt)));
        Value dst = v[2];
        if (dst.is_none()) {
          std::string name = in.take_name_hint();
          dst = in.new_tensor(name.empty() ? "identity" : name, Mem::SBUF, dt, {n, n}, a.call_span);
        } else {
          Span ds = in.arg_span(a, ps, 2);
          TensorObj* t = expect_tensor(in, dst, ds, "shared_identity_matrix dst");
          auto sh = t->shape();
          std::string got = repr(dst);
          if (in.program.tensors[t->ap.tensor].mem != Mem::SBUF)
            in.error(ds, "shared_identity_matrix: dst must be an SBUF tensor, got " + got, "", "validation");
          if (sh.size() != 2 || sh[0] != n || sh[1] != n)
            in.error(ds,
                     "shared_identity_matrix: dst must have shape [" + std::to_string(n) + ", " + std::to_string(n) +
                         "], got " + got,
                     "", "validation");
          if (t->ap.dtype != dt)
            in.error(ds,
                     "shared_identity_matrix: dst has dtype " + std::string(name_of(t->ap.dtype)) + " but dtype= is " +
                         std::string(name_of(dt)),
                     "", "validation");
        }
        // memset 1, then keep the diagonal: affine_select on p - f == 0, 0 elsewhere (GpSimd).
        emit_memset(in, dst, 1.0, a.call_span);
        CallArgs sel;
        sel.call_span = a.call_span;
        sel.kw = {{"dst", dst},
                  {"pattern", Value::list({Value::list({Value::integer(-1), Value::integer(n)})})},
                  {"channel_multiplier", Value::integer(1)},
                  {"on_true_tile", dst},
                  {"on_false_value", Value::real(0)},
                  {"cmp_op", Value::op(AluOp::Equal)}};
        sel.kw_spans.assign(sel.kw.size(), a.call_span);
        Value isa = in.builtin_module("nki.isa");
        in.call(isa.as<ModuleObj>()->ns["affine_select"], sel);
        return dst;
      });
}

}  // namespace nkic::trace
