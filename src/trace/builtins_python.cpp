// Python builtins and the `math` / `numpy` subsets kernels use at compile time.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "trace/checked_int.h"
#include "trace/interpreter.h"

namespace nkic::trace {

Value make_builtin(std::string name, std::function<Value(Interpreter&, CallArgs&)> fn) {
  auto b = std::make_shared<BuiltinObj>();
  b->name = std::move(name);
  b->fn = std::move(fn);
  return Value::wrap(VK::Builtin, b);
}

TensorObj* expect_tensor(Interpreter& in, const Value& v, Span s, const std::string& what, bool dynamic_ok,
                         bool indirect_ok) {
  if (v.k != VK::Tensor) in.error(s, what + " must be a tensor, not '" + type_name(v.k) + "'");
  TensorObj* t = v.as<TensorObj>();
  if (t->dyn && t->dyn->kind == DynKind::Indirect) {
    if (!indirect_ok)
      in.error(s,
               what + " is an indirect view (.indirect()): only these compute instructions take one: " +
                   kIndirectInstructions,
               "gather the columns into a tile with one of them (e.g. nisa.tensor_copy) first");
    return t;
  }
  if (t->dyn && !dynamic_ok)
    in.error(s, what + " has a dynamic offset (.ap(scalar_offset=/vector_offset=)): only DMA instructions take one",
             "move the data with nisa.dma_copy first");
  return t;
}

int64_t expect_int(Interpreter& in, const Value& v, Span s, const std::string& what) {
  if (!v.is_int()) in.error(s, what + " must be an integer, not '" + type_name(v.k) + "'");
  return v.as_int();
}

std::vector<int64_t> expect_shape(Interpreter& in, const Value& v, Span s, const std::string& what) {
  std::vector<int64_t> out;
  if (v.is_int()) return {v.as_int()};
  if (v.k != VK::Tuple && v.k != VK::List) in.error(s, what + " must be a tuple of integers");
  for (auto& x : v.as<SeqObj>()->items) {
    int64_t d = expect_int(in, x, s, what + " dimensions");
    if (d <= 0) in.error(s, what + " dimensions must be positive, got " + std::to_string(d));
    if (d > INT32_MAX)
      in.error(
          s, what + " dimension " + std::to_string(d) + " exceeds the 32-bit range of NKI sizes (at most 2147483647)");
    out.push_back(d);
  }
  return out;
}

namespace {

void no_kwargs(Interpreter& in, CallArgs& a, const char* name) {
  if (!a.kw.empty()) in.py_raise(a.kw_spans[0], "TypeError", std::string(name) + "() takes no keyword arguments");
}

void nargs(Interpreter& in, CallArgs& a, size_t lo, size_t hi, const char* name) {
  if (a.pos.size() < lo || a.pos.size() > hi)
    in.py_raise(a.call_span, "TypeError",
                std::string(name) + "() takes " +
                    (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                    " arguments (" + std::to_string(a.pos.size()) + " given)");
}

Value make_range(int64_t start, int64_t stop, int64_t step, std::string kind) {
  auto r = std::make_shared<RangeObj>();
  r->start = start;
  r->stop = stop;
  r->step = step;
  r->kind = std::move(kind);
  return Value::wrap(VK::Range, r);
}

bool less(Interpreter& in, const Value& a, const Value& b, Span s) {
  if (a.is_number() && b.is_number()) return a.as_float() < b.as_float();
  if (a.k == VK::Str && b.k == VK::Str) return a.as<StrObj>()->s < b.as<StrObj>()->s;
  in.py_raise(s, "TypeError", std::string("cannot compare '") + type_name(a.k) + "' and '" + type_name(b.k) + "'");
}

Value minmax(Interpreter& in, CallArgs& a, bool is_max) {
  const char* name = is_max ? "max" : "min";
  std::vector<Value> items = a.pos.size() == 1 ? in.iterate(a.pos[0], a.pos_spans[0]) : a.pos;
  Value dflt;
  bool has_default = false;
  for (size_t k = 0; k < a.kw.size(); ++k) {
    if (a.kw[k].first == "default") {
      dflt = a.kw[k].second;
      has_default = true;
    } else {
      in.py_raise(a.kw_spans[k], "TypeError",
                  std::string(name) + "() got an unexpected keyword argument '" + a.kw[k].first + "'");
    }
  }
  if (items.empty()) {
    if (has_default) return dflt;
    in.py_raise(a.call_span, "ValueError", std::string(name) + "() arg is an empty sequence");
  }
  Value best = items[0];
  for (size_t i = 1; i < items.size(); ++i)
    if (is_max ? less(in, best, items[i], a.call_span) : less(in, items[i], best, a.call_span)) best = items[i];
  return best;
}

}  // namespace

// Shared by nl.*range: Python's range argument rules.
Value range_from_args(Interpreter& in, CallArgs& a, const std::string& kind) {
  if (a.pos.empty() || a.pos.size() > 3)
    in.py_raise(a.call_span, "TypeError", kind + "() takes 1 to 3 integer arguments");
  for (size_t k = 0; k < a.kw.size(); ++k) {
    static const char* names[] = {"start", "stop", "step"};
    bool ok = false;
    for (auto* n : names) ok |= a.kw[k].first == n;
    if (!ok)
      in.py_raise(a.kw_spans[k], "TypeError", kind + "() got an unexpected keyword argument '" + a.kw[k].first + "'");
  }
  std::vector<int64_t> v;
  for (size_t i = 0; i < a.pos.size(); ++i) v.push_back(expect_int(in, a.pos[i], a.pos_spans[i], kind + " bounds"));
  int64_t start = 0, stop = 0, step = 1;
  if (v.size() == 1)
    stop = v[0];
  else {
    start = v[0];
    stop = v[1];
    if (v.size() == 3) step = v[2];
  }
  for (size_t k = 0; k < a.kw.size(); ++k) {
    int64_t x = expect_int(in, a.kw[k].second, a.kw_spans[k], kind + " bounds");
    if (a.kw[k].first == "stop")
      stop = x;
    else if (a.kw[k].first == "step")
      step = x;
    else
      start = x;
  }
  if (step == 0) in.py_raise(a.call_span, "ValueError", kind + "() step must not be zero");
  return make_range(start, stop, step, kind);
}

Value make_object_class(const std::string& name);  // classes.cpp

void add_python_builtins(std::map<std::string, Value>& b) {
  add_exception_builtins(b);
  b["object"] = make_object_class("object");
  b["range"] = make_builtin("range", [](Interpreter& in, CallArgs& a) {
    no_kwargs(in, a, "range");
    return range_from_args(in, a, "range");
  });
  b["len"] = make_builtin("len", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "len");
    const Value& v = a.pos[0];
    switch (v.k) {
      case VK::Str: return Value::integer(static_cast<int64_t>(v.as<StrObj>()->s.size()));
      case VK::Tuple:
      case VK::List: return Value::integer(static_cast<int64_t>(v.as<SeqObj>()->items.size()));
      case VK::Dict: return Value::integer(static_cast<int64_t>(v.as<DictObj>()->items.size()));
      case VK::Range: return Value::integer(v.as<RangeObj>()->length());
      case VK::Tensor: return Value::integer(v.as<TensorObj>()->ap.dims[0].num);
      default:
        in.py_raise(a.pos_spans[0], "TypeError", std::string("object of type '") + type_name(v.k) + "' has no len()");
    }
  });
  b["min"] = make_builtin("min", [](Interpreter& in, CallArgs& a) { return minmax(in, a, false); });
  b["max"] = make_builtin("max", [](Interpreter& in, CallArgs& a) { return minmax(in, a, true); });
  b["abs"] = make_builtin("abs", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "abs");
    if (a.pos[0].is_int()) {
      int64_t x = a.pos[0].as_int();
      return Value::integer(x < 0 ? checked_neg(in, a.call_span, x) : x);
    }
    if (a.pos[0].k == VK::Float) return Value::real(std::fabs(a.pos[0].f));
    in.py_raise(a.pos_spans[0], "TypeError",
                std::string("bad operand type for abs(): '") + type_name(a.pos[0].k) + "'");
  });
  b["int"] = make_builtin("int", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 0, 1, "int");
    if (a.pos.empty()) return Value::integer(0);
    const Value& v = a.pos[0];
    if (v.is_int()) return Value::integer(v.as_int());
    if (v.k == VK::Float) {
      if (!std::isfinite(v.f))
        in.py_raise(a.pos_spans[0], std::isnan(v.f) ? "ValueError" : "OverflowError",
                    "cannot convert " + to_str(v) + " to an integer");
      return Value::integer(checked_float_to_int(in, a.call_span, std::trunc(v.f)));
    }
    if (v.k == VK::Str) {
      try {
        size_t pos = 0;
        int64_t r = std::stoll(v.as<StrObj>()->s, &pos);
        if (pos == v.as<StrObj>()->s.size()) return Value::integer(r);
      } catch (...) {
      }
      in.py_raise(a.pos_spans[0], "ValueError", "invalid literal for int(): " + repr(v));
    }
    in.py_raise(a.pos_spans[0], "TypeError",
                std::string("int() argument must be a number or string, not '") + type_name(v.k) + "'");
  });
  b["float"] = make_builtin("float", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 0, 1, "float");
    if (a.pos.empty()) return Value::real(0);
    const Value& v = a.pos[0];
    if (v.is_number()) return Value::real(v.as_float());
    if (v.k == VK::Str) {
      const std::string& s = v.as<StrObj>()->s;
      if (s == "inf" || s == "+inf") return Value::real(INFINITY);
      if (s == "-inf") return Value::real(-INFINITY);
      if (s == "nan") return Value::real(NAN);
      try {
        size_t pos = 0;
        double r = std::stod(s, &pos);
        if (pos == s.size()) return Value::real(r);
      } catch (...) {
      }
      in.py_raise(a.pos_spans[0], "ValueError", "could not convert string to float: " + repr(v));
    }
    in.py_raise(a.pos_spans[0], "TypeError",
                std::string("float() argument must be a number or string, not '") + type_name(v.k) + "'");
  });
  b["bool"] = make_builtin("bool", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 0, 1, "bool");
    return Value::boolean(!a.pos.empty() && in.truthy(a.pos[0], a.pos_spans[0]));
  });
  b["str"] = make_builtin("str", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 0, 1, "str");
    return Value::str(a.pos.empty() ? "" : to_str(a.pos[0]));
  });
  b["repr"] = make_builtin("repr", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "repr");
    return Value::str(repr(a.pos[0]));
  });
  b["tuple"] = make_builtin("tuple", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 0, 1, "tuple");
    return Value::tuple(a.pos.empty() ? std::vector<Value>{} : in.iterate(a.pos[0], a.pos_spans[0]));
  });
  b["list"] = make_builtin("list", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 0, 1, "list");
    return Value::list(a.pos.empty() ? std::vector<Value>{} : in.iterate(a.pos[0], a.pos_spans[0]));
  });
  b["enumerate"] = make_builtin("enumerate", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 2, "enumerate");
    int64_t start = a.pos.size() > 1 ? expect_int(in, a.pos[1], a.pos_spans[1], "start") : 0;
    std::vector<Value> out;
    for (auto& v : in.iterate(a.pos[0], a.pos_spans[0])) out.push_back(Value::tuple({Value::integer(start++), v}));
    return Value::list(std::move(out));
  });
  b["zip"] = make_builtin("zip", [](Interpreter& in, CallArgs& a) {
    no_kwargs(in, a, "zip");
    std::vector<std::vector<Value>> seqs;
    size_t n = SIZE_MAX;
    for (size_t i = 0; i < a.pos.size(); ++i) {
      seqs.push_back(in.iterate(a.pos[i], a.pos_spans[i]));
      n = std::min(n, seqs.back().size());
    }
    std::vector<Value> out;
    for (size_t i = 0; !seqs.empty() && i < n; ++i) {
      std::vector<Value> t;
      for (auto& s : seqs) t.push_back(s[i]);
      out.push_back(Value::tuple(std::move(t)));
    }
    return Value::list(std::move(out));
  });
  b["reversed"] = make_builtin("reversed", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "reversed");
    auto v = in.iterate(a.pos[0], a.pos_spans[0]);
    std::reverse(v.begin(), v.end());
    return Value::list(std::move(v));
  });
  b["sorted"] = make_builtin("sorted", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "sorted");
    auto v = in.iterate(a.pos[0], a.pos_spans[0]);
    bool rev = false;
    for (size_t k = 0; k < a.kw.size(); ++k) {
      if (a.kw[k].first != "reverse") in.error(a.kw_spans[k], "sorted() supports only reverse= in kernels");
      rev = in.truthy(a.kw[k].second, a.kw_spans[k]);
    }
    Span s = a.call_span;
    std::stable_sort(v.begin(), v.end(), [&](const Value& x, const Value& y) { return less(in, x, y, s); });
    if (rev) std::reverse(v.begin(), v.end());
    return Value::list(std::move(v));
  });
  b["sum"] = make_builtin("sum", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 2, "sum");
    Value acc = a.pos.size() > 1 ? a.pos[1] : Value::integer(0);
    for (auto& v : in.iterate(a.pos[0], a.pos_spans[0])) {
      if (!v.is_number() || !acc.is_number()) in.py_raise(a.pos_spans[0], "TypeError", "sum() takes numbers");
      acc = (acc.k == VK::Float || v.k == VK::Float)
                ? Value::real(acc.as_float() + v.as_float())
                : Value::integer(checked_add(in, a.call_span, acc.as_int(), v.as_int()));
    }
    return acc;
  });
  b["divmod"] = make_builtin("divmod", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 2, 2, "divmod");
    int64_t x = expect_int(in, a.pos[0], a.pos_spans[0], "divmod"),
            y = expect_int(in, a.pos[1], a.pos_spans[1], "divmod");
    if (y == 0) in.py_raise(a.call_span, "ZeroDivisionError", "integer division or modulo by zero");
    if (x == INT64_MIN && y == -1) int_overflow(in, a.call_span);
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) {
      --q;
      r += y;
    }
    return Value::tuple({Value::integer(q), Value::integer(r)});
  });
  b["round"] = make_builtin("round", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 2, "round");
    if (!a.pos[0].is_number()) in.py_raise(a.pos_spans[0], "TypeError", "round() takes a number");
    if (a.pos.size() == 1) {
      if (a.pos[0].is_int()) return Value::integer(a.pos[0].as_int());
      return Value::integer(checked_float_to_int(in, a.call_span, std::nearbyint(a.pos[0].as_float())));
    }
    double scale = std::pow(10.0, static_cast<double>(expect_int(in, a.pos[1], a.pos_spans[1], "ndigits")));
    return Value::real(std::nearbyint(a.pos[0].as_float() * scale) / scale);
  });
  // print(*values, sep=' ', end='\n', file=sys.stdout, flush=False), at compile time.
  b["print"] = make_builtin("print", [](Interpreter& in, CallArgs& a) {
    std::string sep = " ", end = "\n";
    FILE* out = stdout;
    for (size_t k = 0; k < a.kw.size(); ++k) {
      const auto& [name, v] = a.kw[k];
      if ((name == "sep" || name == "end") && (v.k == VK::Str || v.is_none())) {
        if (v.k == VK::Str) (name == "sep" ? sep : end) = v.as<StrObj>()->s;
      } else if (name == "file" && v.k == VK::Enum && v.as<EnumObj>()->cls == "sys.stream") {
        out = v.as<EnumObj>()->name == "stderr" ? stderr : stdout;
      } else if (name != "flush" && name != "file") {
        in.py_raise(a.kw_spans[k], "TypeError", "print() got an unexpected keyword argument '" + name + "'");
      }
    }
    std::string line;
    for (size_t i = 0; i < a.pos.size(); ++i) line += (i ? sep : "") + to_str(a.pos[i]);
    std::fprintf(out, "%s%s", line.c_str(), end.c_str());
    std::fflush(out);
    return Value::none();
  });
  b["isinstance"] = make_builtin("isinstance", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 2, 2, "isinstance");
    std::vector<Value> types = a.pos[1].k == VK::Tuple ? a.pos[1].as<SeqObj>()->items : std::vector<Value>{a.pos[1]};
    for (auto& t : types) {
      if (t.k == VK::Class) {
        if (a.pos[0].k == VK::Instance && is_subclass(a.pos[0].as<InstanceObj>()->cls, t)) return Value::boolean(true);
        continue;
      }
      if (t.k != VK::Builtin) in.py_raise(a.pos_spans[1], "TypeError", "isinstance() takes a type or a tuple of types");
      const std::string& n = t.as<BuiltinObj>()->name;
      VK k = a.pos[0].k;
      if ((n == "int" && (k == VK::Int || k == VK::Bool)) || (n == "float" && k == VK::Float) ||
          (n == "bool" && k == VK::Bool) || (n == "str" && k == VK::Str) || (n == "tuple" && k == VK::Tuple) ||
          (n == "list" && k == VK::List) || (n == "dict" && k == VK::Dict) || (n == "slice" && k == VK::Slice))
        return Value::boolean(true);
    }
    return Value::boolean(false);
  });
  b["dict"] = make_builtin("dict", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 0, 1, "dict");
    auto d = std::make_shared<DictObj>();
    if (!a.pos.empty()) {
      if (a.pos[0].k != VK::Dict) in.error(a.pos_spans[0], "dict() takes a dict or keyword arguments in kernels");
      d->items = a.pos[0].as<DictObj>()->items;
    }
    for (auto& [k, v] : a.kw) d->items.push_back({k, v});
    return Value::wrap(VK::Dict, d);
  });
  b["slice"] = make_builtin("slice", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 3, "slice");
    auto sl = std::make_shared<SliceObj>();
    if (a.pos.size() == 1)
      sl->stop = a.pos[0];
    else {
      sl->start = a.pos[0];
      sl->stop = a.pos[1];
      if (a.pos.size() == 3) sl->step = a.pos[2];
    }
    return Value::wrap(VK::Slice, sl);
  });
  b["getattr"] = make_builtin("getattr", [](Interpreter& in, CallArgs& a) -> Value {
    nargs(in, a, 2, 3, "getattr");
    if (a.pos[1].k != VK::Str) in.py_raise(a.pos_spans[1], "TypeError", "getattr(): attribute name must be a string");
    if (a.pos.size() == 2) return in.getattr(a.pos[0], a.pos[1].as<StrObj>()->s, a.call_span);
    try {
      return in.getattr(a.pos[0], a.pos[1].as<StrObj>()->s, a.call_span);
    } catch (const UserError&) {
      return a.pos[2];
    }
  });
  b["hasattr"] = make_builtin("hasattr", [](Interpreter& in, CallArgs& a) -> Value {
    nargs(in, a, 2, 2, "hasattr");
    if (a.pos[1].k != VK::Str) in.py_raise(a.pos_spans[1], "TypeError", "hasattr(): attribute name must be a string");
    try {
      in.getattr(a.pos[0], a.pos[1].as<StrObj>()->s, a.call_span);
      return Value::boolean(true);
    } catch (const UserError&) {
      return Value::boolean(false);
    }
  });
  b["any"] = make_builtin("any", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "any");
    for (auto& v : in.iterate(a.pos[0], a.pos_spans[0]))
      if (in.truthy(v, a.pos_spans[0])) return Value::boolean(true);
    return Value::boolean(false);
  });
  b["all"] = make_builtin("all", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "all");
    for (auto& v : in.iterate(a.pos[0], a.pos_spans[0]))
      if (!in.truthy(v, a.pos_spans[0])) return Value::boolean(false);
    return Value::boolean(true);
  });
  b["None"] = Value::none();
}

