// User classes at compile time: NKIObject subclasses, @dataclass classes (synthesized __init__ and
// __post_init__), Enum subclasses, methods, bound methods and __call__.
#include "trace/interpreter.h"

namespace nkic::trace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

namespace {

Value make_class_value(std::shared_ptr<ClassObj> c) { return Value::wrap(VK::Class, std::move(c)); }

Value builtin_class(const std::string& name) {
  auto c = std::make_shared<ClassObj>();
  c->name = name;
  c->builtin = name;
  c->is_enum = name == "Enum" || name == "IntEnum";
  return make_class_value(c);
}

bool dataclass_like(const ClassObj* c) {
  if (c->is_dataclass) return true;
  for (auto& b : c->bases)
    if (b.k == VK::Class && dataclass_like(b.as<ClassObj>())) return true;
  return false;
}

bool frozen_class(const ClassObj* c) {
  if (c->frozen) return true;
  for (auto& b : c->bases)
    if (b.k == VK::Class && frozen_class(b.as<ClassObj>())) return true;
  return false;
}

void set_instance_attr(InstanceObj* inst, const std::string& name, const Value& v) {
  if (Value* old = inst->find(name))
    *old = v;
  else
    inst->attrs.push_back({name, v});
}

void collect_fields(const ClassObj* c, std::vector<std::string>& out) {
  for (auto& b : c->bases)
    if (b.k == VK::Class) collect_fields(b.as<ClassObj>(), out);
  for (auto& f : c->fields)
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
}

bool derives_from_nki_object(const ClassObj* c) {
  if (c->builtin == "NKIObject") return true;
  for (auto& b : c->bases)
    if (b.k == VK::Class && derives_from_nki_object(b.as<ClassObj>())) return true;
  return false;
}

// Unannotated class-body names (bases first), after `out`'s fields: keyword-only fields of NKIObject
// dataclasses, as NKI's compiler reads `section_idx = None` in a class body.
void collect_plain_fields(const ClassObj* c, std::vector<std::string>& out) {
  for (auto& b : c->bases)
    if (b.k == VK::Class) collect_plain_fields(b.as<ClassObj>(), out);
  for (auto& f : c->plain_fields)
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
}

// A staticmethod/classmethod wrapper: an instance of the builtin class of that name holding __func__.
const Value* method_wrapper(const Value& v, const char* kind) {
  if (v.k != VK::Instance) return nullptr;
  auto* inst = v.as<InstanceObj>();
  if (inst->cls.k != VK::Class || inst->cls.as<ClassObj>()->builtin != kind) return nullptr;
  return inst->find("__func__");
}

Value bind_method(const Value& self, const Value& fn) {
  if (fn.k != VK::Function && fn.k != VK::Builtin) return fn;
  auto bm = std::make_shared<BoundMethodObj>();
  bm->self = self;
  bm->fn = fn;
  return Value::wrap(VK::BoundMethod, bm);
}

}  // namespace

Value class_lookup(const ClassObj* c, const std::string& name) {
  if (auto it = c->ns.find(name); it != c->ns.end()) return it->second;
  for (auto& b : c->bases) {
    if (b.k != VK::Class) continue;
    Value v = class_lookup(b.as<ClassObj>(), name);
    if (v.k != VK::Enum) return v;
  }
  return Value::of(VK::Enum);
}

bool is_subclass(const Value& cls, const Value& base) {
  if (cls.k != VK::Class || base.k != VK::Class) return false;
  if (cls.o == base.o) return true;
  const ClassObj* c = cls.as<ClassObj>();
  const ClassObj* b = base.as<ClassObj>();
  if (!b->builtin.empty() && c->builtin == b->builtin) return true;
  for (auto& x : c->bases)
    if (is_subclass(x, base)) return true;
  return false;
}

