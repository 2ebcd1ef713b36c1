// Attribute access and subscripts on compile-time values: modules, tensors, lists, dicts, strings.
#include <algorithm>

#include "trace/interpreter.h"
#include "trace/legacy_tiles.h"
#include "trace/releases.h"
#include "trace/tensor_view.h"

namespace nkic::trace {

namespace {

Value method(const Value& self, std::string name, std::function<Value(Interpreter&, Value&, CallArgs&)> fn) {
  Value s = self;
  return make_builtin(std::move(name), [s, fn](Interpreter& in, CallArgs& a) mutable { return fn(in, s, a); });
}

int64_t norm_index(Interpreter& in, int64_t i, size_t n, Span s) {
  int64_t j = i < 0 ? i + static_cast<int64_t>(n) : i;
  if (j < 0 || j >= static_cast<int64_t>(n))
    in.py_raise(s, "IndexError", "index " + std::to_string(i) + " is out of range");
  return j;
}

void want_args(Interpreter& in, CallArgs& a, size_t lo, size_t hi, const std::string& name) {
  if (a.pos.size() < lo || a.pos.size() > hi || !a.kw.empty())
    in.py_raise(a.call_span, "TypeError", name + "() got the wrong number of arguments");
}

Value list_method(const Value& self, const std::string& name, Span s, Interpreter& in) {
  bool is_list = self.k == VK::List;
  auto mut = [&](const char* n) {
    if (!is_list) in.py_raise(s, "AttributeError", std::string("'tuple' object has no attribute '") + n + "'");
  };
  if (name == "append") {
    mut("append");
    return method(self, "append", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, "append");
      v.as<SeqObj>()->items.push_back(a.pos[0]);
      return Value::none();
    });
  }
  if (name == "extend") {
    mut("extend");
    return method(self, "extend", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, "extend");
      for (auto& x : in.iterate(a.pos[0], a.pos_spans[0])) v.as<SeqObj>()->items.push_back(x);
      return Value::none();
    });
  }
  if (name == "insert") {
    mut("insert");
    return method(self, "insert", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 2, 2, "insert");
      auto& items = v.as<SeqObj>()->items;
      int64_t i = expect_int(in, a.pos[0], a.pos_spans[0], "insert");
      int64_t n = static_cast<int64_t>(items.size());
      i = std::clamp<int64_t>(i < 0 ? i + n : i, 0, n);
      items.insert(items.begin() + i, a.pos[1]);
      return Value::none();
    });
  }
  if (name == "pop") {
    mut("pop");
    return method(self, "pop", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 0, 1, "pop");
      auto& items = v.as<SeqObj>()->items;
      if (items.empty()) in.py_raise(a.call_span, "IndexError", "pop from empty list");
      int64_t i = a.pos.empty() ? -1 : expect_int(in, a.pos[0], a.pos_spans[0], "pop");
      i = norm_index(in, i, items.size(), a.call_span);
      Value r = items[i];
      items.erase(items.begin() + i);
      return r;
    });
  }
  if (name == "remove") {
    mut("remove");
    return method(self, "remove", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, "remove");
      auto& items = v.as<SeqObj>()->items;
      for (size_t i = 0; i < items.size(); ++i)
        if (equals(items[i], a.pos[0])) {
          items.erase(items.begin() + i);
          return Value::none();
        }
      in.py_raise(a.call_span, "ValueError", "list.remove(x): x not in list");
    });
  }
  if (name == "clear") {
    mut("clear");
    return method(self, "clear", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 0, 0, "clear");
      v.as<SeqObj>()->items.clear();
      return Value::none();
    });
  }
  if (name == "reverse") {
    mut("reverse");
    return method(self, "reverse", [](Interpreter&, Value& v, CallArgs&) {
      auto& items = v.as<SeqObj>()->items;
      std::reverse(items.begin(), items.end());
      return Value::none();
    });
  }
  if (name == "copy") {
    mut("copy");
    return method(self, "copy", [](Interpreter&, Value& v, CallArgs&) { return Value::list(v.as<SeqObj>()->items); });
  }
  if (name == "index")
    return method(self, "index", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, "index");
      auto& items = v.as<SeqObj>()->items;
      for (size_t i = 0; i < items.size(); ++i)
        if (equals(items[i], a.pos[0])) return Value::integer(static_cast<int64_t>(i));
      in.py_raise(a.call_span, "ValueError", repr(a.pos[0]) + " is not in list");
    });
  if (name == "count")
    return method(self, "count", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, "count");
      int64_t n = 0;
      for (auto& x : v.as<SeqObj>()->items) n += equals(x, a.pos[0]);
      return Value::integer(n);
    });
  in.py_raise(s, "AttributeError", std::string("'") + type_name(self.k) + "' object has no attribute '" + name + "'");
}

