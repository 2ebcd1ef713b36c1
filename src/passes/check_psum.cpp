// psum-group: misuse of nc_matmul accumulation groups. A group is a first matmul write that overwrites a
// PSUM location and the matmuls that then accumulate onto it; it ends when something else reads the
// result. Followed per PSUM element (per partition, as runs of bytes) in program order, as the
// simulator's accumulate=None rule does (docs/semantics.md: overwrite on the first matmul write since
// the tile's allocation, accumulate after).
#include <map>
#include <set>
#include <tuple>

#include "passes/checks.h"

namespace nkic {

namespace {

enum class Phase : uint8_t { Fresh, Open, Read, Plain };  // Plain: last written by a non-matmul

struct Cell {
  Phase phase = Phase::Fresh;
  bool mm = false;  // written by a matmul since the tile's allocation (accumulate=None accumulates)
  DType dtype = DType::Float32;
  uint32_t first = 0;   // Open/Read: the group's first matmul
  uint32_t writer = 0;  // the last write
  uint32_t read = 0;    // Read: the instruction that read the group's result
};

struct Run {
  int64_t lo, hi;
  uint32_t cell;
};

bool is_matmul(Opcode op) { return op == Opcode::NcMatmul || op == Opcode::NcMatmulMx; }

class PsumChecker {
 public:
  PsumChecker(const Program& p, int64_t bank_bytes) : p_(p), bank_bytes_(bank_bytes) { cells_.push_back({}); }

  void run() {
    size_t birth = 0;
    for (uint32_t i = 0; i < p_.instrs.size(); ++i) {
      for (; birth < p_.births.size() && p_.births[birth].first <= i; ++birth) state_.erase(p_.births[birth].second);
      const Instruction& in = p_.instrs[i];
      bool mm = is_matmul(in.op);
      for (uint32_t k = 0; k < in.num_ops; ++k) {  // reads first: an instruction reads, then writes
        const OperandSpec* role = role_of(in, k);
        if (!role || (mm && k == 0) || role->access == Access::Write) continue;
        if (psum(p_.op(in, k))) visit(p_.op(in, k), [&](uint32_t c) { return on_read(i, c); });
      }
      for (uint32_t k = 0; k < in.num_ops; ++k) {
        const OperandSpec* role = role_of(in, k);
        if (!role || role->access == Access::Read || !psum(p_.op(in, k))) continue;
        APRef ap = p_.op(in, k);
        if (mm && k == 0)
          on_matmul(i, in, ap);
        else
          visit(ap, [&](uint32_t c) { return on_write(i, ap.dtype, c); });
      }
    }
  }

  std::vector<Diagnostic> take() { return std::move(out_); }

 private:
  bool psum(const APRef& ap) const { return p_.tensors[ap.tensor].mem == Mem::PSUM; }

  // Applies f (old cell -> new cell, memoized per call) to every byte run `ap` touches.
  // Returns the smallest and end byte offsets within a partition that it touched.
  template <class F>
  ByteRange visit(const APRef& ap, F&& f) {
    const TensorDecl& d = p_.tensors[ap.tensor];
    int64_t pb = d.partition_bytes();
    ByteRange seen{pb, 0};
    if (pb <= 0) return seen;
    auto& parts = state_[ap.tensor];
    if (parts.empty()) parts.assign(static_cast<size_t>(std::max<int64_t>(d.partitions(), 1)), {{0, pb, 0}});
    auto ranges = byte_ranges(ap, size_t{1} << 16);
    if (!ranges) ranges = std::vector<ByteRange>{byte_bounds(ap)};
    std::map<uint32_t, uint32_t> memo;
    auto g = [&](uint32_t c) {
      auto [it, fresh] = memo.try_emplace(c, 0);
      if (fresh) it->second = f(c);
      return it->second;
    };
    for (const ByteRange& r : *ranges)
      for (int64_t a = r.first; a < r.second;) {
        int64_t part = a / pb, b = std::min(r.second, (part + 1) * pb);
        if (part >= static_cast<int64_t>(parts.size())) break;
        apply(parts[static_cast<size_t>(part)], a - part * pb, b - part * pb, g);
        seen = {std::min(seen.first, a - part * pb), std::max(seen.second, b - part * pb)};
        a = b;
      }
    return seen;
  }

  template <class G>
  static void apply(std::vector<Run>& runs, int64_t lo, int64_t hi, G& g) {
    std::vector<Run> out;
    out.reserve(runs.size() + 2);
    auto push = [&](Run r) {
      if (r.lo >= r.hi) return;
      if (!out.empty() && out.back().cell == r.cell && out.back().hi == r.lo)
        out.back().hi = r.hi;
      else
        out.push_back(r);
    };
    for (const Run& r : runs) {
      if (r.hi <= lo || r.lo >= hi) {
        push(r);
        continue;
      }
      push({r.lo, lo, r.cell});
      push({std::max(r.lo, lo), std::min(r.hi, hi), g(r.cell)});
      push({hi, r.hi, r.cell});
    }
    runs = std::move(out);
  }

  uint32_t add(Cell c) {
    cells_.push_back(c);
    return static_cast<uint32_t>(cells_.size() - 1);
  }

  uint32_t on_read(uint32_t i, uint32_t c) {
    Cell x = cells_[c];
    if (x.phase != Phase::Open) return c;
    x.phase = Phase::Read;
    x.read = i;
    return add(x);
  }