Value Interpreter::define_class(const Stmt* s) {
  auto c = std::make_shared<ClassObj>();
  classes_.push_back(c);
  c->name = s->name;
  c->module = frames_.back().module;
  for (const Expr* b : s->bases) {
    Value bv = eval(b);
    if (bv.k != VK::Class)
      error(b->span, "class bases must be classes (e.g. nl.NKIObject), not '" + std::string(type_name(bv.k)) + "'");
    if (bv.as<ClassObj>()->is_enum) c->is_enum = true;
    c->bases.push_back(bv);
  }
  // The body runs in its own namespace (seeing an enclosing function's names); annotated names are the
  // dataclass fields.
  auto body = std::make_shared<Scope>();
  body->is_class = true;
  body->parent = frames_.back().scope;
  frames_.push_back({c->module, body, false});
  try {
    for (const Stmt* st : s->body) {
      if (st->kind == StmtKind::AnnAssign && st->target->kind == ExprKind::Name) c->fields.push_back(st->target->str);
      if (st->kind == StmtKind::Assign && st->targets.size() == 1 && st->targets[0]->kind == ExprKind::Name)
        c->plain_fields.push_back(st->targets[0]->str);
      exec(st);
    }
  } catch (...) {
    frames_.pop_back();
    throw;
  }
  std::map<std::string, Value> ns = std::move(body->vars);
  frames_.pop_back();
  Value cv = make_class_value(c);
  if (c->is_enum) {
    // Enum members: every plain (non-function) class attribute, in source order.
    for (const Stmt* st : s->body) {
      if (st->kind != StmtKind::Assign || st->targets.size() != 1 || st->targets[0]->kind != ExprKind::Name) continue;
      const std::string& n = st->targets[0]->str;
      if (n.rfind("_", 0) == 0) continue;
      auto m = std::make_shared<InstanceObj>();
      m->cls = cv;
      m->attrs = {{"name", Value::str(n)}, {"value", ns[n]}};
      Value mv;
      mv.k = VK::Instance;
      mv.o = m;
      ns[n] = mv;
      c->members.push_back(mv);
    }
  }
  c->ns = std::move(ns);
  for (auto it = s->decorators.rbegin(); it != s->decorators.rend(); ++it) {
    Value dec = eval(*it);
    CallArgs ca;
    ca.pos.push_back(cv);
    ca.pos_spans.push_back((*it)->span);
    ca.call_span = (*it)->span;
    cv = call(dec, ca);
  }
  return cv;
}

