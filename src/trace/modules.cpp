// Modules from files: `import helpers`, `from .utils import f`, `from ..pkg.mod import g`, resolved
// relative to the importing file (package __init__.py included). Top-level names of a loaded module are
// evaluated on demand, so host code in it never runs. A package-qualified absolute import
// (`from nkilib.core.utils.x import f`, as installed kernel libraries write them) is also looked up in the
// ancestors of the importing file's directory: the directory that holds the top-level package `nkilib/`.
// Failing those, an absolute import is found the way Python finds it (Interpreter::host): a module the
// caller already imported (sys.modules: its source file), else the search path (sys.path, PYTHONPATH,
// `nkic --path`): `pkg/__init__.py`, `pkg/mod.py`, and namespace packages (directories without
// `__init__.py`), each submodule inside its parent package's directories.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "trace/interpreter.h"

namespace nkic::trace {

namespace fs = std::filesystem;

namespace {

// Top-level packages that only run on the host: never compiled from source (their import stays lazy,
// and using one of their names is the error). The standard library is left out by the caller.
const std::set<std::string> kHostOnly = {"torch",        "torchvision", "torch_xla", "torch_neuronx", "numpy",
                                         "ml_dtypes",    "jax",         "jaxlib",    "scipy",         "tensorflow",
                                         "transformers", "neuronxcc",   "nki",       "pytest",        "_pytest"};

std::string dir_of(const std::string& path) {
  fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}

std::string join(const std::string& dir, const std::string& dotted) {
  fs::path p(dir);
  std::stringstream ss(dotted);
  std::string part;
  while (std::getline(ss, part, '.'))
    if (!part.empty()) p /= part;
  return p.lexically_normal().string();
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool is_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

Value module_value(ModuleEnv* env) {
  Value v;
  v.k = VK::Module;
  v.o = env->obj;
  return v;
}

// The directories a package's submodules are found in (its __path__): the folder of its __init__.py,
// or a namespace package's portions. Empty for a plain module.
std::vector<std::string> package_dirs(const Value& module) {
  auto* m = module.as<ModuleObj>();
  if (m->env && m->env->source && fs::path(m->env->source->path()).filename() == "__init__.py")
    return {dir_of(m->env->source->path())};
  std::vector<std::string> dirs;
  if (auto it = m->ns.find("__path__"); it != m->ns.end() && it->second.k == VK::List)
    for (const Value& d : it->second.as<SeqObj>()->items)
      if (d.k == VK::Str) dirs.push_back(d.as<StrObj>()->s);
  return dirs;
}

// Python's path finder for `name` in `dirs`: in each directory a regular package (name/__init__.py),
// then a module (name.py); directories named `name` without __init__.py make a namespace package when
// no directory has either.
Value find_module(Interpreter& in, const std::vector<std::string>& dirs, const std::string& name,
                  const std::string& dotted, Span s) {
  std::vector<std::string> portions;
  for (const std::string& d : dirs) {
    fs::path base = fs::path(d) / name;
    if (is_file(base / "__init__.py"))
      return module_value(in.load_module_file((base / "__init__.py").string(), dotted, s));
    fs::path file = fs::path(d) / (name + ".py");
    if (is_file(file)) return module_value(in.load_module_file(file.string(), dotted, s));
    if (is_dir(base)) portions.push_back(base.lexically_normal().string());
  }
  if (portions.empty()) return Value::none();
  auto m = std::make_shared<ModuleObj>();
  m->name = dotted;
  std::vector<Value> path;
  for (auto& p : portions) path.push_back(Value::str(p));
  m->ns["__path__"] = Value::list(std::move(path));
  return Value::wrap(VK::Module, m);
}

// An absolute import through the caller's sys.modules, then the search path (parents first, as Python).
Value import_absolute(Interpreter& in, const std::string& dotted, Span s) {
  if (auto it = in.host.files.find(dotted); it != in.host.files.end() && is_file(it->second))
    return module_value(in.load_module_file(it->second, dotted, s));
  size_t dot = dotted.rfind('.');
  if (dot == std::string::npos) return find_module(in, in.host.paths, dotted, dotted, s);
  Value parent = in.import_file_module(dotted.substr(0, dot), 0, s);
  if (parent.k != VK::Module) return Value::none();
  std::vector<std::string> dirs = package_dirs(parent);
  return dirs.empty() ? Value::none() : find_module(in, dirs, dotted.substr(dot + 1), dotted, s);
}

}  // namespace

ModuleEnv* Interpreter::load_module_file(const std::string& path, const std::string& dotted, Span s) {
  std::string key = fs::weakly_canonical(fs::path(path)).string();
  if (auto it = file_modules_.find(key); it != file_modules_.end()) return it->second;
  std::ifstream f(path, std::ios::binary);
  if (!f) error(s, "cannot read module file '" + path + "'");
  std::stringstream text;
  text << f.rdbuf();
  ModuleEnv* env = load_module(std::make_shared<const SourceFile>(path, text.str()));
  env->obj->name = dotted;
  file_modules_[key] = env;
  return env;
}

Value Interpreter::import_file_module(const std::string& dotted, int level, Span s) {
  if (level == 0 && kHostOnly.count(dotted.substr(0, dotted.find('.')))) return Value::none();
  std::vector<std::string> dirs;
  std::string here = current_file() ? dir_of(current_file()->path()) : "";
  if (level > 0) {
    fs::path base(here);
    for (int i = 1; i < level; ++i) base = base.parent_path();
    dirs.push_back(base.empty() ? "." : base.string());
  } else if (!here.empty()) {
    dirs.push_back(here);
    if (!modules_.empty()) {
      std::string root = dir_of(modules_.front()->source->path());
      if (root != here) dirs.push_back(root);
    }
    // `pkg.mod...`: the nearest ancestor directory holding the package `pkg/__init__.py`.
    if (size_t dot = dotted.find('.'); dot != std::string::npos && dot > 0) {
      std::string top = dotted.substr(0, dot);
      std::vector<std::string> starts = {here};
      if (!modules_.empty()) starts.push_back(dir_of(modules_.front()->source->path()));
      for (const std::string& start : starts) {
        std::error_code ec;
        fs::path d = fs::absolute(fs::path(start), ec);
        if (ec) continue;
        for (; !d.empty(); d = d.parent_path()) {
          if (fs::is_regular_file(d / top / "__init__.py", ec)) {
            if (std::find(dirs.begin(), dirs.end(), d.string()) == dirs.end()) dirs.push_back(d.string());
            break;
          }
          if (d == d.parent_path()) break;
        }
      }
    }
  }
  for (const std::string& d : dirs) {
    std::string p = join(d, dotted);
    for (const std::string& cand : {p + ".py", p + "/__init__.py"}) {
      if (dotted.empty() && cand != p + "/__init__.py") continue;
      if (is_file(cand)) return module_value(load_module_file(cand, dotted, s));
    }
  }
  if (level == 0 && !dotted.empty()) return import_absolute(*this, dotted, s);
  return Value::none();
}

Value Interpreter::missing_module_attr(const Value& module, const std::string& name, Span s) {
  auto* m = module.as<ModuleObj>();
  if (std::vector<std::string> dirs = package_dirs(module); !dirs.empty()) {
    Value sub = find_module(*this, dirs, name, m->name + "." + name, s);
    if (sub.k == VK::Module) return sub;
  }
  // A module-level __getattr__ (PEP 562) answers for names the module lacks.
  Value hook = Value::of(VK::Enum);
  if (auto it = m->ns.find("__getattr__"); it != m->ns.end())
    hook = it->second;
  else if (m->env)
    hook = lookup_global(m->env, "__getattr__", s);
  if (hook.k != VK::Function && hook.k != VK::Builtin) return Value::of(VK::Enum);
  CallArgs a;
  a.pos = {Value::str(name)};
  a.pos_spans = {s};
  a.call_span = s;
  return call(hook, a);
}

}  // namespace nkic::trace