  uint32_t on_write(uint32_t i, DType dt, uint32_t c) {
    Cell x = cells_[c];
    x.phase = Phase::Plain;
    x.dtype = dt;
    x.writer = i;
    return add(x);
  }

  void on_matmul(uint32_t i, const Instruction& in, const APRef& ap) {
    auto mode = static_cast<Accumulate>(in.i0);
    std::optional<std::pair<uint32_t, uint32_t>> group;  // (tensor, first matmul) of the group it continues
    ByteRange cols = visit(ap, [&](uint32_t c) {
      const Cell& x = cells_[c];
      bool acc = mode == Accumulate::Accumulate || (mode == Accumulate::Auto && x.mm);
      Cell n{Phase::Open, true, ap.dtype, i, i, 0};
      if (!acc) return add(n);
      switch (x.phase) {
        case Phase::Fresh:
          report(i, std::nullopt,
                 "accumulate=True adds onto elements of PSUM tile '" + name(ap) +
                     "' that nothing wrote since its allocation (stale data)",
                 "the first matmul of an accumulation group must overwrite: pass accumulate=False (or None, "
                 "which overwrites on the first write) to it");
          break;
        case Phase::Plain: check_dtype(i, ap, x); break;
        case Phase::Open:
          check_dtype(i, ap, x);
          n.first = x.first;
          if (!group) group = std::pair{ap.tensor, x.first};
          break;
        case Phase::Read:
          if (p_.instrs[x.first].loc == in.loc) {  // the group's own code runs again: a new group
            report(i, x.read,
                   "accumulates onto the result of an earlier accumulation group in PSUM tile '" + name(ap) +
                       "' (already read at line " + line(x.read) + ") instead of starting a new group",
                   "declare the PSUM tile inside the loop (a new tile starts a new group), or pass "
                   "accumulate=False to the group's first matmul",
                   "the earlier group's result is read here");
          } else {
            n.first = x.first;
            report(x.read, i,
                   "reads PSUM tile '" + name(ap) + "' in the middle of an accumulation group: the matmul at line " +
                       line(i) + " accumulates into the same elements afterwards",
                   "read an accumulation only after its last matmul; to keep a partial sum, copy it and start "
                   "a new group (accumulate=False)",
                   "the group accumulates again here");
          }
          break;
      }
      return add(n);
    });
    check_bank(i, ap, cols, group ? *group : std::pair{ap.tensor, i}, group.has_value());
  }

  void check_dtype(uint32_t i, const APRef& ap, const Cell& x) {
    if (x.dtype == ap.dtype) return;
    report(i, x.writer,
           "accumulates into PSUM tile '" + name(ap) + "' as " + std::string(name_of(ap.dtype)) +
               ", but its elements were last written as " + std::string(name_of(x.dtype)),
           "accumulate with the dtype the group started with, or start a new group (accumulate=False)",
           "last written here");
  }

  // Two groups interleaved in one bank: the bank is written by another group between two matmuls of
  // this one.
  void check_bank(uint32_t i, const APRef& ap, ByteRange cols, std::pair<uint32_t, uint32_t> group, bool continues) {
    const TensorDecl& d = p_.tensors[ap.tensor];
    if (d.byte_offset < 0 || bank_bytes_ <= 0 || cols.first >= cols.second) return;
    for (int64_t bank = (d.byte_offset + cols.first) / bank_bytes_;
         bank <= (d.byte_offset + cols.second - 1) / bank_bytes_; ++bank) {
      auto& slot = banks_[bank];
      if (continues && slot.second && slot.first != group)
        report(i, slot.second - 1,
               "continues an accumulation group in PSUM bank " + std::to_string(bank) + " ('" + name(ap) +
                   "') after another group in the same bank started (interleaved groups)",
               "a bank holds one accumulation group in flight: finish one group (read its result) before the "
               "next starts, or put the groups in different PSUM tiles",
               "the other group writes the bank here");
      slot = {group, i + 1};
    }
  }

  std::string name(const APRef& ap) const { return p_.tensors[ap.tensor].name; }
  std::string line(uint32_t i) const { return std::to_string(p_.call_stack(p_.instrs[i].loc).back().span.line); }

  void report(uint32_t at, std::optional<uint32_t> other, const std::string& msg, const std::string& hint,
              const std::string& note_msg = "") {
    const Instruction& in = p_.instrs[at];
    auto key = std::tuple(in.loc, other ? p_.instrs[*other].loc : ~0u, msg.substr(0, 24));
    if (!reported_.insert(key).second || out_.size() >= 100) return;
    Diagnostic d = p_.diagnostic_at(in, msg, hint);
    d.code = "psum-group";
    if (other) {
      Diagnostic n = p_.diagnostic_at(p_.instrs[*other], note_msg);
      n.severity = Severity::Note;
      n.stack.clear();
      d.notes.push_back(std::move(n));
    }
    out_.push_back(std::move(d));
  }

  const Program& p_;
  int64_t bank_bytes_;
  std::vector<Cell> cells_;                                                      // cells_[0]: Fresh
  std::map<uint32_t, std::vector<std::vector<Run>>> state_;                      // tensor -> per partition
  std::map<int64_t, std::pair<std::pair<uint32_t, uint32_t>, uint32_t>> banks_;  // bank -> (group, instr + 1)
  std::set<std::tuple<uint32_t, uint32_t, std::string>> reported_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> check_psum(const Program& p, int64_t bank_bytes) {
  PsumChecker c(p, bank_bytes);
  c.run();
  return c.take();
}

}  // namespace nkic
