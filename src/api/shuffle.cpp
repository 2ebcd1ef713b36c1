// The shuffle check (issue #17, docs/checks.md "shuffle"): the kernel again with the iterations of every
// affine_range loop in a seeded random order, compared with the in-order run.
//
// The shuffled order is a new Program, not a simulator mode: the instructions are laid out in the new
// order (hardware-loop targets and dynamic operands renumbered) and allocated again, so every tile's
// live range, birth and multi-buffering reservation follow the order it actually runs in (a tile the
// original order lets share bytes with a later iteration's tile may be live across the moved blocks).
// The simulator's in-order hot path is untouched.
#include "api/shuffle.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "numerics/numerics.h"
#include "passes/allocate.h"
#include "sim/device.h"

namespace nkic::api {

namespace {

bool is_control(Opcode op) {
  return op == Opcode::Loop || op == Opcode::EndLoop || op == Opcode::While || op == Opcode::EndWhile;
}

// Per-lane random generators: their draws would follow the order, which no kernel can rely on anyway.
bool uses_rng(Opcode op) {
  switch (op) {
    case Opcode::Rng:
    case Opcode::Rand2:
    case Opcode::Dropout:
    case Opcode::SetRngSeed:
    case Opcode::RandSetState:
    case Opcode::RandGetState: return true;
    default: return false;
  }
}

uint32_t run_start(const LoopRecord& r) { return r.iter_begin.empty() ? r.end : r.iter_begin.front(); }
uint32_t block_end(const LoopRecord& r, size_t k) { return k + 1 < r.iter_begin.size() ? r.iter_begin[k + 1] : r.end; }

// One core's loops as a tree: which records run inside which iteration, and which get shuffled.
struct LoopTree {
  const Program& p;
  std::vector<int32_t> top;                             // records outside every recorded loop, by start
  std::vector<std::vector<std::vector<int32_t>>> kids;  // [record][iteration] -> records, by start
  std::vector<bool> shuffled;

  explicit LoopTree(const Program& prog) : p(prog), kids(prog.loops.size()), shuffled(prog.loops.size(), false) {
    for (size_t k = 0; k < p.loops.size(); ++k) kids[k].resize(p.loops[k].iter_begin.size());
    for (size_t k = 0; k < p.loops.size(); ++k) {
      const LoopRecord& r = p.loops[k];
      int32_t id = static_cast<int32_t>(k);
      if (r.parent < 0)
        top.push_back(id);
      else if (static_cast<size_t>(r.parent_iter) < kids[static_cast<size_t>(r.parent)].size())
        kids[static_cast<size_t>(r.parent)][static_cast<size_t>(r.parent_iter)].push_back(id);
      shuffled[k] = r.kind == LoopKind::Affine && r.iter_begin.size() >= 2 && movable(r);
    }
  }

  // Iterations that synchronize with the other core or another rank, draw random numbers, or split a
  // hardware loop keep their order.
  bool movable(const LoopRecord& r) const {
    for (size_t k = 0; k < r.iter_begin.size(); ++k) {
      uint32_t lo = r.iter_begin[k], hi = block_end(r, k);
      if (lo > hi || hi > p.instrs.size()) return false;
      for (uint32_t i = lo; i < hi; ++i) {
        const Instruction& in = p.instrs[i];
        if ((info(in.op).traits & kSync) || uses_rng(in.op)) return false;
        if (is_control(in.op) && (static_cast<uint32_t>(in.i0) < lo || static_cast<uint32_t>(in.i0) >= hi))
          return false;
      }
    }
    return true;
  }
};

// The new order of instruction indices: each shuffled loop's iteration blocks permuted (never left in
// their own order), nested loops permuted inside their block.
class Orderer {
 public:
  Orderer(const LoopTree& t, uint64_t seed) : t_(t), rng_(seed) {}
  std::vector<uint32_t> order() {
    out_.clear();
    range(0, static_cast<uint32_t>(t_.p.instrs.size()), t_.top);
    return out_;
  }

