// Modules from files: `import helpers`, `from .utils import f`, `from ..pkg.mod import g`, resolved
// relative to the importing file (package __init__.py included). Top-level names of a loaded module are
// evaluated on demand, so host code in it never runs. A package-qualified absolute import
// (`from nkilib.core.utils.x import f`, as installed kernel libraries write them) is also looked up in the
// ancestors of the importing file's directory: the directory that holds the top-level package `nkilib/`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "trace/interpreter.h"

namespace nkic::trace {

namespace fs = std::filesystem;

namespace {

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
  std::vector<std::string> dirs;
  std::string here = dir_of(current_file()->path());
  if (level > 0) {
    fs::path base(here);
    for (int i = 1; i < level; ++i) base = base.parent_path();
    dirs.push_back(base.empty() ? "." : base.string());
  } else {
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
      std::error_code ec;
      if (fs::is_regular_file(cand, ec)) {
        Value v;
        v.k = VK::Module;
        v.o = load_module_file(cand, dotted, s)->obj;
        return v;
      }
    }
  }
  return Value::none();
}

}  // namespace nkic::trace
