// First-fit allocation over live ranges, in two dimensions: a tensor occupies a partition range x a
// byte range. A tensor spanning n partitions may start at partition 0 (64 < n <= 128), 0 or 64
// (32 < n <= 64), or 0/32/64/96 (n <= 32); the allocator tries each legal start and takes the lowest
// byte offset (then the lowest start), so small-partition tiles share byte ranges in other quadrants.
// Operands of instructions with per-lane state (accumulators, RNGs) stay at partition 0.
// PSUM tensors start on a bank boundary so a matmul output stays inside one bank. Tensors placed with
// `address=` are obstacles for the whole of their live range; two of them overlapping is an error.
// Multi-buffering: a tile one declaration in a loop body makes keeps its place reserved while that
// declaration's next kBuffers - 1 tiles are born, so iteration i + 1 loads while iteration i computes,
// as the compiler's allocator arranges. Double buffering comes first: a tensor that does not fit around
// every reservation may take a place reserved beyond the next tile (deeper buffering of another
// declaration), then, if it still does not fit, any reserved place (only live tensors are in the way).
#include "passes/allocate.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

#include "support/diagnostic.h"

namespace nkic {

namespace {

struct Live {
  uint32_t tensor;
  uint32_t first, last;
};

struct Block {
  int64_t begin, end;    // bytes per partition
  int32_t p0, p1;        // partitions [p0, p1)
  uint32_t first, last;  // live range (instructions); `last` includes a multi-buffering reservation
  uint32_t tensor;
  uint32_t live_last = UINT32_MAX;    // the true end of the live range
  uint32_t double_last = UINT32_MAX;  // the end of its reservation for double buffering
  bool overlaps(int32_t q0, int32_t q1) const { return p0 < q1 && q0 < p1; }
};

int64_t align_up(int64_t x, int64_t a) { return (x + a - 1) / a * a; }

Location decl_loc(const Program& p, const TensorDecl& t) {
  return t.loc < p.locs.size() ? p.locs[t.loc].loc : Location{};
}

std::string line_of(const Program& p, const TensorDecl& t) {
  return t.loc < p.locs.size() ? ", line " + std::to_string(p.locs[t.loc].loc.span.line) : "";
}

[[noreturn]] void capacity_error(const Program& p, const TensorDecl& t, int64_t need, int64_t cap,
                                 const std::vector<Block>& live) {
  // The tensors in the partitions the tensor would need when placed at partition 0.
  std::vector<Block> sorted;
  int32_t n = static_cast<int32_t>(t.partitions());
  for (auto& b : live)
    if (b.overlaps(0, n)) sorted.push_back(b);
  std::ostringstream msg;
  msg << name_of(t.mem) << " capacity exceeded: tensor '" << t.name << "' needs " << need
      << " bytes per partition, but live tensors already use " <<
      [&] {
        int64_t s = 0;
        for (auto& b : sorted) s += b.end - b.begin;
        return s;
      }()
      << " of the " << cap << " usable bytes";
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Block& a, const Block& b) { return a.end - a.begin > b.end - b.begin; });
  std::ostringstream hint;
  hint << "the largest live tensors are:";
  for (size_t i = 0; i < sorted.size() && i < 5; ++i) {
    const TensorDecl& o = p.tensors[sorted[i].tensor];
    hint << " '" << o.name << "' (" << (sorted[i].end - sorted[i].begin) << " B" << line_of(p, o) << ")"
         << (i + 1 < sorted.size() && i < 4 ? "," : "");
  }
  hint << "; allocate tensors inside the loop that uses them, or use smaller tiles";
  Diagnostic d;
  d.loc = decl_loc(p, t);
  d.message = msg.str();
  d.hint = hint.str();
  throw UserError(std::move(d));
}

[[noreturn]] void overlap_error(const Program& p, const TensorDecl& t, const TensorDecl& o) {
  Diagnostic d;
  d.loc = decl_loc(p, t);
  d.message = "tensor '" + t.name + "' at address=(" + std::to_string(t.start_partition) + ", " +
              std::to_string(t.byte_offset) + ") overlaps tensor '" + o.name + "' at address=(" +
              std::to_string(o.start_partition) + ", " + std::to_string(o.byte_offset) +
              "), which is live at the same time";
  d.hint = "give simultaneously live tensors disjoint partition or byte ranges";
  Diagnostic note;
  note.severity = Severity::Note;
  note.loc = decl_loc(p, o);
  note.message = "'" + o.name + "' is declared here";
  d.notes.push_back(std::move(note));
  UserError e(std::move(d));
  e.kind = "validation";
  throw e;
}

