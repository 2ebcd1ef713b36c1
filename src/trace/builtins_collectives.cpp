// nki.collectives in kernels: multi-rank communication. nkic simulates one NeuronCore, and NKI 0.3.0
// itself does not implement collectives, so every name is a clear error at its use.
#include "trace/interpreter.h"

namespace nkic::trace {

Value make_collectives_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.collectives";
  for (const char* n : {"ReplicaGroup", "all_reduce", "all_gather", "reduce_scatter", "all_to_all", "all_to_all_v",
                        "collective_permute", "collective_permute_implicit", "collective_permute_implicit_reduce",
                        "collective_permute_implicit_current_processing_rank_id", "rank_id"}) {
    std::string name = n;
    m->ns[name] = make_builtin("nki.collectives." + name, [name](Interpreter& in, CallArgs& a) -> Value {
      in.error(a.call_span, "nki.collectives." + name + ": collectives are multi-rank operations; nkic simulates a "
                            "single NeuronCore and does not run them (NKI 0.3.0 does not implement them either)",
               "simulate each rank's work as its own kernel, passing the data it would receive as inputs");
    });
  }
  return Value::wrap(VK::Module, m);
}

}  // namespace nkic::trace