Value make_math_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "math";
  auto unary = [&](const char* name, double (*f)(double), bool to_int) {
    m->ns[name] = make_builtin(std::string("math.") + name, [name, f, to_int](Interpreter& in, CallArgs& a) {
      nargs(in, a, 1, 1, name);
      if (!a.pos[0].is_number())
        in.py_raise(a.pos_spans[0], "TypeError", std::string("math.") + name + "() takes a number");
      if (to_int && a.pos[0].is_int()) return Value::integer(a.pos[0].as_int());
      double r = f(a.pos[0].as_float());
      return to_int ? Value::integer(checked_float_to_int(in, a.call_span, r)) : Value::real(r);
    });
  };
  unary(
      "ceil", [](double x) { return std::ceil(x); }, true);
  unary(
      "floor", [](double x) { return std::floor(x); }, true);
  unary(
      "trunc", [](double x) { return std::trunc(x); }, true);
  unary(
      "sqrt", [](double x) { return std::sqrt(x); }, false);
  unary(
      "log2", [](double x) { return std::log2(x); }, false);
  unary(
      "log", [](double x) { return std::log(x); }, false);
  unary(
      "exp", [](double x) { return std::exp(x); }, false);
  m->ns["gcd"] = make_builtin("math.gcd", [](Interpreter& in, CallArgs& a) {
    int64_t g = 0;
    for (size_t i = 0; i < a.pos.size(); ++i) g = std::gcd(g, expect_int(in, a.pos[i], a.pos_spans[i], "gcd"));
    return Value::integer(g);
  });
  m->ns["prod"] = make_builtin("math.prod", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "prod");
    Value acc = Value::integer(1);
    for (auto& v : in.iterate(a.pos[0], a.pos_spans[0])) {
      if (!v.is_number()) in.error(a.pos_spans[0], "prod() takes numbers");
      acc = (acc.k == VK::Float || v.k == VK::Float)
                ? Value::real(acc.as_float() * v.as_float())
                : Value::integer(checked_mul(in, a.call_span, acc.as_int(), v.as_int()));
    }
    return acc;
  });
  m->ns["inf"] = Value::real(INFINITY);
  m->ns["nan"] = Value::real(NAN);
  m->ns["pi"] = Value::real(M_PI);
  m->ns["e"] = Value::real(M_E);
  return Value::wrap(VK::Module, m);
}