// Legacy direct allocation (ncc.sbuf/psum allocators, TensorDecl::da_decl): two logical tiles at
// overlapping addresses while both are live, in the direct-allocation guide's terms. `first` is the
// instruction where `t` comes to life: the error is reported there.
[[noreturn]] void lifetime_error(const Program& p, const TensorDecl& t, const TensorDecl& o, uint32_t first,
                                 int64_t bank_bytes) {
  auto base = [](const TensorDecl& d) { return d.name.substr(0, d.name.find('[')); };
  auto where = [](const TensorDecl& d) {
    return "partition " + std::to_string(d.start_partition) + ", bytes [" + std::to_string(d.byte_offset) + ", " +
           std::to_string(d.byte_offset + d.partition_bytes()) + ")";
  };
  Diagnostic d;
  d.loc =
      first < p.instrs.size() && p.instrs[first].loc < p.locs.size() ? p.locs[p.instrs[first].loc].loc : decl_loc(p, t);
  if (t.mem == Mem::PSUM) {
    d.message = "[SCH713] Violation of accumulation group interleaving: logical tile " + t.da_block + " of '" +
                base(t) + "' and logical tile " + o.da_block + " of '" + base(o) + "' share PSUM bank " +
                std::to_string(t.byte_offset / bank_bytes) + " while both are live";
    d.hint = "give accumulation groups that are live together distinct PSUM banks (num_bank_tiles=, base_bank=)";
  } else if (t.da_decl == o.da_decl) {
    d.message = "lifetime conflict: logical tiles " + o.da_block + " and " + t.da_block + " of '" + base(t) +
                "' share a physical tile (" + where(t) + ") but are live at the same time";
    d.hint = "'" + base(t) +
             "' has fewer physical tiles than logical tiles live at once: give it more (num_free_tiles=), or declare "
             "it inside the loop that uses it so each iteration's tiles die before the next ones are written";
  } else {
    d.message = "lifetime conflict: logical tile " + t.da_block + " of '" + base(t) + "' (" + where(t) +
                ") overlaps logical tile " + o.da_block + " of '" + base(o) + "' (" + where(o) +
                "), and both are live at the same time";
    d.hint =
        "tiles live at the same time need disjoint addresses: move one tensor's base address past the "
        "other's physical tiles";
  }
  Diagnostic note;
  note.severity = Severity::Note;
  note.loc = decl_loc(p, o);
  note.message = "'" + base(o) + "' is declared here";
  d.notes.push_back(std::move(note));
  UserError e(std::move(d));
  e.kind = "validation";
  throw e;
}

// A kernel with direct allocation allocates nothing itself (the guide's "all or nothing"): every used
// on-chip tensor has an allocator, and HBM tensors are inputs or returned outputs.
void check_direct_allocation(const Program& p, const std::vector<uint32_t>& first) {
  if (std::none_of(p.tensors.begin(), p.tensors.end(), [](const TensorDecl& t) { return t.da_decl >= 0; })) return;
  std::string non_io;
  const TensorDecl* first_non_io = nullptr;
  for (const TensorDecl& t : p.tensors)
    if (!t.on_chip() && t.role == TensorRole::Internal && t.constant < 0) {
      non_io += (non_io.empty() ? "" : ", ") + t.name;
      if (!first_non_io) first_non_io = &t;
    }
  for (uint32_t i = 0; i < p.tensors.size(); ++i) {
    const TensorDecl& t = p.tensors[i];
    if (&t == first_non_io) {
      Diagnostic d;
      d.loc = decl_loc(p, t);
      d.message = "Non IO HBM tensor is not supported in allocated NKI kernel: " + non_io;
      d.hint = "in a kernel with direct allocation, HBM tensors are inputs or returned nl.shared_hbm outputs";
      throw UserError(std::move(d));
    }
    if (t.on_chip() && t.da_decl < 0 && first[i] != UINT32_MAX) {
      Diagnostic d;
      d.loc = decl_loc(p, t);
      d.message = "tensor '" + t.name + "' is allocated by the compiler, but this kernel uses direct allocation";
      d.hint =
          "direct allocation is all or nothing: declare the tensor with an ncc.sbuf/ncc.psum allocator and "
          "write the result into it (t[...] = ...) instead of binding a new result";
      throw UserError(std::move(d));
    }
  }
}