Value dict_method(const Value& self, const std::string& name, Span s, Interpreter& in) {
  auto key = [](Interpreter& in, const Value& key_value, Span s) {
    Value k = dict_key(key_value);
    if (k.k != VK::Str) in.error(s, "dictionary keys must be strings in NKI kernels");
    return k.as<StrObj>()->s;
  };
  if (name == "get")
    return method(self, "get", [key](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 2, "get");
      Value* x = v.as<DictObj>()->find(key(in, a.pos[0], a.pos_spans[0]));
      return x ? *x : (a.pos.size() > 1 ? a.pos[1] : Value::none());
    });
  if (name == "keys" || name == "values" || name == "items")
    return method(self, name, [name](Interpreter&, Value& v, CallArgs&) {
      std::vector<Value> out;
      for (auto& [k, x] : v.as<DictObj>()->items) {
        if (name == "keys")
          out.push_back(Value::str(k));
        else if (name == "values")
          out.push_back(x);
        else
          out.push_back(Value::tuple({Value::str(k), x}));
      }
      return Value::list(std::move(out));
    });
  if (name == "pop")
    return method(self, "pop", [key](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 2, "pop");
      auto& items = v.as<DictObj>()->items;
      std::string k = key(in, a.pos[0], a.pos_spans[0]);
      for (size_t i = 0; i < items.size(); ++i)
        if (items[i].first == k) {
          Value r = items[i].second;
          items.erase(items.begin() + i);
          return r;
        }
      if (a.pos.size() > 1) return a.pos[1];
      in.py_raise(a.call_span, "KeyError", "key '" + k + "' is not in the dictionary", "", {Value::str(k)});
    });
  if (name == "clear")
    return method(self, "clear", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 0, 0, "clear");
      v.as<DictObj>()->items.clear();
      return Value::none();
    });
  if (name == "setdefault")
    return method(self, "setdefault", [key](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 2, "setdefault");
      std::string k = key(in, a.pos[0], a.pos_spans[0]);
      if (Value* x = v.as<DictObj>()->find(k)) return *x;
      Value d = a.pos.size() > 1 ? a.pos[1] : Value::none();
      v.as<DictObj>()->items.push_back({k, d});
      return d;
    });
  if (name == "update")
    return method(self, "update", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 0, 1, "update");
      auto* d = v.as<DictObj>();
      auto put = [&](const std::string& k, const Value& x) {
        if (Value* old = d->find(k))
          *old = x;
        else
          d->items.push_back({k, x});
      };
      if (!a.pos.empty()) {
        if (a.pos[0].k != VK::Dict) in.error(a.pos_spans[0], "update() takes a dict");
        for (auto& [k, x] : a.pos[0].as<DictObj>()->items) put(k, x);
      }
      return Value::none();
    });
  in.py_raise(s, "AttributeError", "'dict' object has no attribute '" + name + "'");
}