Value make_functools_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "functools";
  m->ns["reduce"] = make_builtin("functools.reduce", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 2, 3, "reduce");
    auto items = in.iterate(a.pos[1], a.pos_spans[1]);
    size_t i = 0;
    Value acc;
    if (a.pos.size() == 3)
      acc = a.pos[2];
    else if (items.empty())
      in.py_raise(a.call_span, "TypeError", "reduce() of empty iterable with no initial value");
    else
      acc = items[i++];
    for (; i < items.size(); ++i) {
      CallArgs c;
      c.call_span = a.call_span;
      c.pos = {acc, items[i]};
      c.pos_spans = {a.call_span, a.call_span};
      acc = in.call(a.pos[0], c);
    }
    return acc;
  });
  return Value::wrap(VK::Module, m);
}

void add_numpy_arrays(ModuleObj& np);  // constants.cpp

Value make_numpy_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "numpy";
  add_numpy_arrays(*m);
  for (DType t : {DType::Bool, DType::Int8, DType::UInt8, DType::Int16, DType::UInt16, DType::Int32, DType::UInt32,
                  DType::Float16, DType::Float32})
    m->ns[std::string(name_of(t))] = Value::dtype(t);
  m->ns["bool_"] = Value::dtype(DType::Bool);
  m->ns["dtype"] = make_builtin("numpy.dtype", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "dtype");
    if (a.pos[0].k == VK::DType) return a.pos[0];
    if (a.pos[0].k == VK::Str)
      if (auto dt = dtype_from_name(a.pos[0].as<StrObj>()->s)) return Value::dtype(*dt);
    in.error(a.pos_spans[0], "numpy.dtype(): unsupported dtype " + repr(a.pos[0]));
  });
  m->ns["finfo"] = make_builtin("numpy.finfo", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "finfo");
    if (a.pos[0].k != VK::DType || !is_float(a.pos[0].as_dtype()))
      in.error(a.pos_spans[0], "numpy.finfo() takes a float dtype");
    DType t = a.pos[0].as_dtype();
    double mx = 0, eps = 0, tiny = 0;
    switch (t) {
      case DType::Float32:
      case DType::TFloat32:
        mx = 3.4028234663852886e38;
        eps = 1.1920928955078125e-07;
        tiny = 1.1754943508222875e-38;
        break;
      case DType::BFloat16:
        mx = 3.3895313892515355e38;
        eps = 0.0078125;
        tiny = 1.1754943508222875e-38;
        break;
      case DType::Float16:
        mx = 65504;
        eps = 0.0009765625;
        tiny = 6.103515625e-05;
        break;
      case DType::Float8E4M3:
        mx = 240;
        eps = 0.125;
        tiny = 0.015625;
        break;
      case DType::Float8E4M3FN:
        mx = 448;
        eps = 0.125;
        tiny = 0.015625;
        break;
      case DType::Float8E5M2:
        mx = 57344;
        eps = 0.25;
        tiny = 6.103515625e-05;
        break;
      default: in.error(a.pos_spans[0], "numpy.finfo(): unsupported dtype");
    }
    auto d = std::make_shared<ModuleObj>();
    d->name = "finfo";
    d->ns["max"] = Value::real(mx);
    d->ns["min"] = Value::real(-mx);
    d->ns["eps"] = Value::real(eps);
    d->ns["tiny"] = Value::real(tiny);
    d->ns["bits"] = Value::integer(size_of(t) * 8);
    d->ns["dtype"] = a.pos[0];
    return Value::wrap(VK::Module, d);
  });
  m->ns["inf"] = Value::real(INFINITY);
  m->ns["pi"] = Value::real(M_PI);
  m->ns["prod"] = make_builtin("numpy.prod", [](Interpreter& in, CallArgs& a) {
    nargs(in, a, 1, 1, "prod");
    Value acc = Value::integer(1);
    for (auto& v : in.iterate(a.pos[0], a.pos_spans[0])) {
      if (!v.is_number()) in.error(a.pos_spans[0], "prod() takes numbers");
      acc = (acc.k == VK::Float || v.k == VK::Float)
                ? Value::real(acc.as_float() * v.as_float())
                : Value::integer(checked_mul(in, a.call_span, acc.as_int(), v.as_int()));
    }
    return acc;
  });
  return Value::wrap(VK::Module, m);
}

}  // namespace nkic::trace
