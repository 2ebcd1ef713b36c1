// nki.collectives in kernels (spec §7): multi-rank communication. Each call binds its 0.3.0 signature,
// validates its operands and emits one Collective instruction that the World completes once every rank
// of the replica group reaches it (sim/world.cpp). rank_id() and the ring's processing rank are
// compile-time ints: every rank of a launch has its own specialization (nkic.simulate_ranks).
#include <algorithm>

#include "trace/interpreter.h"
#include "trace/scalars.h"

namespace nkic::trace {

namespace {

// One bound call of a collective.
struct Call {
  Interpreter& in;
  CallArgs& a;
  const std::string& name;
  const std::vector<Param>& sig;
  std::vector<Value> v;

  Span span(size_t i) const { return in.arg_span(a, sig, i); }
  [[noreturn]] void fail(size_t i, const std::string& msg, const std::string& hint = "") {
    in.error(span(i), "nki.collectives." + name + ": " + msg, hint, "validation");
  }
  size_t index(const char* p) const {
    for (size_t i = 0; i < sig.size(); ++i)
      if (std::string(sig[i].name) == p) return i;
    return 0;
  }
  const Value& arg(const char* p) const { return v[index(p)]; }

  // A list of tensors, all in HBM or all in SBUF; more than one only in HBM.
  std::vector<TensorObj*> tensors(const char* p) {
    size_t i = index(p);
    if (v[i].k != VK::List && v[i].k != VK::Tuple)
      fail(i, std::string(p) + " must be a list of tensors, not " + repr(v[i]));
    std::vector<TensorObj*> out;
    for (const Value& t : v[i].as<SeqObj>()->items) out.push_back(expect_tensor(in, t, span(i), name + " " + p));
    if (out.empty()) fail(i, std::string(p) + " is empty");
    return out;
  }
  Mem mem(const TensorObj* t) const { return in.program.tensors[t->ap.tensor].mem; }

  // The ranks of a ReplicaGroup (an object with `groups`, or the list of rank lists itself).
  std::vector<std::vector<int64_t>> groups(const char* p) {
    size_t i = index(p);
    Value g = v[i];
    if (g.k == VK::Instance)
      if (Value* f = g.as<InstanceObj>()->find("groups")) g = *f;
    if (g.k != VK::List && g.k != VK::Tuple)
      fail(i, "replica_group must be an ncc.ReplicaGroup (a list of rank lists), not " + repr(v[i]));
    std::vector<std::vector<int64_t>> out;
    std::vector<int64_t> seen;
    for (const Value& ranks : g.as<SeqObj>()->items) {
      if (ranks.k != VK::List && ranks.k != VK::Tuple)
        fail(i, "a replica group is a list of rank lists, e.g. [[0, 1, 2, 3]]");
      std::vector<int64_t> rs;
      for (const Value& r : ranks.as<SeqObj>()->items) {
        int64_t x = expect_int(in, r, span(i), "rank");
        if (x < 0 || x >= in.launch.world_size)
          fail(i,
               "the replica group names rank " + std::to_string(x) + ", but the launch has " +
                   std::to_string(in.launch.world_size) + " rank" + (in.launch.world_size == 1 ? "" : "s"),
               "launch every rank with nkic.simulate_ranks(kernel, ranks=N) (nkic run --ranks N)");
        if (std::find(seen.begin(), seen.end(), x) != seen.end())
          fail(i, "rank " + std::to_string(x) + " is in two rank lists");
        seen.push_back(x);
        rs.push_back(x);
      }
      if (rs.empty()) fail(i, "a rank list is empty");
      out.push_back(std::move(rs));
    }
    if (std::none_of(out.begin(), out.end(),
                     [&](const auto& rs) { return std::find(rs.begin(), rs.end(), in.launch.rank) != rs.end(); }))
      fail(i, "rank " + std::to_string(in.launch.rank) + " is in none of the replica group's rank lists");
    return out;
  }
  const std::vector<int64_t>& my_group(const std::vector<std::vector<int64_t>>& gs) const {
    for (const auto& g : gs)
      if (std::find(g.begin(), g.end(), in.launch.rank) != g.end()) return g;
    return gs.front();
  }

  AluOp reduce_op() {
    size_t i = index("op");
    AluOp op = v[i].k == VK::Op ? canonical(v[i].as_op()) : AluOp::Bypass;
    if (op != AluOp::Add && op != AluOp::Minimum && op != AluOp::Maximum)
      fail(i, "op must be nl.add, nl.minimum or nl.maximum, not " + repr(v[i]));
    return op;
  }