Value Interpreter::instantiate(const Value& cv, CallArgs& args) {
  const ClassObj* c = cv.as<ClassObj>();
  if (c->is_enum) {  // Color(1): the member with that value
    if (args.pos.size() != 1) py_raise(args.call_span, "TypeError", c->name + "() takes the member's value");
    for (auto& m : c->members)
      if (equals(*m.as<InstanceObj>()->find("value"), args.pos[0])) return m;
    py_raise(args.call_span, "ValueError", repr(args.pos[0]) + " is not a valid " + c->name);
  }
  if (is_exception_class(cv)) {
    // As BaseException.__new__: the positional arguments are .args; then __init__ (BaseException's
    // builtin one, or the class's own).
    auto obj = std::make_shared<InstanceObj>();
    obj->cls = cv;
    obj->attrs.push_back({"args", Value::tuple(args.pos)});
    Value self = Value::wrap(VK::Instance, obj);
    CallArgs a = args;
    a.pos.insert(a.pos.begin(), self);
    a.pos_spans.insert(a.pos_spans.begin(), args.call_span);
    call(class_lookup(c, "__init__"), a);
    return self;
  }
  if (c->builtin == "NKIObject" || c->builtin == "object") {
    auto obj = std::make_shared<InstanceObj>();
    obj->cls = cv;
    for (auto& [k, v] : args.kw) obj->attrs.push_back({k, v});
    return Value::wrap(VK::Instance, obj);
  }
  auto obj = std::make_shared<InstanceObj>();
  obj->cls = cv;
  Value self;
  self.k = VK::Instance;
  self.o = obj;
  Value init = class_lookup(c, "__init__");
  if (init.k == VK::Function) {
    CallArgs a = args;
    a.pos.insert(a.pos.begin(), self);
    a.pos_spans.insert(a.pos_spans.begin(), args.call_span);
    call(init, a);
  } else if (dataclass_like(c) || !c->fields.empty()) {
    std::vector<std::string> fields;
    collect_fields(c, fields);
    size_t positional = fields.size();
    bool nki_object = derives_from_nki_object(c);
    if (nki_object) collect_plain_fields(c, fields);  // keyword-only, after the annotated ones
    if (args.pos.size() > positional)
      py_raise(args.call_span, "TypeError",
               c->name + "() takes " + std::to_string(positional) + " positional arguments but " +
                   std::to_string(args.pos.size()) + " were given");
    std::vector<bool> set(fields.size(), false);
    std::vector<Value> vals(fields.size());
    for (size_t i = 0; i < args.pos.size(); ++i) {
      vals[i] = args.pos[i];
      set[i] = true;
    }
    for (size_t k = 0; k < args.kw.size(); ++k) {
      auto it = std::find(fields.begin(), fields.end(), args.kw[k].first);
      if (it == fields.end())
        py_raise(args.kw_spans[k], "TypeError",
                 c->name + "() got an unexpected keyword argument '" + args.kw[k].first + "'");
      size_t i = it - fields.begin();
      if (set[i])
        py_raise(args.kw_spans[k], "TypeError",
                 c->name + "() got multiple values for argument '" + args.kw[k].first + "'");
      vals[i] = args.kw[k].second;
      set[i] = true;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      if (!set[i]) {
        Value d = class_lookup(c, fields[i]);
        if (d.k == VK::Enum && nki_object) continue;  // NKI leaves a required field it was not given unset
        if (d.k == VK::Enum)
          py_raise(args.call_span, "TypeError", c->name + "() missing required argument '" + fields[i] + "'");
        if (d.k == VK::Instance && d.as<InstanceObj>()->cls.k == VK::Class &&
            d.as<InstanceObj>()->cls.as<ClassObj>()->builtin == "Field") {  // field(default=..., default_factory=...)
          auto* f = d.as<InstanceObj>();
          if (Value* df = f->find("default_factory")) {
            CallArgs none;
            none.call_span = args.call_span;
            d = call(*df, none);
          } else if (Value* dv = f->find("default")) {
            d = *dv;
          } else {
            py_raise(args.call_span, "TypeError", c->name + "() missing required argument '" + fields[i] + "'");
          }
        }
        vals[i] = d;
      }
      obj->attrs.push_back({fields[i], vals[i]});
    }
  } else if (!args.pos.empty() || !args.kw.empty()) {
    py_raise(args.call_span, "TypeError", c->name + "() takes no arguments");
  }
  Value post = class_lookup(c, "__post_init__");
  if (post.k == VK::Function) {
    CallArgs a;
    a.call_span = args.call_span;
    a.pos.push_back(self);
    a.pos_spans.push_back(args.call_span);
    call(post, a);
  }
  return self;
}

Value Interpreter::class_getattr(const Value& cv, const std::string& name, Span s) {
  const ClassObj* c = cv.as<ClassObj>();
  if (name == "__name__") return Value::str(c->name);
  Value v = class_lookup(c, name);
  if (v.k == VK::Enum) py_raise(s, "AttributeError", "class '" + c->name + "' has no attribute '" + name + "'");
  if (const Value* f = method_wrapper(v, "staticmethod")) return *f;
  if (const Value* f = method_wrapper(v, "classmethod")) return bind_method(cv, *f);
  return v;
}

bool Interpreter::call_dunder(const Value& obj, const char* name, std::vector<Value> args, Span s, Value& out) {
  if (class_lookup(obj.as<InstanceObj>()->cls.as<ClassObj>(), name).k == VK::Enum) return false;
  CallArgs a;
  a.pos = std::move(args);
  a.pos_spans.assign(a.pos.size(), s);
  a.call_span = s;
  out = call(instance_getattr(obj, name, s), a);
  return true;
}