Value str_method(const Value& self, const std::string& name, Span s, Interpreter& in) {
  const std::string& str = self.as<StrObj>()->s;
  if (name == "upper" || name == "lower")
    return method(self, name, [name](Interpreter&, Value& v, CallArgs&) {
      std::string r = v.as<StrObj>()->s;
      for (auto& c : r) c = name == "upper" ? toupper(c) : tolower(c);
      return Value::str(r);
    });
  if (name == "startswith" || name == "endswith")
    return method(self, name, [name](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, name);
      if (a.pos[0].k != VK::Str) in.error(a.pos_spans[0], name + "() takes a string");
      const std::string &x = v.as<StrObj>()->s, &p = a.pos[0].as<StrObj>()->s;
      bool r = p.size() <= x.size() && (name == "startswith" ? x.compare(0, p.size(), p) == 0
                                                             : x.compare(x.size() - p.size(), p.size(), p) == 0);
      return Value::boolean(r);
    });
  if (name == "removeprefix" || name == "removesuffix")
    return method(self, name, [name](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, name);
      if (a.pos[0].k != VK::Str) in.py_raise(a.pos_spans[0], "TypeError", name + "() takes a string");
      const std::string &x = v.as<StrObj>()->s, &p = a.pos[0].as<StrObj>()->s;
      if (p.size() > x.size()) return Value::str(x);
      if (name == "removeprefix") return Value::str(x.compare(0, p.size(), p) == 0 ? x.substr(p.size()) : x);
      return Value::str(x.compare(x.size() - p.size(), p.size(), p) == 0 ? x.substr(0, x.size() - p.size()) : x);
    });
  if (name == "join")
    return method(self, "join", [](Interpreter& in, Value& v, CallArgs& a) {
      want_args(in, a, 1, 1, "join");
      std::string r;
      bool first = true;
      for (auto& x : in.iterate(a.pos[0], a.pos_spans[0])) {
        if (x.k != VK::Str) in.error(a.pos_spans[0], "join() takes strings");
        r += (first ? "" : v.as<StrObj>()->s) + x.as<StrObj>()->s;
        first = false;
      }
      return Value::str(r);
    });
  (void)str;
  in.py_raise(s, "AttributeError", "'str' object has no attribute '" + name + "'");
}

}  // namespace

Value Interpreter::getattr(const Value& obj, const std::string& name, Span s) {
  switch (obj.k) {
    case VK::Module: {
      auto* m = obj.as<ModuleObj>();
      if (!m->unavailable.empty())
        error(s, m->unavailable + " (the kernel uses '" + m->name + "." + name + "')",
              "kernels can use nki, nki.language, nki.isa, nki.typing, math and numpy dtypes");
      if (m->name == "nki" || m->name.rfind("nki.", 0) == 0) check_release(*this, m->name + "." + name, s);
      if (auto it = m->ns.find(name); it != m->ns.end()) return it->second;
      if (m->env) {
        Value v = lookup_global(m->env, name, s);
        if (v.k != VK::Enum) return v;
      }
      Value sub = builtin_module(m->name + "." + name);
      if (!sub.is_none()) return sub;
      sub = missing_module_attr(obj, name, s);  // a package's submodule, or the module's __getattr__
      if (sub.k != VK::Enum || sub.o) return sub;
      py_raise(s, "AttributeError", "module '" + m->name + "' has no attribute '" + name + "'");
    }
    case VK::Tensor: return tensor_attribute(*this, obj, name, s);
    case VK::Class: return class_getattr(obj, name, s);
    case VK::Instance: return instance_getattr(obj, name, s);
    case VK::Array: return array_attribute(*this, obj, name, s);
    case VK::List:
    case VK::Tuple: return list_method(obj, name, s, *this);
    case VK::Dict: return dict_method(obj, name, s, *this);
    case VK::Str: return str_method(obj, name, s, *this);
    case VK::DType:
      if (name == "itemsize") return Value::integer(size_of(obj.as_dtype()));
      if (name == "name") return Value::str(std::string(name_of(obj.as_dtype())));
      break;
    case VK::Slice: {
      auto* sl = obj.as<SliceObj>();
      if (name == "start") return sl ? sl->start : Value::none();
      if (name == "stop") return sl ? sl->stop : Value::none();
      if (name == "step") return sl ? sl->step : Value::none();
      break;
    }
    default: break;
  }
  py_raise(s, "AttributeError", std::string("'") + type_name(obj.k) + "' object has no attribute '" + name + "'");
}

