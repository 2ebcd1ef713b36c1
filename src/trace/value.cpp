// Value helpers: constructors, printing, equality.
#include "trace/value.h"

#include <cmath>
#include <cstdio>

namespace nkic::trace {

const char* type_name(VK k) {
  switch (k) {
    case VK::None: return "NoneType";
    case VK::Bool: return "bool";
    case VK::Int: return "int";
    case VK::Float: return "float";
    case VK::Str: return "str";
    case VK::Tuple: return "tuple";
    case VK::List: return "list";
    case VK::Dict: return "dict";
    case VK::Slice: return "slice";
    case VK::Ellipsis: return "ellipsis";
    case VK::Function: return "function";
    case VK::Builtin: return "builtin function";
    case VK::BoundMethod: return "method";
    case VK::Module: return "module";
    case VK::Tensor: return "tensor";
    case VK::DType: return "dtype";
    case VK::Buffer: return "buffer";
    case VK::Op: return "operator";
    case VK::Range: return "range";
    case VK::Enum: return "enum";
    case VK::Class: return "class";
    case VK::Instance: return "object";
    case VK::Register: return "VirtualRegister";
    case VK::Array: return "numpy.ndarray";
  }
  return "?";
}

Mem mem_of(BufferKind b) {
  switch (b) {
    case BufferKind::SBUF: return Mem::SBUF;
    case BufferKind::PSUM: return Mem::PSUM;
    default: return Mem::HBM;
  }
}

const char* name_of(BufferKind b) {
  static const char* names[] = {"sbuf", "psum", "hbm", "private_hbm", "shared_hbm"};
  return names[static_cast<int>(b)];
}

Value Value::str(std::string s) {
  Value x;
  x.k = VK::Str;
  auto o = std::make_shared<StrObj>();
  o->s = std::move(s);
  x.o = std::move(o);
  return x;
}

Value Value::tuple(std::vector<Value> v) {
  Value x;
  x.k = VK::Tuple;
  auto o = std::make_shared<SeqObj>();
  o->items = std::move(v);
  x.o = std::move(o);
  return x;
}

Value Value::list(std::vector<Value> v) {
  Value x = tuple(std::move(v));
  x.k = VK::List;
  return x;
}

Value* DictObj::find(const std::string& key) {
  for (auto& [k, v] : items)
    if (k == key) return &v;
  return nullptr;
}

std::string ArrayObj::dtype_name() const {
  switch (kind) {
    case ArrayKind::Float64: return "float64";
    case ArrayKind::Int64: return "int64";
    default: return std::string(name_of(dtype));
  }
}

int64_t ArrayObj::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t RangeObj::length() const {
  if (step > 0) return start < stop ? (stop - start + step - 1) / step : 0;
  return start > stop ? (start - stop - step - 1) / (-step) : 0;
}

namespace {
std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  for (int prec = 1; prec <= 17; ++prec) {  // shortest round-trip, like Python's repr
    std::snprintf(buf, sizeof buf, "%.*g", prec, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "'";
}
}  // namespace

bool is_exception_class(const Value& cls);  // exceptions.cpp
std::string exception_text(const Value& exc);

std::string repr(const Value& v) {
  switch (v.k) {
    case VK::Str: return quote(v.as<StrObj>()->s);
    default: return to_str(v);
  }
}

std::string to_str(const Value& v) {
  switch (v.k) {
    case VK::None: return "None";
    case VK::Bool: return v.b ? "True" : "False";
    case VK::Int: return std::to_string(v.i);
    case VK::Float: return float_repr(v.f);
    case VK::Str: return v.as<StrObj>()->s;
    case VK::Tuple:
    case VK::List: {
      auto& items = v.as<SeqObj>()->items;
      std::string s = v.k == VK::Tuple ? "(" : "[";
      for (size_t i = 0; i < items.size(); ++i) s += (i ? ", " : "") + repr(items[i]);
      if (v.k == VK::Tuple && items.size() == 1) s += ",";
      return s + (v.k == VK::Tuple ? ")" : "]");
    }
    case VK::Dict: {
      std::string s = "{";
      bool first = true;
      for (auto& [k, x] : v.as<DictObj>()->items) {
        s += (first ? "" : ", ") + quote(k) + ": " + repr(x);
        first = false;
      }
      return s + "}";
    }
    case VK::Slice: {
      auto* sl = v.as<SliceObj>();
      return "slice(" + repr(sl->start) + ", " + repr(sl->stop) + ", " + repr(sl->step) + ")";
    }
    case VK::Ellipsis: return "Ellipsis";
    case VK::DType: return std::string(name_of(v.as_dtype()));
    case VK::Buffer: return name_of(v.as_buffer());
    case VK::Op: return std::string(name_of(v.as_op()));
    case VK::Range: {
      auto* r = v.as<RangeObj>();
      return r->kind + "(" + std::to_string(r->start) + ", " + std::to_string(r->stop) + ", " +
             std::to_string(r->step) + ")";
    }
    case VK::Module: return "<module '" + v.as<ModuleObj>()->name + "'>";
    case VK::Register: return "VirtualRegister(r" + std::to_string(v.as<RegisterObj>()->id) + ")";
    case VK::Class: return "<class '" + v.as<ClassObj>()->name + "'>";
    case VK::Instance: {
      auto* inst = v.as<InstanceObj>();
      auto* c = inst->cls.as<ClassObj>();
      if (is_exception_class(inst->cls)) return exception_text(v);  // str(e)
      if (c->is_enum) return c->name + "." + to_str(*inst->find("name"));
      if (c->is_dataclass) {
        std::string s = c->name + "(";
        for (size_t i = 0; i < inst->attrs.size(); ++i)
          s += (i ? ", " : "") + inst->attrs[i].first + "=" + repr(inst->attrs[i].second);
        return s + ")";
      }
      return "<" + c->name + " object>";
    }
    case VK::Enum: return v.o ? v.as<EnumObj>()->cls + "." + v.as<EnumObj>()->name : "<enum>";
    case VK::Builtin: return "<built-in function " + v.as<BuiltinObj>()->name + ">";
    case VK::Function: return "<function " + v.as<FunctionObj>()->def->name + ">";
    case VK::Array: {
      auto* a = v.as<ArrayObj>();
      std::string s = "array(shape=(";
      for (size_t i = 0; i < a->shape.size(); ++i) s += (i ? ", " : "") + std::to_string(a->shape[i]);
      if (a->shape.size() == 1) s += ",";
      return s + "), dtype=" + a->dtype_name() + ")";
    }
    case VK::Tensor: {
      auto* t = v.as<TensorObj>();
      std::string s = "tensor[";
      auto sh = t->shape();
      for (size_t i = 0; i < sh.size(); ++i) s += (i ? ", " : "") + std::to_string(sh[i]);
      return s + "] " + std::string(name_of(t->ap.dtype));
    }
    default: return std::string("<") + type_name(v.k) + ">";
  }
}

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.k == VK::Float || b.k == VK::Float) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.k != b.k) return false;
  switch (a.k) {
    case VK::None:
    case VK::Ellipsis: return true;
    case VK::Str: return a.as<StrObj>()->s == b.as<StrObj>()->s;
    case VK::Tuple:
    case VK::List: {
      auto &x = a.as<SeqObj>()->items, &y = b.as<SeqObj>()->items;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!equals(x[i], y[i])) return false;
      return true;
    }
    case VK::DType:
    case VK::Buffer:
    case VK::Op: return a.i == b.i;
    case VK::Instance: {  // NKI's specializer (before 0.7.0) compares user objects structurally (nki-spec §11.4)
      if (a.o == b.o) return true;
      auto *x = a.as<InstanceObj>(), *y = b.as<InstanceObj>();
      if (x->cls.o != y->cls.o || !x->cls.as<ClassObj>()->builtin.empty() || x->attrs.size() != y->attrs.size())
        return false;
      for (auto& [k, v] : x->attrs) {
        auto* w = const_cast<InstanceObj*>(y)->find(k);
        if (!w || !equals(v, *w)) return false;
      }
      return true;
    }
    default: return a.o == b.o;
  }
}

}  // namespace nkic::trace