Value Interpreter::instance_getattr(const Value& obj, const std::string& name, Span s) {
  auto* inst = obj.as<InstanceObj>();
  if (Value* v = inst->find(name)) return *v;
  if (name == "__class__") return inst->cls;
  const ClassObj* c = inst->cls.as<ClassObj>();
  Value v = class_lookup(c, name);
  if (v.k == VK::Enum) py_raise(s, "AttributeError", "'" + c->name + "' object has no attribute '" + name + "'");
  if (const Value* f = method_wrapper(v, "staticmethod")) return *f;
  if (const Value* f = method_wrapper(v, "classmethod")) return bind_method(inst->cls, *f);
  if (const Value* f = method_wrapper(v, "property")) {  // a built-in class's computed attribute (nl.tiles grids)
    CallArgs a;
    a.pos = {obj};
    a.pos_spans = {s};
    a.call_span = s;
    return call(*f, a);
  }
  return bind_method(obj, v);
}

void Interpreter::setattr(const Value& obj, const std::string& name, const Value& v, Span s) {
  if (obj.k != VK::Instance)
    py_raise(s, "AttributeError", std::string("cannot set attributes on a '") + type_name(obj.k) + "'");
  auto* inst = obj.as<InstanceObj>();
  const ClassObj* c = inst->cls.as<ClassObj>();
  if (c->is_enum) py_raise(s, "AttributeError", "enum members cannot be changed");
  if (frozen_class(c))  // Python: dataclasses.FrozenInstanceError
    py_raise(s, "AttributeError", "cannot assign to field '" + name + "': '" + c->name + "' is a frozen dataclass",
             "instances of @dataclass(frozen=True) classes cannot be changed after __init__; in __post_init__ use "
             "object.__setattr__(self, '" +
                 name + "', value)");
  set_instance_attr(inst, name, v);
}

void add_class_builtins(std::map<std::string, Value>& b) {
  for (const char* kind : {"staticmethod", "classmethod"}) {
    if (b.count(kind)) continue;
    Value cls = builtin_class(kind);
    std::string name = kind;
    b[kind] = make_builtin(name, [cls, name](Interpreter& in, CallArgs& a) -> Value {
      if (a.pos.size() != 1 || !a.kw.empty()) in.error(a.call_span, name + "() takes exactly one argument");
      auto w = std::make_shared<InstanceObj>();
      w->cls = cls;
      w->attrs.push_back({"__func__", a.pos[0]});
      return Value::wrap(VK::Instance, w);
    });
  }
}

Value make_dataclasses_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "dataclasses";
  auto apply = [](Interpreter& in, const Value& cls, bool frozen, Span s) {
    if (cls.k != VK::Class) in.error(s, "@dataclass applies to classes");
    auto* c = cls.as<ClassObj>();
    c->is_dataclass = true;
    c->frozen = frozen;
    return cls;
  };
  m->ns["dataclass"] = make_builtin("dataclasses.dataclass", [apply](Interpreter& in, CallArgs& a) -> Value {
    bool frozen = false;
    for (auto& [k, v] : a.kw)
      if (k == "frozen") frozen = v.k == VK::Bool && v.b;
    if (a.pos.size() == 1) return apply(in, a.pos[0], frozen, a.call_span);
    // @dataclass(frozen=True, ...): a decorator with those options.
    return make_builtin("dataclasses.dataclass", [apply, frozen](Interpreter& in, CallArgs& b) -> Value {
      if (b.pos.size() != 1) in.error(b.call_span, "@dataclass(...) decorates one class");
      return apply(in, b.pos[0], frozen, b.call_span);
    });
  });
  Value field_cls = builtin_class("Field");
  m->ns["field"] = make_builtin("dataclasses.field", [field_cls](Interpreter& in, CallArgs& a) -> Value {
    if (!a.pos.empty()) in.error(a.call_span, "field() takes keyword arguments only");
    auto f = std::make_shared<InstanceObj>();
    f->cls = field_cls;
    for (auto& [k, v] : a.kw)
      if (k == "default" || k == "default_factory") f->attrs.push_back({k, v});
    return Value::wrap(VK::Instance, f);
  });
  return Value::wrap(VK::Module, m);
}

