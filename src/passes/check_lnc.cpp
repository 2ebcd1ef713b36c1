// lnc-race: under LNC2 each core runs its own Program on one shared_hbm. Two accesses of different
// cores to the same bytes, at least one writing, are ordered only by a synchronization both cores take
// part in (core_barrier, sendrecv, collectives). Both cores pass their synchronizations in the same
// order (else the run deadlocks), so the k-th synchronization of one core meets the k-th of the other:
// counting synchronizations per core (the epoch) gives each access its place, and accesses of the same
// epoch on different cores are unordered. This is the simulator's rule for its write-write warning
// (sim/device.cpp), here over every access, before running.
#include <map>
#include <set>
#include <tuple>

#include "passes/checks.h"

namespace nkic {

namespace {

struct Acc {
  int core;
  uint32_t instr, operand;
  bool write;
  bool exact;
};

// Which shared storage a tensor is, matched across cores as the simulator does: inputs and outputs by
// position, the kernel's own shared_hbm tensors in declaration order. -1: not shared.
std::vector<std::pair<int, int64_t>> storages(const Program& p) {
  std::vector<std::pair<int, int64_t>> out(p.tensors.size(), {-1, 0});
  int64_t shared = 0;
  for (size_t i = 0; i < p.tensors.size(); ++i) {
    const TensorDecl& d = p.tensors[i];
    if (d.mem != Mem::HBM) continue;
    if (d.role == TensorRole::Input) out[i] = {0, d.io_index};
    if (d.role == TensorRole::Output) out[i] = {1, d.io_index};
    if (d.role == TensorRole::Internal && !d.private_hbm && d.constant < 0) out[i] = {2, shared++};
  }
  return out;
}

}  // namespace

std::vector<Diagnostic> check_lnc(const std::vector<Program>& cores) {
  std::vector<Diagnostic> out;
  if (cores.size() < 2) return out;
  std::vector<Acc> accs;
  std::map<std::tuple<int, int64_t, uint32_t>, std::vector<Touch>> touches;  // (storage, epoch) -> touches
  std::set<std::tuple<int, int64_t, uint32_t>> written;
  for (size_t c = 0; c < cores.size(); ++c) {
    const Program& p = cores[c];
    auto store = storages(p);
    uint32_t epoch = 0;
    for (uint32_t i = 0; i < p.instrs.size(); ++i) {
      const Instruction& in = p.instrs[i];
      if (info(in.op).traits & kSync) {  // it orders what it touches itself
        ++epoch;
        continue;
      }
      for (uint32_t k = 0; k < in.num_ops; ++k) {
        const OperandSpec* role = role_of(in, k);
        APRef ap = p.op(in, k);
        auto [kind, index] = store[ap.tensor];
        if (!role || kind < 0 || ((in.flags & kDynamic) && p.is_dynamic(i, k))) continue;
        bool w = role->access != Access::Read;
        auto ranges = byte_ranges(ap, 256);
        uint32_t id = static_cast<uint32_t>(accs.size());
        accs.push_back({static_cast<int>(c), i, k, w, ranges.has_value()});
        auto key = std::tuple(kind, index, epoch);
        if (w) written.insert(key);
        auto& t = touches[key];
        if (ranges)
          for (const ByteRange& r : *ranges) t.push_back({r.first, r.second, id, w});
        else
          t.push_back({byte_bounds(ap).first, byte_bounds(ap).second, id, w});
      }
    }
  }
  std::set<std::tuple<int, uint32_t, int, uint32_t>> reported;
  for (auto& [key, t] : touches) {
    if (!written.count(key)) continue;
    for_each_conflict(t, [&](uint32_t x, uint32_t y) {
      const Acc& a0 = accs[x];
      const Acc& b0 = accs[y];
      if (a0.core == b0.core) return true;
      const Acc& a = a0.core > b0.core ? a0 : b0;  // the higher core's access first
      const Acc& b = a0.core > b0.core ? b0 : a0;
      const Program& pa = cores[static_cast<size_t>(a.core)];
      const Program& pb = cores[static_cast<size_t>(b.core)];
      const Instruction& ia = pa.instrs[a.instr];
      const Instruction& ib = pb.instrs[b.instr];
      auto rkey = std::tuple(a.core, ia.loc, b.core, ib.loc);
      if (reported.count(rkey)) return true;
      APRef ra = pa.op(ia, a.operand), rb = pb.op(ib, b.operand);
      if (!(a.exact && b.exact)) {  // compare bytes: the tensor ids differ between the cores' Programs
        APRef rb_as_a = rb;
        rb_as_a.tensor = ra.tensor;
        if (!aps_overlap(ra, rb_as_a)) return true;
      }
      reported.insert(rkey);
      std::string ca = std::to_string(a.core), cb = std::to_string(b.core);
      std::string name = pa.tensors[ra.tensor].name;
      std::string msg = std::string("core ") + ca + (a.write ? " writes" : " reads") + " shared_hbm bytes of '" + name +
                        "' that core " + cb + (b.write ? (a.write ? " also writes" : " writes") : " reads") +
                        ", with no core_barrier or sendrecv between the two";
      Diagnostic d = pa.diagnostic_at(
          ia, msg,
          "the cores run in parallel: order the two accesses with nisa.core_barrier (or exchange the data "
          "with sendrecv)");
      d.code = "lnc-race";
      Diagnostic note = pb.diagnostic_at(ib, "core " + cb + "'s " + (b.write ? "write" : "read"));
      note.severity = Severity::Note;
      note.stack.clear();
      d.notes.push_back(std::move(note));
      out.push_back(std::move(d));
      return out.size() < 100;
    });
  }
  return out;
}

}  // namespace nkic