Value Interpreter::subscript(const Value& obj, const Value& idx, Span s) {
  switch (obj.k) {
    case VK::Tensor: return index_tensor(*this, obj, idx, s);
    case VK::Tuple:
    case VK::List:
    case VK::Str: {
      size_t n = obj.k == VK::Str ? obj.as<StrObj>()->s.size() : obj.as<SeqObj>()->items.size();
      auto item = [&](int64_t i) {
        return obj.k == VK::Str ? Value::str(std::string(1, obj.as<StrObj>()->s[i])) : obj.as<SeqObj>()->items[i];
      };
      if (idx.is_int()) return item(norm_index(*this, idx.as_int(), n, s));
      if (idx.k == VK::Slice) {
        auto* sl = idx.as<SliceObj>();
        int64_t step = sl && !sl->step.is_none() ? expect_int(*this, sl->step, s, "slice step") : 1;
        if (step == 0) error(s, "slice step cannot be zero");
        int64_t len = static_cast<int64_t>(n);
        auto bound = [&](const Value& v, int64_t dflt) {
          if (!sl || v.is_none()) return dflt;
          int64_t b = expect_int(*this, v, s, "slice bound");
          if (b < 0) b += len;
          return step > 0 ? std::clamp<int64_t>(b, 0, len) : std::clamp<int64_t>(b, -1, len - 1);
        };
        int64_t start = bound(sl ? sl->start : Value(), step > 0 ? 0 : len - 1);
        int64_t stop = bound(sl ? sl->stop : Value(), step > 0 ? len : -1);
        std::vector<Value> items;
        std::string chars;
        for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
          if (obj.k == VK::Str)
            chars += obj.as<StrObj>()->s[i];
          else
            items.push_back(obj.as<SeqObj>()->items[i]);
        }
        if (obj.k == VK::Str) return Value::str(chars);
        return obj.k == VK::Tuple ? Value::tuple(std::move(items)) : Value::list(std::move(items));
      }
      py_raise(s, "TypeError",
               std::string(type_name(obj.k)) + " indices must be integers or slices, not " + type_name(idx.k));
    }
    case VK::Class:
      if (obj.as<ClassObj>()->builtin.rfind("typing.", 0) == 0) return obj;  // Optional[int], Tuple[...]
      if (obj.as<ClassObj>()->builtin == "nki.typing.tensor") return tensor_type(*this, idx, s);
      py_raise(s, "TypeError", "class '" + obj.as<ClassObj>()->name + "' is not subscriptable");
    case VK::Dict: {
      Value key = dict_key(idx);
      if (key.k != VK::Str) error(s, "dictionary keys must be strings in NKI kernels");
      if (Value* v = obj.as<DictObj>()->find(key.as<StrObj>()->s)) return *v;
      py_raise(s, "KeyError", "key '" + key.as<StrObj>()->s + "' is not in the dictionary", "", {idx});
    }
    case VK::Instance:  // a class with __getitem__ (os.environ)
      if (Value r; call_dunder(obj, "__getitem__", {idx}, s, r)) return r;
      [[fallthrough]];
    default: py_raise(s, "TypeError", std::string("'") + type_name(obj.k) + "' object is not subscriptable");
  }
}

void Interpreter::store_subscript(const Value& obj, const Value& idx, const Value& v, Span s) {
  if (obj.k == VK::List) {
    auto& items = obj.as<SeqObj>()->items;
    items[norm_index(*this, expect_int(*this, idx, s, "list index"), items.size(), s)] = v;
    return;
  }
  if (obj.k == VK::Dict) {
    Value key = dict_key(idx);
    if (key.k != VK::Str) error(s, "dictionary keys must be strings in NKI kernels");
    auto* d = obj.as<DictObj>();
    if (Value* old = d->find(key.as<StrObj>()->s))
      *old = v;
    else
      d->items.push_back({key.as<StrObj>()->s, v});
    return;
  }
  if (Value r; obj.k == VK::Instance && call_dunder(obj, "__setitem__", {idx, v}, s, r)) return;
  if (obj.k == VK::Tensor && legacy()) return legacy_write(*this, subscript(obj, idx, s), v, false, s);  // Beta 1
  if (obj.k == VK::Tensor)
    error(s, "assigning to a tensor element is not supported", "write tensors with nki.isa instructions (dst=...)");
  py_raise(s, "TypeError", std::string("'") + type_name(obj.k) + "' object does not support item assignment");
}

}  // namespace nkic::trace