Value make_enum_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "enum";
  m->ns["Enum"] = builtin_class("Enum");
  m->ns["IntEnum"] = builtin_class("IntEnum");
  auto counter = std::make_shared<int64_t>(0);
  m->ns["auto"] = make_builtin("enum.auto", [counter](Interpreter&, CallArgs&) { return Value::integer(++*counter); });
  return Value::wrap(VK::Module, m);
}

Value make_typing_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "typing";
  for (const char* n : {"Optional", "Union", "Tuple", "List", "Dict", "Any", "Callable", "Sequence", "Iterable",
                        "Literal", "Type", "TypeVar", "Final", "ClassVar", "TYPE_CHECKING"})
    m->ns[n] = builtin_class(std::string("typing.") + n);
  m->ns["TYPE_CHECKING"] = Value::boolean(false);
  for (const char* n : {"final", "overload", "no_type_check"})  // decorators that return what they decorate
    m->ns[n] = make_builtin(std::string("typing.") + n, [](Interpreter& in, CallArgs& a) {
      if (a.pos.size() != 1 || !a.kw.empty()) in.py_raise(a.call_span, "TypeError", "expects one argument");
      return a.pos[0];
    });
  m->ns["cast"] = make_builtin("typing.cast", [](Interpreter& in, CallArgs& a) {
    if (a.pos.size() != 2) in.py_raise(a.call_span, "TypeError", "cast() takes a type and a value");
    return a.pos[1];
  });
  return Value::wrap(VK::Module, m);
}

Value make_object_class(const std::string& name) {
  Value cls = builtin_class(name);
  if (name == "object") {
    // object.__setattr__(self, name, value): sets an attribute even on a frozen dataclass instance
    // (how frozen dataclasses initialize derived fields in __post_init__).
    cls.as<ClassObj>()->ns["__setattr__"] = make_builtin("object.__setattr__", [](Interpreter& in, CallArgs& a) {
      if (!a.kw.empty()) in.error(a.kw_spans[0], "object.__setattr__() takes no keyword arguments");
      if (a.pos.size() != 3)
        in.error(a.call_span, "object.__setattr__() takes 3 arguments (" + std::to_string(a.pos.size()) + " given)");
      if (a.pos[0].k != VK::Instance || a.pos[0].as<InstanceObj>()->cls.as<ClassObj>()->is_enum)
        in.error(a.pos_spans[0],
                 std::string("object.__setattr__() cannot set attributes on a '") + type_name(a.pos[0].k) + "'");
      if (a.pos[1].k != VK::Str) in.error(a.pos_spans[1], "attribute name must be a string");
      set_instance_attr(a.pos[0].as<InstanceObj>(), a.pos[1].as<StrObj>()->s, a.pos[2]);
      return Value::none();
    });
  }
  return cls;
}

Value make_nki_typing_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.typing";
  m->ns["tensor"] = builtin_class("nki.typing.tensor");
  return Value::wrap(VK::Module, m);
}

// nt.tensor[d0, d1, ...] or nt.tensor[[d0, d1], dtype]: a TensorType with attributes shape and dtype.
Value tensor_type(Interpreter& in, const Value& index, Span s) {
  static Value cls = builtin_class("nki.typing.TensorType");
  std::vector<Value> items = index.k == VK::Tuple ? index.as<SeqObj>()->items : std::vector<Value>{index};
  Value shape, dtype;
  if (!items.empty() && (items[0].k == VK::List || items[0].k == VK::Tuple)) {
    shape = Value::tuple(items[0].as<SeqObj>()->items);
    if (items.size() > 1) dtype = items[1];
  } else {
    std::vector<Value> dims;
    for (auto& x : items) {
      if (x.k == VK::DType)
        dtype = x;
      else if (x.is_int() || x.k == VK::Str || x.is_none())
        dims.push_back(x);
      else
        in.error(s, "nt.tensor[...] takes dimensions (ints) and optionally a dtype");
    }
    shape = Value::tuple(dims);
  }
  auto t = std::make_shared<InstanceObj>();
  t->cls = cls;
  t->attrs = {{"shape", shape}, {"dtype", dtype}};
  return Value::wrap(VK::Instance, t);
}

}  // namespace nkic::trace