 private:
  void range(uint32_t lo, uint32_t hi, const std::vector<int32_t>& kids) {
    uint32_t i = lo;
    for (int32_t k : kids) {
      const LoopRecord& r = t_.p.loops[static_cast<size_t>(k)];
      uint32_t s = run_start(r);
      if (s < i || r.end > hi || r.end < s) continue;  // not nested as recorded: its instructions stay put
      for (; i < s; ++i) out_.push_back(i);
      run(k);
      i = r.end;
    }
    for (; i < hi; ++i) out_.push_back(i);
  }
  void run(int32_t k) {
    const LoopRecord& r = t_.p.loops[static_cast<size_t>(k)];
    std::vector<size_t> blocks(r.iter_begin.size());
    for (size_t b = 0; b < blocks.size(); ++b) blocks[b] = b;
    if (t_.shuffled[static_cast<size_t>(k)]) {
      for (size_t b = blocks.size(); b > 1; --b) std::swap(blocks[b - 1], blocks[rng_() % b]);  // Fisher-Yates
      if (std::is_sorted(blocks.begin(), blocks.end())) std::swap(blocks[0], blocks[1]);
    }
    for (size_t b : blocks) range(r.iter_begin[b], block_end(r, b), t_.kids[static_cast<size_t>(k)][b]);
  }

