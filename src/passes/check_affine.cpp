// affine-dependence: an iteration of an affine_range loop touching what another iteration writes. The
// compiler may reorder and pipeline affine_range iterations, so such a kernel is only right by luck.
// Exact on the unrolled Program: tiles declared in the body are new tensors each iteration.
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "passes/checks.h"

namespace nkic {

namespace {

enum class Kind : uint8_t { Read, Write, Accumulate };

struct Acc {
  uint32_t instr;
  uint32_t operand;
  int32_t iter;
  Kind kind;
  uint32_t acc_class;  // Accumulate: opcode and ALU op; accumulations of one class commute
  bool exact;          // the touches are its exact bytes (else its bounds: re-check with aps_overlap)
};

bool same_ap(const APRef& a, const APRef& b) {
  return a.tensor == b.tensor && a.dtype == b.dtype && a.offset == b.offset &&
         std::equal(a.dims.begin(), a.dims.end(), b.dims.begin(), b.dims.end(),
                    [](const APDim& x, const APDim& y) { return x.stride == y.stride && x.num == y.num; });
}

// How instruction `in` touches its operand k; nullopt: not at all (an in-place DMA accumulation's src).
// Exempt accumulations (docs/checks.md), the associative reductions the docs let affine_range iterations
// reorder: nc_matmul/nc_matmul_mx into PSUM with accumulate None/True, and an in-place add (dst is also a
// source: tensor_tensor/tensor_scalar with op add, dma_compute with reduce_op add).
std::optional<std::pair<Kind, uint32_t>> kind_of(const Program& p, const Instruction& in, uint32_t k) {
  uint32_t cls = static_cast<uint32_t>(in.op) << 8 | static_cast<uint32_t>(in.alu);
  if (in.op == Opcode::NcMatmul || in.op == Opcode::NcMatmulMx) {
    if (k == 0)
      return std::pair{in.i0 == static_cast<int32_t>(Accumulate::Overwrite) ? Kind::Write : Kind::Accumulate, cls};
    return std::pair{Kind::Read, 0u};
  }
  if ((in.op == Opcode::DmaCompute || in.op == Opcode::TensorTensor || in.op == Opcode::TensorScalar) &&
      in.alu == AluOp::Add) {  // dst += x in place: an associative reduction
    bool in_place = false;
    for (uint32_t j = 1; j < in.num_ops; ++j) in_place = in_place || same_ap(p.op(in, 0), p.op(in, j));
    if (in_place) {
      if (k == 0) return std::pair{Kind::Accumulate, cls};
      if (same_ap(p.op(in, 0), p.op(in, k))) return std::nullopt;
    }
  }
  if (in.op == Opcode::Collective) {  // srcs, srcs1 read; dsts written; the metadata read
    CollectiveLayout l = CollectiveLayout::decode(p.ints(in));
    bool dst = k >= l.num_srcs + l.num_srcs1 && k < l.num_srcs + l.num_srcs1 + l.num_dsts;
    return std::pair{dst ? Kind::Write : Kind::Read, 0u};
  }
  const OperandSpec* role = role_of(in, k);
  if (!role) return std::nullopt;
  return std::pair{role->access == Access::Read ? Kind::Read : Kind::Write, 0u};
}

std::string verb(Kind k) { return k == Kind::Read ? "reads" : k == Kind::Write ? "writes" : "accumulates into"; }

class AffineChecker {
 public:
  explicit AffineChecker(const Program& p) : p_(p) {}