  // srcs and dsts: one memory for all, and coalescing (more than one tensor) only in HBM.
  void same_memory(const std::vector<std::vector<TensorObj*>>& lists, bool hbm_only) {
    Mem m = mem(lists.front().front());
    size_t count = 0;
    for (const auto& l : lists) {
      count = std::max(count, l.size());
      for (TensorObj* t : l)
        if (mem(t) != m) fail(0, "tensors must be all in HBM or all in SBUF, not a mix");
    }
    if (m == Mem::PSUM) fail(0, "tensors must be in HBM or SBUF, not PSUM");
    if (hbm_only && m != Mem::HBM) fail(0, "this collective works on HBM tensors only");
    if (count > 1 && m != Mem::HBM) fail(0, "more than one tensor per list (coalescing) needs HBM tensors");
  }

  void emit(CollectiveKind kind, AluOp op, const CollectiveLayout& l, const std::vector<TensorObj*>& operands) {
    std::vector<APRef> aps;
    for (TensorObj* t : operands) aps.push_back(t->ap);
    Instruction ins;
    ins.op = Opcode::Collective;
    ins.engine = default_engine(Opcode::Collective);
    ins.alu = op;
    ins.i0 = static_cast<int32_t>(kind);
    ins.loc = in.loc_here(a.call_span);
    Instruction& e = in.program.emit(ins, aps);
    in.program.set_ints(e, l.encode());
  }
};

// A prepare (NKI 0.7.0 all_*_v_prepare) waiting for its trigger: the validated collective, emitted by
// the trigger. The handle the prepare returns is this object (an nisa.NkiInstruction).
struct PreparedCollective : InstanceObj {
  std::string base;  // "all_to_all_v" / "all_gather_v"
  CollectiveKind kind = CollectiveKind::AllToAllV;
  CollectiveLayout layout;
  std::vector<TensorObj*> ops;
  std::vector<Value> args;  // keeps the operand views alive
  Span at;
  bool triggered = false;
};

// The one prepare slot of a kernel: at most one prepare waits for its trigger.
struct PrepareSlot {
  std::shared_ptr<PreparedCollective> pending;
};

int64_t ring_position(const std::vector<int64_t>& g, int64_t rank) {
  return std::find(g.begin(), g.end(), rank) - g.begin();
}

// The priority= (NKI 0.4.0) and name= (NKI 0.5.0) arguments: checked against the selected release.
void check_priority_and_name(Call& c) {
  size_t ip = c.index("priority"), in_ = c.index("name");
  auto since = [&](size_t i, trace::Release r) {
    if (c.in.launch.release && *c.in.launch.release < r)
      c.fail(i, "parameter '" + std::string(c.sig[i].name) + "' is not in NKI " +
                    std::string(name_of(*c.in.launch.release)) + ": it was added in NKI " + std::string(name_of(r)));
  };
  if (!c.v[ip].is_none()) {
    since(ip, trace::Release::V0_4);
    if (!c.v[ip].is_int() || c.v[ip].as_int() < 0 || c.v[ip].as_int() > 3)
      c.fail(ip, "priority must be None or an int from 0 (most urgent) to 3");
  }
  if (!c.v[in_].is_none()) {
    since(in_, trace::Release::V0_5);
    if (c.v[in_].k != VK::Str) c.fail(in_, "name must be None or a str");
  }
}

Value collective(Call& c, PrepareSlot& slot) {
  const bool prepare = c.name.size() > 8 && c.name.compare(c.name.size() - 8, 8, "_prepare") == 0;
  const std::string n = prepare ? c.name.substr(0, c.name.size() - 8) : c.name;
  CollectiveLayout l;
  std::vector<TensorObj*> ops;
  auto add = [&](const std::vector<TensorObj*>& ts) { ops.insert(ops.end(), ts.begin(), ts.end()); };
  auto pair_up = [&](const std::vector<TensorObj*>& s, const std::vector<TensorObj*>& d) {
    if (s.size() != d.size())
      c.fail(c.index("dsts"), "srcs and dsts must have the same number of tensors (" + std::to_string(s.size()) +
                                  " and " + std::to_string(d.size()) + ")");
  };
  AluOp op = AluOp::Bypass;
  CollectiveKind kind;
  if (n == "all_reduce" || n == "all_gather" || n == "reduce_scatter" || n == "all_to_all") {
    auto s = c.tensors("srcs"), d = c.tensors("dsts");
    pair_up(s, d);
    c.same_memory({s, d}, n == "all_to_all");
    l.groups = c.groups("replica_group");
    kind = n == "all_reduce"       ? CollectiveKind::AllReduce
           : n == "all_gather"     ? CollectiveKind::AllGather
           : n == "reduce_scatter" ? CollectiveKind::ReduceScatter
                                   : CollectiveKind::AllToAll;
    if (n == "all_reduce" || n == "reduce_scatter") op = c.reduce_op();
    if (n != "all_reduce") {
      l.collective_dim = expect_int(c.in, c.arg("collective_dim"), c.span(c.index("collective_dim")), "collective_dim");
      bool sbuf2d = c.mem(s[0]) == Mem::SBUF && s[0]->shape().size() == 2 && n == "all_gather";
      if (l.collective_dim != 0 && !(sbuf2d && l.collective_dim == 1))
        c.fail(c.index("collective_dim"), n + " concatenates or splits along dim 0" +
                                              std::string(n == "all_gather" ? " (or dim 1 of a 2-D SBUF tile)" : "") +
                                              ", not " + std::to_string(l.collective_dim));
    }
    l.num_srcs = static_cast<int64_t>(s.size());
    l.num_dsts = static_cast<int64_t>(d.size());
    add(s);
    add(d);
  } else if (n == "all_to_all_v" || n == "all_gather_v") {
    auto s = c.tensors("srcs"), d = c.tensors("dsts");
    if (s.size() != 1 || d.size() != 1) c.fail(c.index("srcs"), n + " takes exactly one src and one dst");
    c.same_memory({s, d}, n == "all_gather_v");
    l.groups = c.groups("replica_group");
    TensorObj* meta =
        expect_tensor(c.in, c.arg("metadata_tensor"), c.span(c.index("metadata_tensor")), "metadata_tensor");
    if (meta->ap.dtype != DType::UInt32 && meta->ap.dtype != DType::Int32)
      c.fail(c.index("metadata_tensor"), "metadata_tensor must be uint32, not " + std::string(name_of(meta->ap.dtype)));
    l.recv_counts_known = c.in.truthy(c.arg("recv_counts_known"), c.span(c.index("recv_counts_known")));
    l.has_rdispls = c.in.truthy(c.arg("has_rdispls"), c.span(c.index("has_rdispls")));
    l.num_srcs = l.num_dsts = 1;
    l.has_metadata = true;
    kind = n == "all_gather_v" ? CollectiveKind::AllGatherV : CollectiveKind::AllToAllV;
    add(s);
    add(d);
    ops.push_back(meta);
  } else if (n == "collective_permute") {
    auto s = c.tensors("srcs"), d = c.tensors("dsts");
    if (s.size() != 1 || d.size() != 1) c.fail(c.index("srcs"), "collective_permute takes exactly one src and one dst");
    c.same_memory({s, d}, true);
    size_t pi = c.index("source_target_pairs");
    const Value& pairs = c.arg("source_target_pairs");
    if (pairs.k != VK::List && pairs.k != VK::Tuple)
      c.fail(pi, "source_target_pairs must be a list of (source, target) ranks");
    for (const Value& p : pairs.as<SeqObj>()->items) {
      if ((p.k != VK::List && p.k != VK::Tuple) || p.as<SeqObj>()->items.size() != 2)
        c.fail(pi, "source_target_pairs must be a list of (source, target) ranks, not " + repr(p));
      int64_t a = expect_int(c.in, p.as<SeqObj>()->items[0], c.span(pi), "source rank");
      int64_t b = expect_int(c.in, p.as<SeqObj>()->items[1], c.span(pi), "target rank");
      for (int64_t r : {a, b})
        if (r < 0 || r >= c.in.launch.world_size)
          c.fail(pi, "source_target_pairs names rank " + std::to_string(r) + ", but the launch has " +
                         std::to_string(c.in.launch.world_size) + " rank" + (c.in.launch.world_size == 1 ? "" : "s"));
      l.pairs.push_back({a, b});
    }
    l.num_srcs = l.num_dsts = 1;
    kind = CollectiveKind::Permute;
    add(s);
    add(d);
  } else {  // collective_permute_implicit[_reduce]: one tensor per channel
    bool reduce = n == "collective_permute_implicit_reduce";
    auto s = c.tensors(reduce ? "srcs0_by_channel" : "srcs_by_channel"), d = c.tensors("dsts_by_channel");
    std::vector<TensorObj*> s1 = reduce ? c.tensors("srcs1_by_channel") : std::vector<TensorObj*>{};
    size_t ci = c.index("channel_ids");
    const Value& ch = c.arg("channel_ids");
    if (ch.k != VK::List && ch.k != VK::Tuple) c.fail(ci, "channel_ids must be a list of channel numbers");
    const auto& ids = ch.as<SeqObj>()->items;
    for (size_t k = 0; k < ids.size(); ++k)
      if (expect_int(c.in, ids[k], c.span(ci), "channel id") != static_cast<int64_t>(k))
        c.fail(ci, "channel_ids must be consecutive from 0, e.g. [0, 1]");
    if (ids.empty() || ids.size() > 4) c.fail(ci, "1 to 4 channels are supported, not " + std::to_string(ids.size()));
    if (s.size() != ids.size() || d.size() != ids.size() || (reduce && s1.size() != ids.size()))
      c.fail(ci, "each *_by_channel list needs one tensor per channel (" + std::to_string(ids.size()) + ")");
    std::vector<std::vector<TensorObj*>> all = {s, d};
    if (reduce) all.push_back(s1);
    for (size_t k = 0; k < ids.size(); ++k) {  // one tensor per channel: coalescing does not apply
      Mem m = c.mem(s[k]);
      for (const auto& lst : all)
        if (c.mem(lst[k]) != m || m == Mem::PSUM) c.fail(0, "tensors must be all in HBM or all in SBUF");
    }
    l.groups = c.groups("replica_group");
    if (reduce) op = c.reduce_op();
    l.num_srcs = static_cast<int64_t>(s.size());
    l.num_srcs1 = static_cast<int64_t>(s1.size());
    l.num_dsts = static_cast<int64_t>(d.size());
    kind = reduce ? CollectiveKind::PermuteImplicitReduce : CollectiveKind::PermuteImplicit;
    add(s);
    add(s1);
    add(d);
  }
  if (prepare) {  // validated now; the trigger emits it (the metadata is read then, see docs/semantics.md)
    if (slot.pending && !slot.pending->triggered)
      c.in.error(c.a.call_span,
                 "nki.collectives." + c.name + ": the prepare at line " + std::to_string(slot.pending->at.line) +
                     " has not been triggered yet (one prepare at a time)",
                 "call nki.collectives." + slot.pending->base + "_trigger(prepare_instr) first", "validation");
    auto p = std::make_shared<PreparedCollective>();
    p->base = n;
    p->kind = kind;
    p->layout = l;
    p->ops = ops;
    p->args = c.v;
    p->at = c.a.call_span;
    slot.pending = p;
    return wrap_instruction(p);
  }
  c.emit(kind, op, l, ops);
  if (n == "all_to_all_v" && !(c.in.launch.release && *c.in.launch.release < Release::V0_7))
    return instruction_handle(c.in);  // NKI 0.7.0: all_to_all_v returns an NkiInstruction
  return Value::none();
}

// all_*_v_trigger(prepare_instr, name=None): emits the collective its prepare validated.
Value trigger(Call& c, PrepareSlot& slot) {
  const std::string base = c.name.substr(0, c.name.size() - 8);  // drop "_trigger"
  const Value& h = c.arg("prepare_instr");
  auto* p = h.k == VK::Instance ? dynamic_cast<PreparedCollective*>(h.as<InstanceObj>()) : nullptr;
  if (!p) c.fail(0, "prepare_instr must be the handle nki.collectives." + base + "_prepare returned, not " + repr(h));
  if (p->base != base)
    c.fail(0, "prepare_instr comes from " + p->base + "_prepare", "use nki.collectives." + p->base + "_trigger");
  if (p->triggered)
    c.fail(0, "the prepare at line " + std::to_string(p->at.line) + " was already triggered (one trigger per prepare)");
  if (!c.v[c.index("name")].is_none() && c.v[c.index("name")].k != VK::Str) c.fail(1, "name must be None or a str");
  p->triggered = true;
  if (slot.pending.get() == p) slot.pending.reset();  // the slot is free for the next prepare
  c.emit(p->kind, AluOp::Bypass, p->layout, p->ops);
  return instruction_handle(c.in);
}

}  // namespace

Value make_collectives_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.collectives";
  const Value channel0 = Value::list({Value::integer(0)}), no = Value::boolean(false);
  // The variable-size collectives (all_to_all_v, all_gather_v and their prepare halves) take the same
  // arguments.
  const std::vector<Param> v_params = {{"srcs", true},
                                       {"dsts", true},
                                       {"replica_group", true},
                                       {"metadata_tensor", true},
                                       {"recv_counts_known", false, no},
                                       {"has_rdispls", false, no}};
  const std::vector<std::pair<const char*, std::vector<Param>>> sigs = {
      {"all_reduce", {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"op", true}}},
      {"all_gather", {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"collective_dim", true}}},
      {"reduce_scatter",
       {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"collective_dim", true}, {"op", true}}},
      {"all_to_all", {{"srcs", true}, {"dsts", true}, {"replica_group", true}, {"collective_dim", true}}},
      {"all_to_all_v", v_params},
      {"all_gather_v",  // NKI 0.6.0
       v_params},
      {"all_to_all_v_prepare",  // NKI 0.7.0 (the trigger is registered below)
       v_params},
      {"all_gather_v_prepare",  // NKI 0.7.0
       v_params},
      {"collective_permute", {{"srcs", true}, {"dsts", true}, {"source_target_pairs", true}}},
      {"collective_permute_implicit",
       {{"srcs_by_channel", true},
        {"dsts_by_channel", true},
        {"replica_group", true},
        {"channel_ids", false, channel0}}},
      {"collective_permute_implicit_reduce",
       {{"srcs0_by_channel", true},
        {"srcs1_by_channel", true},
        {"dsts_by_channel", true},
        {"replica_group", true},
        {"op", true},
        {"channel_ids", false, channel0}}},
  };
  auto slot = std::make_shared<PrepareSlot>();  // one per interpreter (the module is built per interpreter)
  for (const auto& [n, ps] : sigs) {
    std::string name = n;
    std::vector<Param> sig = ps;
    // priority (NKI 0.4.0: DMA QoS 0-3, not modelled) and name (NKI 0.5.0) on every collective.
    for (const char* extra : {"priority", "name"})
      if (std::none_of(sig.begin(), sig.end(), [&](const Param& p) { return std::string(p.name) == extra; }))
        sig.push_back({extra, false});
    m->ns[name] =
        make_builtin("nki.collectives." + name, sig, [name, sig, slot](Interpreter& in, CallArgs& a) -> Value {
          Call c{in, a, name, sig, in.bind(a, name, sig)};
          check_priority_and_name(c);
          return collective(c, *slot);
        });
  }
  for (const char* base : {"all_to_all_v", "all_gather_v"}) {
    std::string name = std::string(base) + "_trigger";
    static const std::vector<Param> trig_sig = {{"prepare_instr", true}, {"name", false}};
    m->ns[name] = make_builtin("nki.collectives." + name, trig_sig, [name, slot](Interpreter& in, CallArgs& a) {
      Call c{in, a, name, trig_sig, in.bind(a, name, trig_sig)};
      return trigger(c, *slot);
    });
  }
  // ReplicaGroup(groups): the rank lists themselves (collectives also accept a ReplicaGroup argument).
  static const std::vector<Param> rg_sig = {{"groups", true}};
  m->ns["ReplicaGroup"] = make_builtin("nki.collectives.ReplicaGroup", rg_sig, [](Interpreter& in, CallArgs& a) {
    return in.bind(a, "ReplicaGroup", rg_sig)[0];
  });
  static const std::vector<Param> rank_sig = {};
  m->ns["rank_id"] = make_builtin("nki.collectives.rank_id", rank_sig, [](Interpreter& in, CallArgs& a) {
    in.bind(a, "rank_id", rank_sig);
    return Value::integer(in.launch.rank);
  });
  // The rank whose data this rank holds after `iteration_id` steps of the ring (iteration 0: its own).
  static const std::vector<Param> cur_sig = {
      {"iteration_id", true}, {"replica_group", true}, {"channel_id", false, Value::integer(0)}};
  m->ns["collective_permute_implicit_current_processing_rank_id"] =
      make_builtin("nki.collectives.collective_permute_implicit_current_processing_rank_id", cur_sig,
                   [](Interpreter& in, CallArgs& a) {
                     static const std::string name = "collective_permute_implicit_current_processing_rank_id";
                     Call c{in, a, name, cur_sig, in.bind(a, name, cur_sig)};
                     int64_t it = expect_int(in, c.arg("iteration_id"), c.span(0), "iteration_id");
                     std::vector<std::vector<int64_t>> groups = c.groups("replica_group");
                     const std::vector<int64_t>& g = c.my_group(groups);
                     int64_t n = static_cast<int64_t>(g.size()), pos = ring_position(g, in.launch.rank);
                     return Value::integer(g[static_cast<size_t>(((pos - it) % n + n) % n)]);
                   });
  return Value::wrap(VK::Module, m);
}

}  // namespace nkic::trace