  const LoopTree& t_;
  std::mt19937_64 rng_;
  std::vector<uint32_t> out_;
};

// The Program laid out in `order`, allocated again; reordered accumulation groups (Reductions::restarts)
// start at their first matmul in the new order. device_print becomes a no-op (the
// in-order run has printed). Throws UserError when the new order does not fit the memories.
Program reorder(const Program& p, const std::vector<uint32_t>& order,
                const std::vector<std::pair<uint32_t, uint32_t>>& restarts, const Target& tgt) {
  const uint32_t n = static_cast<uint32_t>(p.instrs.size());
  std::vector<uint32_t> pos(n);
  for (uint32_t j = 0; j < n; ++j) pos[order[j]] = j;
  Program q = p;
  q.instrs.clear();
  int32_t scratch = q.num_registers++;
  std::vector<bool> started;
  for (uint32_t old : order) {
    Instruction in = p.instrs[old];
    if (is_control(in.op)) in.i0 = static_cast<int32_t>(pos[static_cast<size_t>(in.i0)]);
    // A reordered accumulation group starts at whichever of its matmuls runs first, not at the one the
    // program order made first (`accumulate=k > 0`).
    auto g = std::lower_bound(restarts.begin(), restarts.end(), std::make_pair(old, uint32_t{0}));
    if (g != restarts.end() && g->first == old) {
      if (g->second >= started.size()) started.resize(g->second + 1, false);
      in.i0 = static_cast<int32_t>(started[g->second] ? Accumulate::Accumulate : Accumulate::Overwrite);
      started[g->second] = true;
    }
    if (in.op == Opcode::DevicePrint) {
      in = Instruction{};
      in.op = Opcode::RegisterMove;
      in.engine = Engine::Sync;
      in.i0 = scratch;
      in.loc = p.instrs[old].loc;
    }
    q.instrs.push_back(in);
  }
  for (DynamicOperand& d : q.dynamic) d.instr = pos[d.instr];
  std::stable_sort(q.dynamic.begin(), q.dynamic.end(),
                   [](const DynamicOperand& a, const DynamicOperand& b) { return a.instr < b.instr; });
  // A declaration between instructions c - 1 and c: the earlier of the two places it can be now (only
  // hardware loops read it: a tensor declared before a loop and first used in it is born at the loop).
  for (TensorDecl& t : q.tensors)
    if (t.created_at > 0 && t.created_at < n) t.created_at = std::min(pos[t.created_at], pos[t.created_at - 1] + 1);
  q.loops.clear();
  allocate(q, tgt);
  check_placement(q, tgt);
  return q;
}

bool is_matmul(Opcode op) { return op == Opcode::NcMatmul || op == Opcode::NcMatmulMx; }

// The reductions the docs let affine_range iterations reorder: a tensor several iterations of one shuffled
// loop accumulate into (matmuls into one PSUM tile, at least one accumulating; or an in-place add).
struct Reductions {
  std::vector<int64_t> terms;  // per tensor: the iterations accumulating into it (0: none)
  // The matmuls of groups that one of them starts (accumulate=False, e.g. `accumulate=k > 0`), with their
  // group: reordered, the group starts at whichever runs first.
  std::vector<std::pair<uint32_t, uint32_t>> restarts;
};

Reductions find_reductions(const Program& p, const LoopTree& t) {
  Reductions out;
  out.terms.assign(p.tensors.size(), 0);
  int64_t groups = 0;
  auto dst_read_too = [&](const Instruction& in) {
    uint32_t dst = p.op(in, 0).tensor;
    for (size_t k = 1; k < in.num_ops; ++k)
      if (p.op(in, k).tensor == dst) return true;
    return false;
  };
  auto in_place_add = [&](const Instruction& in) {
    bool alu = in.op == Opcode::TensorTensor || in.op == Opcode::TensorScalar || in.op == Opcode::DmaCompute;
    return alu && in.num_ops > 0 && in.alu == AluOp::Add && dst_read_too(in);
  };
  for (size_t k = 0; k < p.loops.size(); ++k) {
    if (!t.shuffled[k]) continue;
    const LoopRecord& r = p.loops[k];
    std::vector<int64_t> blocks(p.tensors.size(), 0), last(p.tensors.size(), -1);
    std::vector<bool> accumulating(p.tensors.size(), false), starts(p.tensors.size(), false);
    for (size_t b = 0; b < r.iter_begin.size(); ++b)
      for (uint32_t i = r.iter_begin[b]; i < block_end(r, b); ++i) {
        const Instruction& in = p.instrs[i];
        bool mm = is_matmul(in.op);
        if (!mm && !in_place_add(in)) continue;
        uint32_t dst = p.op(in, 0).tensor;
        if (last[dst] != static_cast<int64_t>(b)) ++blocks[dst];
        last[dst] = static_cast<int64_t>(b);
        bool overwrite = mm && static_cast<Accumulate>(in.i0) == Accumulate::Overwrite;
        starts[dst] = starts[dst] || overwrite;
        accumulating[dst] = accumulating[dst] || !overwrite;
      }
    for (size_t d = 0; d < blocks.size(); ++d)
      if (blocks[d] >= 2 && accumulating[d]) out.terms[d] = std::max(out.terms[d], blocks[d]);
    std::vector<int64_t> group(p.tensors.size(), -1);
    for (uint32_t i = run_start(r); i < r.end; ++i) {
      const Instruction& in = p.instrs[i];
      if (!is_matmul(in.op)) continue;
      uint32_t dst = p.op(in, 0).tensor;
      if (blocks[dst] < 2 || !accumulating[dst] || !starts[dst]) continue;
      if (group[dst] < 0) group[dst] = groups++;
      out.restarts.push_back({i, static_cast<uint32_t>(group[dst])});
    }
  }
  std::sort(out.restarts.begin(), out.restarts.end());
  return out;
}

// Tensors whose values the shuffled order may change by rounding only: the reductions, and,
// over-approximately, every tensor computed from them. Value: the number of accumulated terms (0: compared
// bit for bit).
std::vector<int64_t> reordered_sums(const Program& p, std::vector<int64_t> terms) {
  if (std::none_of(terms.begin(), terms.end(), [](int64_t x) { return x > 0; })) return terms;
  for (int pass = 0; pass < 2; ++pass)  // twice: hardware loops carry values backwards once
    for (uint32_t i = 0; i < p.instrs.size(); ++i) {
      const Instruction& in = p.instrs[i];
      int64_t m = 0;
      for (size_t k = 0; k < in.num_ops; ++k) {
        const OperandSpec* role = role_of(in, k);
        if (!role || role->access != Access::Write) m = std::max(m, terms[p.op(in, k).tensor]);
      }
      if (m == 0) continue;
      for (size_t k = 0; k < in.num_ops; ++k) {
        const OperandSpec* role = role_of(in, k);
        if (!role || role->access != Access::Read) terms[p.op(in, k).tensor] = std::max(terms[p.op(in, k).tensor], m);
      }
    }
  return terms;
}

// Significand bits of a float dtype (its unit roundoff is 2^-(bits + 1)); -1: compare bit for bit.
int significand_bits(DType d) {
  switch (d) {
    case DType::Float32: return 23;
    case DType::TFloat32:
    case DType::Float16: return 10;
    case DType::BFloat16: return 7;
    case DType::Float8E4M3:
    case DType::Float8E4M3FN: return 3;
    case DType::Float8E5M2: return 2;
    default: return -1;
  }
}

// An element as a number (packed MX elements: their storage bits).
double value(DType d, const uint8_t* p) {
  if (is_packed(d)) {
    uint32_t bits = 0;
    std::memcpy(&bits, p, static_cast<size_t>(std::min(size_of(d), 4)));
    return bits;
  }
  return is_float(d) ? numerics::load(d, p) : static_cast<double>(numerics::load_i64(d, p));
}

std::string fmt(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string index_text(const std::vector<int64_t>& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    int64_t n = std::max<int64_t>(shape[d], 1);
    idx[d] = flat % n;
    flat /= n;
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

// An array compared: its buffers, what the check calls it, its tensor in core 0's Program.
struct Compared {
  const sim::HostBuffer* in_order;
  const sim::HostBuffer* shuffled;
  std::string what;
  uint32_t tensor;
};

// The last instruction (in program order) with a static write of element `flat` of HBM tensor `tensor`.
int64_t last_writer(const Program& p, uint32_t tensor, int64_t flat) {
  int64_t w = size_of(p.tensors[tensor].dtype);
  int64_t lo = flat * w, hi = lo + w;
  for (uint32_t i = static_cast<uint32_t>(p.instrs.size()); i-- > 0;) {
    const Instruction& in = p.instrs[i];
    if (in.flags & kDynamic) continue;
    for (size_t k = 0; k < in.num_ops; ++k) {
      const OperandSpec* role = role_of(in, k);
      APRef ap = p.op(in, k);
      if (!role || role->access == Access::Read || ap.tensor != tensor) continue;
      int64_t aw = size_of(ap.dtype), total = ap.num_elements();
      std::vector<int64_t> idx(ap.dims.size(), 0);
      for (int64_t e = 0; e < total; ++e) {
        int64_t off = ap.offset;
        for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * ap.dims[d].stride;
        if (off * aw < hi && lo < off * aw + aw) return i;
        for (size_t d = idx.size(); d-- > 0;) {
          if (++idx[d] < ap.dims[d].num) break;
          idx[d] = 0;
        }
      }
    }
  }
  return -1;
}

Location loc_of(const Program& p, uint32_t loc, std::vector<Location>* stack) {
  auto s = p.call_stack(loc);
  if (s.empty()) return {};
  Location l = s.back();
  s.pop_back();
  if (stack) *stack = std::move(s);
  return l;
}

// The finding for an array that differs at element `flat`.
Diagnostic difference(const Program& p, const LoopTree& t, const Compared& c, int64_t flat, double a, double b,
                      int64_t terms, uint64_t seed) {
  int64_t writer = last_writer(p, c.tensor, flat);
  int32_t loop = -1;  // the innermost shuffled loop around the writer
  for (size_t k = 0; k < p.loops.size(); ++k) {
    const LoopRecord& r = p.loops[k];
    if (!t.shuffled[k] || writer < run_start(r) || writer >= r.end) continue;
    if (loop < 0 ||
        r.end - run_start(r) < p.loops[static_cast<size_t>(loop)].end - run_start(p.loops[static_cast<size_t>(loop)]))
      loop = static_cast<int32_t>(k);
  }
  if (loop < 0)
    for (size_t k = 0; k < p.loops.size() && loop < 0; ++k)
      if (t.shuffled[k]) loop = static_cast<int32_t>(k);
  const TensorDecl& td = p.tensors[c.tensor];
  Diagnostic d;
  d.code = std::string(name_of(Check::Shuffle));
  d.message = c.what + " differs when the iterations of this affine_range loop run in another order (seed " +
              std::to_string(seed) + "): element " + index_text(td.shape, flat) + " is " + fmt(a) + " in order but " +
              fmt(b) + " shuffled" +
              (terms > 0 ? " (beyond the rounding of reordering a " + std::to_string(terms) + "-term fp32 sum)" : "");
  if (loop >= 0) d.loc = loc_of(p, p.loops[static_cast<size_t>(loop)].loc, &d.stack);
  d.hint =
      "an iteration depends on another one (it reads what another iteration writes, or two write the same "
      "place); use nl.sequential_range for this loop, or make the iterations independent";
  if (writer >= 0) {
    Diagnostic note = p.diagnostic_at(p.instrs[static_cast<size_t>(writer)], "the element is written here");
    note.severity = Severity::Note;
    d.notes.push_back(std::move(note));
  }
  return d;
}

}  // namespace

std::vector<Diagnostic> shuffle_check(const Kernel& kernel, const std::vector<sim::HostBuffer>& inputs,
                                      const std::vector<sim::HostBuffer>& inputs_after,
                                      const std::vector<sim::HostBuffer>& outputs, uint64_t seed) {
  const std::vector<Program>& programs = kernel.programs();
  const Program& p0 = programs.front();
  std::vector<LoopTree> trees;
  std::vector<Reductions> reductions;
  for (const Program& p : programs) {
    trees.emplace_back(p);
    reductions.push_back(find_reductions(p, trees.back()));
  }
  if (std::none_of(trees.begin(), trees.end(), [](const LoopTree& t) {
        return std::find(t.shuffled.begin(), t.shuffled.end(), true) != t.shuffled.end();
      }))
    return {};

  std::vector<Program> reordered;
  try {
    for (size_t c = 0; c < programs.size(); ++c)
      reordered.push_back(reorder(programs[c], Orderer(trees[c], seed + 0x9E3779B97F4A7C15ull * c).order(),
                                  reductions[c].restarts, kernel.target()));
  } catch (const UserError& e) {  // the new order needs more memory than the kernel's own: not checked
    Diagnostic d = e.first();
    d.severity = Severity::Warning;
    d.code = std::string(name_of(Check::Shuffle));
    d.message = "the shuffled order was not run: " + d.message;
    d.hint =
        "the affine_range iterations in another order do not fit the on-chip memories; this kernel is not "
        "checked by the shuffle check";
    d.notes.clear();
    return {d};
  }

  // The shuffled run's buffers: the original inputs; outputs holding the in-order results where the kernel
  // never reads them (elements it does not write then agree), else the sentinel (a read sees no result).
  std::vector<bool> out_read(outputs.size(), false);
  for (const Program& p : programs)
    for (const Instruction& in : p.instrs)
      for (size_t k = 0; k < in.num_ops; ++k) {
        const OperandSpec* role = role_of(in, k);
        const TensorDecl& td = p.tensors[p.op(in, k).tensor];
        if ((!role || role->access != Access::Write) && td.role == TensorRole::Output && td.io_index >= 0 &&
            static_cast<size_t>(td.io_index) < out_read.size())
          out_read[static_cast<size_t>(td.io_index)] = true;
      }
  std::vector<std::vector<uint8_t>> storage;
  std::vector<sim::HostBuffer> ins, outs;
  for (const sim::HostBuffer& b : inputs) {
    const uint8_t* s = static_cast<const uint8_t*>(b.data);
    storage.emplace_back(s, s + b.bytes);
  }
  std::vector<TensorSpec> out_specs = kernel.output_specs();
  for (size_t o = 0; o < outputs.size(); ++o) {
    const uint8_t* s = static_cast<const uint8_t*>(outputs[o].data);
    storage.emplace_back(s, s + outputs[o].bytes);
    if (out_read[o] && o < out_specs.size())
      numerics::fill_sentinel(out_specs[o].dtype, storage.back().data(),
                              outputs[o].bytes / size_of(out_specs[o].dtype));
  }
  for (size_t i = 0; i < storage.size(); ++i)
    (i < inputs.size() ? ins : outs).push_back({storage[i].data(), static_cast<int64_t>(storage[i].size())});

  std::vector<const Program*> ps;
  for (const Program& p : reordered) ps.push_back(&p);
  try {
    sim::Device dev(kernel.target(), ps, ins, outs);
    dev.run();
  } catch (const UserError& e) {
    Diagnostic d = e.first();
    d.code = std::string(name_of(Check::Shuffle));
    d.message = "with the affine_range iterations in another order (seed " + std::to_string(seed) +
                "), the kernel fails: " + d.message;
    d.hint = "an iteration depends on another one; use nl.sequential_range for the loop it is in";
    return {d};
  }

  // Compare: each input the kernel updated in place, each output that is not an input.
  std::vector<Compared> arrays;
  for (const TensorDecl& td : p0.tensors) {
    if (td.mem != Mem::HBM || td.io_index < 0) continue;
    uint32_t id = static_cast<uint32_t>(&td - p0.tensors.data());
    size_t io = static_cast<size_t>(td.io_index);
    if (td.role == TensorRole::Input && io < inputs_after.size())
      arrays.push_back({&inputs_after[io], &ins[io], "input '" + td.name + "' (updated in place)", id});
    else if (td.role == TensorRole::Output && io < outputs.size())
      arrays.push_back({&outputs[io], &outs[io], "output '" + td.name + "'", id});
  }
  std::vector<int64_t> terms = reordered_sums(p0, reductions.front().terms);
  std::vector<Diagnostic> findings;
  for (const Compared& c : arrays) {
    const TensorDecl& td = p0.tensors[c.tensor];
    const uint8_t* a = static_cast<const uint8_t*>(c.in_order->data);
    const uint8_t* b = static_cast<const uint8_t*>(c.shuffled->data);
    if (c.in_order->bytes != c.shuffled->bytes || std::memcmp(a, b, static_cast<size_t>(c.in_order->bytes)) == 0)
      continue;
    int64_t w = size_of(td.dtype), n = c.in_order->bytes / w;
    int bits = significand_bits(td.dtype);
    int64_t nt = terms[c.tensor];
    // Reordered fp32 sums of nt terms: |a - b| <= rtol * (|a| + scale), rtol covering nt fp32 roundings
    // and two roundings to the array's dtype, scale = the array's largest magnitude (cancellation).
    double rtol = 0, scale = 0;
    if (nt > 0 && bits >= 0) {
      rtol = 2.0 * static_cast<double>(nt) * std::ldexp(1.0, -24) + 2.0 * std::ldexp(1.0, -bits);
      for (int64_t e = 0; e < n; ++e) {
        double v = std::fabs(value(td.dtype, a + e * w));
        if (std::isfinite(v)) scale = std::max(scale, v);
      }
    }
    for (int64_t e = 0; e < n; ++e) {
      if (std::memcmp(a + e * w, b + e * w, static_cast<size_t>(w)) == 0) continue;
      double x = value(td.dtype, a + e * w), y = value(td.dtype, b + e * w);
      if (std::isnan(x) && std::isnan(y)) continue;
      if (rtol > 0 && std::fabs(x - y) <= rtol * (std::fabs(x) + scale)) continue;
      findings.push_back(difference(p0, trees.front(), c, e, x, y, nt, seed));
      break;
    }
  }
  return findings;
}

}  // namespace nkic::api