  void check_loop(const LoopRecord& loop) {
    size_t n = loop.iter_begin.size();
    if (loop.kind != LoopKind::Affine || n < 2) return;
    auto iter_end = [&](size_t k) { return k + 1 < n ? loop.iter_begin[k + 1] : loop.end; };
    // Only tensors some iteration writes and two iterations touch can carry a dependence (most tiles
    // are declared in the body: one iteration each).
    struct Use {
      int32_t first_iter;
      bool multi, written;
    };
    std::unordered_map<uint32_t, Use> uses;
    for (size_t k = 0; k < n; ++k)
      for (uint32_t i = loop.iter_begin[k]; i < iter_end(k); ++i) {
        const Instruction& in = p_.instrs[i];
        for (uint32_t j = 0; j < in.num_ops; ++j) {
          auto kind = kind_of(p_, in, j);
          if (!kind) continue;
          auto [it, fresh] = uses.try_emplace(p_.op(in, j).tensor, Use{static_cast<int32_t>(k), false, false});
          it->second.multi = it->second.multi || it->second.first_iter != static_cast<int32_t>(k);
          it->second.written = it->second.written || kind->first != Kind::Read;
        }
      }
    std::unordered_set<uint32_t> written;
    for (auto& [t, u] : uses)
      if (u.multi && u.written) written.insert(t);
    if (written.empty()) return;
    accs_.clear();
    std::unordered_map<uint32_t, std::vector<Touch>> touches;  // by tensor
    for (size_t k = 0; k < n; ++k)
      for (uint32_t i = loop.iter_begin[k]; i < iter_end(k); ++i) {
        const Instruction& in = p_.instrs[i];
        for (uint32_t j = 0; j < in.num_ops; ++j) {
          APRef ap = p_.op(in, j);
          if (!written.count(ap.tensor)) continue;
          auto kind = kind_of(p_, in, j);
          if (!kind || ((in.flags & kDynamic) && p_.is_dynamic(i, j))) continue;  // run-time offsets: skipped
          auto ranges = byte_ranges(ap, 256);
          uint32_t id = static_cast<uint32_t>(accs_.size());
          accs_.push_back({i, j, static_cast<int32_t>(k), kind->first, kind->second, ranges.has_value()});
          std::vector<Touch>& t = touches[ap.tensor];
          bool w = kind->first != Kind::Read;
          if (ranges)
            for (const ByteRange& r : *ranges) t.push_back({r.first, r.second, id, w});
          else
            t.push_back({byte_bounds(ap).first, byte_bounds(ap).second, id, w});
        }
      }
    for (auto& [tensor, t] : touches)
      for_each_conflict(t, [&](uint32_t x, uint32_t y) { return conflict(loop, accs_[x], accs_[y]); });
  }

  std::vector<Diagnostic> take() { return std::move(out_); }

 private:
  bool conflict(const LoopRecord& loop, const Acc& x, const Acc& y) {
    if (x.iter == y.iter) return true;
    if (x.kind == Kind::Accumulate && y.kind == Kind::Accumulate && x.acc_class == y.acc_class) return true;
    const Acc& later = x.iter > y.iter ? x : y;
    const Acc& earlier = x.iter > y.iter ? y : x;
    const Instruction& a = p_.instrs[later.instr];
    const Instruction& b = p_.instrs[earlier.instr];
    APRef ta = p_.op(a, later.operand), tb = p_.op(b, earlier.operand);
    const TensorDecl& t = p_.tensors[ta.tensor];
    auto key = std::tuple(a.loc, b.loc, t.loc, t.name);
    if (reported_.count(key)) return true;
    if (!(x.exact && y.exact) && !aps_overlap(ta, tb)) return true;
    reported_.insert(key);
    std::string li = std::to_string(later.iter), ei = std::to_string(earlier.iter);
    std::string line = std::to_string(p_.locs[loop.loc].loc.span.line);
    std::string msg = later.kind == Kind::Read || earlier.kind == Kind::Read
                          ? "iteration " + li + " of the affine_range loop at line " + line + " " + verb(later.kind) +
                                " elements of '" + t.name + "' that iteration " + ei + " " + verb(earlier.kind)
                          : "iterations " + ei + " and " + li + " of the affine_range loop at line " + line +
                                " both write elements of '" + t.name + "'";
    Diagnostic d = p_.diagnostic_at(
        a, msg,
        "the compiler may reorder and overlap affine_range iterations; use nl.sequential_range for this loop, "
        "or give each iteration its own tile (declare it inside the loop body)");
    d.code = "affine-dependence";
    Diagnostic note = p_.diagnostic_at(b, "iteration " + ei + " " + verb(earlier.kind) + " them here");
    note.severity = Severity::Note;
    note.stack.clear();
    d.notes.push_back(std::move(note));
    out_.push_back(std::move(d));
    return out_.size() < kMaxFindings;
  }

  static constexpr size_t kMaxFindings = 100;
  const Program& p_;
  std::vector<Acc> accs_;
  std::set<std::tuple<uint32_t, uint32_t, uint32_t, std::string>> reported_;
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> check_affine(const Program& p) {
  AffineChecker c(p);
  // Innermost loops first (they are recorded after their parents): a dependence is reported at the
  // tightest loop it crosses.
  for (size_t k = p.loops.size(); k-- > 0;) c.check_loop(p.loops[k]);
  return c.take();
}

}  // namespace nkic
