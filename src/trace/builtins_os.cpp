// The `os` module at compile time: read-only access to the real process environment, as nki-library's
// logging helper uses it (`os.environ.get("X", default)`, `os.getenv("X")`, `"X" in os.environ`,
// `os.environ["X"]`, `os.environ.items()`). Every read is recorded in Interpreter::env_read, so the
// Python compile cache recompiles a kernel when a variable it read changes, and only then.
// Writes and the rest of `os` are errors that name what is supported.
#include <unistd.h>  // environ

#include <cstdlib>

#include "trace/interpreter.h"

namespace nkic::trace {

namespace {

const char* kSupported =
    "compile-time code can read the environment with os.environ.get(NAME, default), os.environ[NAME], "
    "NAME in os.environ, os.environ.items()/keys()/values() and os.getenv(NAME, default)";

// The one positional argument of __getitem__ / __contains__.
const Value& only_arg(Interpreter& in, CallArgs& a, const char* what) {
  if (a.pos.size() != 1 || !a.kw.empty()) in.error(a.call_span, std::string(what) + " takes one argument");
  return a.pos[0];
}

std::string expect_name(Interpreter& in, const Value& v, Span s) {
  if (v.k != VK::Str) in.error(s, std::string("environment variable names are strings, not '") + type_name(v.k) + "'");
  return v.as<StrObj>()->s;
}

// The environment: the Python caller's os.environ when it passed one (what its compile cache compares
// against), else the C environment (the CLI).
std::optional<std::string> read_var(Interpreter& in, const std::string& name) {
  std::optional<std::string> r;
  if (const auto& env = in.host.environment) {
    if (auto it = env->find(name); it != env->end()) r = it->second;
  } else if (const char* v = std::getenv(name.c_str())) {
    r = v;
  }
  in.env_read[name] = r;
  return r;
}

// The whole environment; every variable counts as read.
std::vector<std::pair<std::string, std::string>> read_all(Interpreter& in) {
  std::vector<std::pair<std::string, std::string>> out;
  if (const auto& env = in.host.environment) {
    out.assign(env->begin(), env->end());
  } else {
    for (char** e = environ; e && *e; ++e) {
      std::string kv = *e;
      size_t eq = kv.find('=');
      if (eq != std::string::npos && eq > 0) out.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
    }
  }
  for (auto& [k, v] : out) in.env_read[k] = v;
  in.env_read_all = true;
  return out;
}

// A method of os.environ: pos[0] is the environ instance itself.
Value method(const std::string& name, std::function<Value(Interpreter&, CallArgs&)> fn) {
  return make_builtin("os.environ." + name, [fn](Interpreter& in, CallArgs& a) {
    if (!a.pos.empty()) a.pos.erase(a.pos.begin());
    if (!a.pos_spans.empty()) a.pos_spans.erase(a.pos_spans.begin());
    return fn(in, a);
  });
}

[[noreturn]] void read_only(Interpreter& in, Span s, const std::string& what) {
  in.error(s, what + ": the environment is read-only in kernels", kSupported);
}

Value make_environ() {
  auto cls = std::make_shared<ClassObj>();
  cls->name = "_Environ";
  cls->builtin = "os._Environ";
  auto& ns = cls->ns;
  ns["get"] = method("get", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> params = {{"key", true}, {"default"}};
    auto v = in.bind(a, "os.environ.get", params);
    auto r = read_var(in, expect_name(in, v[0], in.arg_span(a, params, 0)));
    return r ? Value::str(*r) : v[1];
  });
  ns["__getitem__"] = method("__getitem__", [](Interpreter& in, CallArgs& a) {
    std::string name = expect_name(in, only_arg(in, a, "os.environ.__getitem__"), a.call_span);
    auto r = read_var(in, name);
    if (r) return Value::str(*r);
    // Python's KeyError, raised like a missing dict key so that try/except catches it.
    in.py_raise(a.call_span, "KeyError", "environment variable '" + name + "' is not set",
                "use os.environ.get('" + name + "', default) for a variable that may be unset", {Value::str(name)});
  });
  ns["__contains__"] = method("__contains__", [](Interpreter& in, CallArgs& a) {
    return Value::boolean(
        read_var(in, expect_name(in, only_arg(in, a, "os.environ.__contains__"), a.call_span)).has_value());
  });
  for (const char* list : {"items", "keys", "values"}) {
    std::string which = list;
    ns[list] = method(list, [which](Interpreter& in, CallArgs& a) {
      if (!a.pos.empty() || !a.kw.empty()) in.error(a.call_span, "os.environ." + which + "() takes no arguments");
      std::vector<Value> out;
      for (auto& [k, v] : read_all(in)) {
        if (which == "items")
          out.push_back(Value::tuple({Value::str(k), Value::str(v)}));
        else
          out.push_back(Value::str(which == "keys" ? k : v));
      }
      return Value::list(std::move(out));
    });
  }
  ns["__setitem__"] = method("__setitem__", [](Interpreter& in, CallArgs& a) -> Value {
    read_only(in, a.call_span, "os.environ[...] cannot be assigned");
  });
  for (const char* m : {"pop", "popitem", "setdefault", "update", "clear", "copy", "__delitem__"}) {
    std::string name = m;
    ns[m] = method(m, [name](Interpreter& in, CallArgs& a) -> Value {
      read_only(in, a.call_span, "os.environ." + name + "() is not supported");
    });
  }
  auto inst = std::make_shared<InstanceObj>();
  inst->cls = Value::wrap(VK::Class, cls);
  return Value::wrap(VK::Instance, inst);
}

}  // namespace

Value make_os_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "os";
  m->ns["environ"] = make_environ();
  m->ns["getenv"] = make_builtin("os.getenv", [](Interpreter& in, CallArgs& a) {
    static const std::vector<Param> params = {{"key", true}, {"default"}};
    auto v = in.bind(a, "os.getenv", params);
    auto r = read_var(in, expect_name(in, v[0], in.arg_span(a, params, 0)));
    return r ? Value::str(*r) : v[1];
  });
  // Anything else in os (putenv, system, path, ...): an error at the use that names what works.
  m->ns["__getattr__"] = make_builtin("os.__getattr__", [](Interpreter& in, CallArgs& a) -> Value {
    std::string name = a.pos.empty() || a.pos[0].k != VK::Str ? "?" : a.pos[0].as<StrObj>()->s;
    in.error(a.call_span, "os." + name + " is not available to kernels", kSupported);
  });
  return Value::wrap(VK::Module, m);
}

}  // namespace nkic::trace
