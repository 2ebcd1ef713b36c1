#include "api/signatures.h"

#include "trace/interpreter.h"

namespace nkic::trace {
const BuiltinObj* language_function(const std::string& name);  // builtins_language_ops.cpp
}

namespace nkic::api {

std::vector<BuiltinSignature> builtin_signatures() {
  using namespace trace;
  Program program;
  Interpreter in(program, target(kDefaultTarget));
  std::vector<BuiltinSignature> out;
  for (const char* module : {"nki.collectives", "nki.isa", "nki.language"}) {
    for (const auto& [name, v] : in.builtin_module(module).as<ModuleObj>()->ns) {  // std::map: sorted
      const BuiltinObj* b = v.k == VK::Builtin ? v.as<BuiltinObj>()
                            : v.k == VK::Op    ? language_function(name)  // nl.add is a constant and a function
                                               : nullptr;
      if (!b) continue;
      BuiltinSignature s{module, name, b->params != nullptr, {}};
      if (b->params)
        for (const Param& p : *b->params) s.params.push_back({p.name, p.required, p.required ? "" : repr(p.def)});
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace nkic::api
