// Python exceptions at compile time: the builtin exception classes, exception instances, and the
// `try` / `except` / `else` / `finally` and `raise` statements. Only PyException (a `raise`, or a builtin
// failing the way Python's does) is catchable; validation errors and nkic's limits stop compilation.
#include "trace/interpreter.h"

namespace nkic::trace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;

namespace {

// Python's hierarchy, parents first.
struct BuiltinException {
  const char* name;
  const char* base;
};
constexpr BuiltinException kBuiltinExceptions[] = {
    {"BaseException", nullptr},
    {"Exception", "BaseException"},
    {"ArithmeticError", "Exception"},
    {"ZeroDivisionError", "ArithmeticError"},
    {"OverflowError", "ArithmeticError"},
    {"FloatingPointError", "ArithmeticError"},
    {"AssertionError", "Exception"},
    {"AttributeError", "Exception"},
    {"LookupError", "Exception"},
    {"IndexError", "LookupError"},
    {"KeyError", "LookupError"},
    {"NameError", "Exception"},
    {"UnboundLocalError", "NameError"},
    {"RuntimeError", "Exception"},
    {"NotImplementedError", "RuntimeError"},
    {"RecursionError", "RuntimeError"},
    {"TypeError", "Exception"},
    {"ValueError", "Exception"},
    {"ImportError", "Exception"},
    {"ModuleNotFoundError", "ImportError"},
    {"OSError", "Exception"},
    {"FileNotFoundError", "OSError"},
    {"StopIteration", "Exception"},
    {"Warning", "Exception"},
    {"UserWarning", "Warning"},
    {"DeprecationWarning", "Warning"},
    {"KeyboardInterrupt", "BaseException"},
    {"SystemExit", "BaseException"},
};

// `cls` is the builtin class `name` or derives from it.
bool derives_from(const Value& cls, const char* name) {
  if (cls.k != VK::Class) return false;
  const ClassObj* c = cls.as<ClassObj>();
  if (c->builtin == name) return true;
  for (auto& b : c->bases)
    if (derives_from(b, name)) return true;
  return false;
}

bool is_exception(const Value& v) { return v.k == VK::Instance && is_exception_class(v.as<InstanceObj>()->cls); }

Value exception_args(const Value& exc) {
  const Value* a = exc.as<InstanceObj>()->find("args");
  return a && a->k == VK::Tuple ? *a : Value::tuple({});
}

}  // namespace

bool is_exception_class(const Value& cls) { return derives_from(cls, "BaseException"); }

// str(e): Python's BaseException.__str__ (KeyError shows its key's repr).
std::string exception_text(const Value& exc) {
  Value args = exception_args(exc);
  const auto& items = args.as<SeqObj>()->items;
  if (items.empty()) return "";
  if (items.size() > 1) return repr(args);
  return derives_from(exc.as<InstanceObj>()->cls, "KeyError") ? repr(items[0]) : to_str(items[0]);
}

void add_exception_builtins(std::map<std::string, Value>& b) {
  for (const BuiltinException& e : kBuiltinExceptions) {
    auto c = std::make_shared<ClassObj>();
    c->name = c->builtin = e.name;
    if (e.base) c->bases.push_back(b.at(e.base));
    b[e.name] = Value::wrap(VK::Class, c);
  }
  b["EnvironmentError"] = b["IOError"] = b["OSError"];
  // Exception.__init__(self, *args): what a subclass's own __init__ calls to set .args.
  b["BaseException"].as<ClassObj>()->ns["__init__"] =
      make_builtin("BaseException.__init__", [](Interpreter& in, CallArgs& a) -> Value {
        if (!a.kw.empty()) in.py_raise(a.kw_spans[0], "TypeError", "exceptions take no keyword arguments");
        if (a.pos.empty() || !is_exception(a.pos[0]))
          in.py_raise(a.call_span, "TypeError", "BaseException.__init__() takes an exception instance");
        auto* inst = a.pos[0].as<InstanceObj>();
        Value args = Value::tuple(std::vector<Value>(a.pos.begin() + 1, a.pos.end()));
        if (Value* old = inst->find("args"))
          *old = args;
        else
          inst->attrs.push_back({"args", args});
        return Value::none();
      });
}

// ---------------------------------------------------------------- raising

Value Interpreter::new_exception(const char* type, std::vector<Value> args) {
  auto obj = std::make_shared<InstanceObj>();
  obj->cls = builtins_.at(type);
  obj->attrs.push_back({"args", Value::tuple(std::move(args))});
  return Value::wrap(VK::Instance, obj);
}

void Interpreter::throw_exception(Span s, const Value& exc, const std::string& msg, const std::string& hint,
                                  const char* kind) {
  UserError e(diagnostic_here(s, msg, hint));
  e.kind = kind;
  throw PyException(std::move(e), exc);
}

void Interpreter::py_raise(Span s, const char* type, const std::string& msg, const std::string& hint,
                           std::vector<Value> args) {
  if (args.empty()) args.push_back(Value::str(msg));
  throw_exception(s, new_exception(type, std::move(args)), msg, hint);
}

