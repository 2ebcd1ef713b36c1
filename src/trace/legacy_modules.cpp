// The legacy namespace's modules (see legacy.h): `neuronxcc`, `neuronxcc.nki` (jit, and the launchers
// host code calls, which kernels never reach), `.language`, `.isa`, `.compiler`, `.typing`.
#include "trace/legacy.h"

namespace nkic::trace {

namespace {

Value module_named(const std::string& name) {
  auto m = std::make_shared<ModuleObj>();
  m->name = name;
  return Value::wrap(VK::Module, m);
}

}  // namespace

void add_legacy_modules(std::map<std::string, Value>& modules, const Value& language030, const Value& isa030) {
  Value nl = module_named("neuronxcc.nki.language"), nisa = module_named("neuronxcc.nki.isa"),
        ncc = module_named("neuronxcc.nki.compiler"), nt = module_named("neuronxcc.nki.typing"),
        nki = module_named("neuronxcc.nki"), top = module_named("neuronxcc");
  ModuleObj& l = *nl.as<ModuleObj>();
  // What Beta 1 shares with 0.3.0: dtypes, buffers, operator constants, loops, tile_size, program ids.
  for (const auto& [name, v] : language030.as<ModuleObj>()->ns)
    if (v.k != VK::Function || name.find("range") != std::string::npos || name == "program_id" ||
        name == "num_programs" || name == "program_ndim" || name == "ds" || name == "ndarray" || name == "zeros" ||
        name == "ones" || name == "full" || name == "zeros_like" || name == "empty_like" || name == "shared_constant" ||
        name == "shared_identity_matrix" || name == "device_print")
      l.ns[name] = v;
  l.name = "neuronxcc.nki.language";
  ModuleObj& i = *nisa.as<ModuleObj>();
  for (const auto& [name, v] : isa030.as<ModuleObj>()->ns)
    if (v.k != VK::Function || name == "get_nc_version") i.ns[name] = v;  // enums, constants
  add_legacy_language(l);
  add_legacy_index(l);
  add_legacy_isa(i);
  add_legacy_alloc(l, *ncc.as<ModuleObj>());
  nt.as<ModuleObj>()->ns = modules.at("nki.typing").as<ModuleObj>()->ns;
  ModuleObj& k = *nki.as<ModuleObj>();
  k.ns["language"] = nl;
  k.ns["isa"] = nisa;
  k.ns["compiler"] = ncc;
  k.ns["typing"] = nt;
  // Decorators: the kernel itself (nki.jit, with or without options; sub-kernels with mode='trace').
  k.ns["jit"] = make_builtin("neuronxcc.nki.jit", [](Interpreter& in, CallArgs& a) -> Value {
    if (a.pos.size() == 1 && a.pos[0].k == VK::Function) return a.pos[0];
    if (a.pos.empty()) return in.builtin_module("neuronxcc.nki").as<ModuleObj>()->ns["jit"];
    in.error(a.call_span, "nki.jit is only supported as a decorator of the kernel");
  });
  for (const char* n : {"baremetal", "benchmark", "profile", "trace"}) k.ns[n] = k.ns["jit"];
  top.as<ModuleObj>()->ns["nki"] = nki;
  modules["neuronxcc"] = top;
  modules["neuronxcc.nki"] = nki;
  modules["neuronxcc.nki.language"] = nl;
  modules["neuronxcc.nki.isa"] = nisa;
  modules["neuronxcc.nki.compiler"] = ncc;
  modules["neuronxcc.nki.typing"] = nt;
}

}  // namespace nkic::trace