// Lowest byte offset >= 0 (aligned) where [pos, pos + need) x [q0, q1) misses every block of `obs`
// (sorted by begin).
int64_t first_fit(const std::vector<Block>& obs, int32_t q0, int32_t q1, int64_t need, int64_t align) {
  int64_t pos = 0;
  for (const Block& b : obs) {
    if (!b.overlaps(q0, q1)) continue;
    if (pos + need <= b.begin) break;
    pos = std::max(pos, align_up(b.end, align));
  }
  return pos;
}

bool uses_lane_state(Opcode op) { return info(op).traits & kLaneState; }

constexpr size_t kBuffers = 4;  // multi-buffering depth (docs/semantics.md, "Multi-buffering")

// Which declaration a tensor came from: its source position and the call stack's entry.
using Site = std::tuple<const void*, uint32_t, uint32_t, int32_t>;
Site site_of(const Program& p, const TensorDecl& t) {
  if (t.loc >= p.locs.size()) return {nullptr, 0, 0, -1};
  const LocEntry& e = p.locs[t.loc];
  return {e.loc.file.get(), e.loc.span.line, e.loc.span.col, e.parent};
}

}  // namespace

void allocate(Program& p, const Target& tg) {
  const uint32_t none = UINT32_MAX;
  std::vector<uint32_t> first(p.tensors.size(), none), last(p.tensors.size(), 0);
  auto use = [&](uint32_t t, uint32_t i) {
    first[t] = std::min(first[t], i);
    last[t] = std::max(last[t], i);
  };
  // Operands of instructions with per-lane state (accumulator registers, random generators) stay at
  // partition 0, so lane i is the tile's partition i wherever the kernel relies on that state.
  std::vector<bool> pinned(p.tensors.size(), false);
  for (uint32_t i = 0; i < p.instrs.size(); ++i) {
    const Instruction& in = p.instrs[i];
    bool lane = uses_lane_state(in.op);
    for (uint32_t k = 0; k < in.num_ops; ++k) {
      uint32_t t = p.operands[in.ops_begin + k].tensor;
      use(t, i);
      if (lane) pinned[t] = true;
    }
  }
  for (auto& d : p.dynamic)  // offset tensors of dynamic DMA operands
    if (d.offset.kind != DynKind::ScalarRegister) use(d.offset.index.tensor, d.instr);
  // A hardware loop runs its body again. A tensor declared before the loop and first used in the body is
  // born at the loop (once, not at every iteration); one live on entry and used in the body lives to the
  // loop's end.
  for (uint32_t i = 0; i < p.instrs.size(); ++i) {
    const Instruction& in = p.instrs[i];
    if (in.op != Opcode::Loop && in.op != Opcode::While) continue;
    uint32_t end = static_cast<uint32_t>(in.i0);
    for (size_t t = 0; t < first.size(); ++t) {
      if (first[t] == none) continue;
      if (p.tensors[t].created_at <= i && first[t] > i && first[t] < end) first[t] = i;
      if (first[t] <= i && last[t] > i && last[t] < end) last[t] = end;
    }
  }
  check_direct_allocation(p, first);
  std::vector<Live> lives;
  for (uint32_t t = 0; t < p.tensors.size(); ++t)
    if (p.tensors[t].on_chip() && first[t] != none) lives.push_back({t, first[t], last[t]});
  std::stable_sort(lives.begin(), lives.end(), [](const Live& a, const Live& b) { return a.first < b.first; });

  // Multi-buffered tensors: reserved until the birth of their declaration's tile kBuffers later (and,
  // for double buffering, 2 later); the last tiles of a loop until its last birth.
  std::vector<uint32_t> reserved(p.tensors.size(), 0), reserved2(p.tensors.size(), 0);
  {
    std::map<Site, std::vector<uint32_t>> sites;  // in order of first use
    for (const Live& l : lives)
      if (p.tensors[l.tensor].multi_buffer) sites[site_of(p, p.tensors[l.tensor])].push_back(l.tensor);
    auto until = [&](const std::vector<uint32_t>& ts, size_t k, size_t later) {
      return k + later < ts.size() ? (first[ts[k + later]] > 0 ? first[ts[k + later]] - 1 : 0) : first[ts.back()];
    };
    for (auto& [site, ts] : sites)
      for (size_t k = 0; k + 1 < ts.size(); ++k) {
        reserved[ts[k]] = until(ts, k, kBuffers);
        reserved2[ts[k]] = until(ts, k, 2);
      }
  }
  auto need_of = [](const TensorDecl& t) {
    int64_t need = std::max<int64_t>(t.partition_bytes(), 1);
    return t.mem == Mem::PSUM ? align_up(need, 4) : need;
  };
  auto block_of = [&](const Live& l, int64_t begin) {
    const TensorDecl& t = p.tensors[l.tensor];
    int32_t p0 = t.start_partition;
    return Block{begin,
                 begin + need_of(t),
                 p0,
                 p0 + static_cast<int32_t>(t.partitions()),
                 l.first,
                 std::max(l.last, reserved[l.tensor]),
                 l.tensor,
                 l.last,
                 std::max(l.last, reserved2[l.tensor])};
  };
  // Tensors with address=, by memory, in order of first use: obstacles before their live range starts.
  std::vector<Block> user[3];
  for (const Live& l : lives)
    if (p.tensors[l.tensor].user_address)
      user[static_cast<int>(p.tensors[l.tensor].mem)].push_back(block_of(l, p.tensors[l.tensor].byte_offset));
  size_t next_user[3] = {0, 0, 0};

  std::vector<Block> active[3];  // by Mem, sorted by begin; blocks whose live range has started
  std::vector<Block> obs, live_only;
  p.births.clear();
  for (const Live& l : lives) {
    TensorDecl& t = p.tensors[l.tensor];
    int m = static_cast<int>(t.mem);
    auto& act = active[m];
    // Expire blocks whose last use is before this tensor's first use.
    act.erase(std::remove_if(act.begin(), act.end(), [&](const Block& b) { return b.last < l.first; }), act.end());
    auto insert = [&](const Block& b) {
      act.insert(
          std::upper_bound(act.begin(), act.end(), b, [](const Block& x, const Block& y) { return x.begin < y.begin; }),
          b);
    };
    if (t.user_address) {
      Block b = user[m][next_user[m]++];
      for (const Block& o : act)
        if (p.tensors[o.tensor].user_address && o.overlaps(b.p0, b.p1) && o.begin < b.end && b.begin < o.end) {
          if (t.da_decl >= 0 && p.tensors[o.tensor].da_decl >= 0)
            lifetime_error(p, t, p.tensors[o.tensor], l.first, tg.psum_bank_bytes);
          overlap_error(p, t, p.tensors[o.tensor]);
        }
      insert(b);
    } else {
      bool psum = t.mem == Mem::PSUM;
      int64_t cap = psum ? tg.psum_partition_bytes : tg.sbuf_usable_bytes;
      int64_t align = psum ? tg.psum_bank_bytes : 64;
      int64_t need = need_of(t);
      // Explicitly placed tensors that come to life during this tensor's live range.
      const std::vector<Block>* o = &act;
      size_t u = next_user[m];
      if (u < user[m].size() && user[m][u].first <= l.last) {
        obs = act;
        for (; u < user[m].size() && user[m][u].first <= l.last; ++u) obs.push_back(user[m][u]);
        std::sort(obs.begin(), obs.end(), [](const Block& x, const Block& y) { return x.begin < y.begin; });
        o = &obs;
      }
      std::vector<int32_t> starts =
          pinned[l.tensor] ? std::vector<int32_t>{0} : legal_start_partitions(t.partitions(), tg.partitions);
      auto fit = [&](const std::vector<Block>& around, int64_t& best, int32_t& best_start) {
        best = INT64_MAX;
        for (int32_t s : starts) {
          int64_t pos = first_fit(around, s, s + static_cast<int32_t>(t.partitions()), need, align);
          if (pos < best) {
            best = pos;
            best_start = s;
          }
        }
      };
      int64_t best = cap;
      int32_t best_start = 0;
      fit(*o, best, best_start);
      for (int pass = 0; pass < 2 && best + need > cap; ++pass) {  // take deep, then any, reservations
        live_only.clear();
        for (const Block& b : *o)
          if ((pass == 0 ? b.double_last : b.live_last) >= l.first) live_only.push_back(b);
        fit(live_only, best, best_start);
      }
      if (best + need > cap) capacity_error(p, t, need, cap, live_only);
      t.start_partition = best_start;
      t.byte_offset = best;
      insert(block_of(l, best));
    }
    p.births.push_back({l.first, l.tensor});
  }
}

}  // namespace nkic