void Interpreter::exec_raise(const Stmt* s) {
  if (!s->exc) {  // bare `raise`: the exception being handled, from its original site
    if (!handling_.empty()) std::rethrow_exception(handling_.back());
    py_raise(s->span, "RuntimeError", "raise reached at compile time");
  }
  const Expr* e = s->exc;
  const Expr* callee = e->kind == ExprKind::Call ? e->a : e;
  // The exception's class. A name that does not resolve (an undefined or unavailable exception type)
  // is still reported as `Name: message`, as before `try` existed.
  Value cls;
  bool resolved = true;
  if (callee->kind == ExprKind::Name || callee->kind == ExprKind::Attribute) {
    try {
      cls = eval(callee);
    } catch (const UserError&) {
      resolved = false;
    }
  }
  Value exc;
  if (resolved && e->kind == ExprKind::Call && is_exception_class(cls)) {
    CallArgs args;
    eval_call_args(e, args);
    exc = call(cls, args);
  } else if (resolved) {
    Value v = e == callee && (e->kind == ExprKind::Name || e->kind == ExprKind::Attribute) ? cls : eval(e);
    if (is_exception_class(v)) {
      CallArgs none;
      none.call_span = e->span;
      exc = call(v, none);
    } else if (is_exception(v)) {
      exc = v;
    }
  }
  if (exc.is_none()) {
    std::string msg = "raise reached at compile time";
    if (e->kind == ExprKind::Call && !e->elts.empty()) msg = to_str(eval(e->elts[0]));
    std::string type = e->kind == ExprKind::Call && e->a->kind == ExprKind::Name ? e->a->str
                       : e->kind == ExprKind::Name                               ? e->str
                                                                                 : "";
    if (!type.empty()) msg = type + ": " + msg;
    py_raise(s->span, "Exception", msg);
  }
  if (s->cause) {  // raise X from Y
    Value cause = eval(s->cause);
    auto* inst = exc.as<InstanceObj>();
    if (Value* old = inst->find("__cause__"))
      *old = cause;
    else
      inst->attrs.push_back({"__cause__", cause});
  }
  std::string text = exception_text(exc);
  throw_exception(
      s->span, exc,
      exc.as<InstanceObj>()->cls.as<ClassObj>()->name + ": " + (text.empty() ? "raise reached at compile time" : text));
}

// ---------------------------------------------------------------- try

bool Interpreter::exception_matches(const Value& exc, const Value& handler, Span s) {
  if (handler.k == VK::Tuple) {
    for (const Value& h : handler.as<SeqObj>()->items)
      if (exception_matches(exc, h, s)) return true;
    return false;
  }
  if (!is_exception_class(handler))
    py_raise(s, "TypeError", "catching classes that do not inherit from BaseException is not allowed");
  return is_subclass(exc.as<InstanceObj>()->cls, handler);
}

void Interpreter::leave_hardware_loop(const PyException& e) {
  std::vector<Diagnostic> diags = e.diagnostics();
  if (try_depth_ > 0 && diags.front().hint.empty())  // a `try` around the loop does not catch it: say why
    diags.front().hint =
        "an exception raised in the body of a hardware loop (nl.dynamic_range, `while` on a register) cannot be "
        "caught outside the loop: its body is traced once for the device";
  UserError u(std::move(diags));
  u.kind = e.kind;
  throw u;
}

// The body, then the first matching handler or the else block.
Interpreter::Flow Interpreter::exec_try_handlers(const Stmt* s) {
  std::exception_ptr caught;
  Value exc;
  Flow f = Flow::Normal;
  ++try_depth_;
  try {
    f = exec_block(s->body);
  } catch (const PyException& e) {  // every frame it left popped itself on the way out
    caught = std::current_exception();
    exc = e.exc;
  } catch (...) {
    --try_depth_;
    throw;
  }
  --try_depth_;
  if (!caught) return f == Flow::Normal ? exec_block(s->orelse) : f;
  name_hint_.clear();  // from an assignment the exception interrupted
  for (const ast::ExceptHandler& h : s->handlers) {
    if (h.type && !exception_matches(exc, eval(h.type), h.type->span)) continue;
    // While the handler runs, a bare `raise` re-raises `exc`; `except E as e` unbinds `e` afterwards.
    struct Handling {
      Interpreter& in;
      const std::string& name;
      ~Handling() {
        in.handling_.pop_back();
        if (!name.empty()) in.names_here().erase(name);
      }
    };
    handling_.push_back(caught);
    Handling done{*this, h.name};
    if (!h.name.empty()) names_here()[h.name] = exc;
    return exec_block(h.body);
  }
  std::rethrow_exception(caught);
}

Interpreter::Flow Interpreter::exec_try(const Stmt* s) {
  Flow f;
  try {
    f = exec_try_handlers(s);
  } catch (const PyException&) {
    if (s->finalbody.empty()) throw;
    // finally runs, then the exception goes on, unless finally leaves by return, break or continue.
    Flow ff = exec_block(s->finalbody);
    if (ff != Flow::Normal) return ff;
    throw;
  }
  if (s->finalbody.empty()) return f;
  Value returned = return_value_;  // calls in the finally block reset it
  Flow ff = exec_block(s->finalbody);
  if (ff != Flow::Normal) return ff;
  return_value_ = returned;
  return f;
}

}  // namespace nkic::trace
