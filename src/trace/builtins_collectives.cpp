// nki.collectives in kernels: multi-rank communication. nkic simulates one NeuronCore, and NKI 0.3.0
// itself does not implement collectives, so every name is a clear error at its use (after its
// arguments are bound to the 0.3.0 signature, so a misspelt keyword is reported as such).
#include "trace/interpreter.h"

namespace nkic::trace {

Value make_collectives_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.collectives";
  const Value channel0 = Value::list({Value::integer(0)}), no = Value::boolean(false);
  const std::vector<std::pair<const char*, std::vector<Param>>> sigs = {
      {"ReplicaGroup", {{"groups", true}}},
      {"all_reduce", {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"op", true}}},
      {"all_gather", {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"collective_dim", true}}},
      {"reduce_scatter",
       {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"collective_dim", true}, {"op", true}}},
      {"all_to_all", {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"collective_dim", true}}},
      {"all_to_all_v",
       {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"metadata_tensor", true},
        {"recv_counts_known", false, no}, {"has_rdispls", false, no}}},
      {"collective_permute", {{"srcs", true}, {"dsts", true}, {"source_target_pairs", true}}},
      {"collective_permute_implicit",
       {{"srcs_by_channel", true}, {"dsts_by_channel", true}, {"replica_group", true}, {"channel_ids", false, channel0}}},
      {"collective_permute_implicit_reduce",
       {{"srcs0_by_channel", true}, {"srcs1_by_channel", true}, {"dsts_by_channel", true}, {"replica_group", true},
        {"op", true}, {"channel_ids", false, channel0}}},
      {"collective_permute_implicit_current_processing_rank_id",
       {{"iteration_id", true}, {"replica_group", true}, {"channel_id", false, Value::integer(0)}}},
      {"rank_id", {}},
  };
  for (const auto& [n, ps] : sigs) {
    std::string name = n;
    std::vector<Param> sig = ps;
    m->ns[name] = make_builtin("nki.collectives." + name, sig, [name, sig](Interpreter& in, CallArgs& a) -> Value {
      in.bind(a, name, sig);
      in.error(a.call_span, "nki.collectives." + name + ": collectives are multi-rank operations; nkic simulates a "
                            "single NeuronCore and does not run them (NKI 0.3.0 does not implement them either)",
               "simulate each rank's work as its own kernel, passing the data it would receive as inputs");
    });
  }
  return Value::wrap(VK::Module, m);
}

}  // namespace nkic::trace
