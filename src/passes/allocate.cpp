// First-fit allocation over live ranges. Every on-chip tensor spans partitions [0, P) at one byte
// offset; PSUM tensors start on a bank boundary so a matmul output stays inside one bank.
#include "passes/allocate.h"

#include <algorithm>
#include <sstream>

#include "frontend/diagnostic.h"

namespace nkic {

namespace {

struct Live {
  uint32_t tensor;
  uint32_t first, last;
};

struct Block {
  int64_t begin, end;  // bytes per partition
  uint32_t last;       // last instruction that uses it
  uint32_t tensor;
};

int64_t align_up(int64_t x, int64_t a) { return (x + a - 1) / a * a; }

[[noreturn]] void capacity_error(const Program& p, const TensorDecl& t, int64_t need, int64_t cap,
                                 const std::vector<Block>& live) {
  std::ostringstream msg;
  msg << name_of(t.mem) << " capacity exceeded: tensor '" << t.name << "' needs " << need
      << " bytes per partition, but live tensors already use "
      << [&] {
           int64_t s = 0;
           for (auto& b : live) s += b.end - b.begin;
           return s;
         }()
      << " of the " << cap << " usable bytes";
  std::vector<Block> sorted = live;
  std::sort(sorted.begin(), sorted.end(),
            [](const Block& a, const Block& b) { return a.end - a.begin > b.end - b.begin; });
  std::ostringstream hint;
  hint << "the largest live tensors are:";
  for (size_t i = 0; i < sorted.size() && i < 5; ++i) {
    const TensorDecl& o = p.tensors[sorted[i].tensor];
    hint << " '" << o.name << "' (" << (sorted[i].end - sorted[i].begin) << " B";
    if (o.loc < p.locs.size()) hint << ", line " << p.locs[o.loc].loc.span.line;
    hint << ")" << (i + 1 < sorted.size() && i < 4 ? "," : "");
  }
  hint << "; allocate tensors inside the loop that uses them, or use smaller tiles";
  Diagnostic d;
  d.loc = t.loc < p.locs.size() ? p.locs[t.loc].loc : Location{};
  d.message = msg.str();
  d.hint = hint.str();
  throw UserError(std::move(d));
}

}  // namespace

void allocate(Program& p, const Target& tg) {
  const uint32_t none = UINT32_MAX;
  std::vector<uint32_t> first(p.tensors.size(), none), last(p.tensors.size(), 0);
  for (uint32_t i = 0; i < p.instrs.size(); ++i)
    for (auto& ap : p.instrs[i].ops) {
      if (first[ap.tensor] == none) first[ap.tensor] = i;
      last[ap.tensor] = i;
    }
  std::vector<Live> lives;
  for (uint32_t t = 0; t < p.tensors.size(); ++t)
    if (p.tensors[t].on_chip() && first[t] != none) lives.push_back({t, first[t], last[t]});
  std::stable_sort(lives.begin(), lives.end(), [](const Live& a, const Live& b) { return a.first < b.first; });

  std::vector<Block> active[3];  // by Mem
  p.births.clear();
  for (const Live& l : lives) {
    TensorDecl& t = p.tensors[l.tensor];
    auto& act = active[static_cast<int>(t.mem)];
    // Expire blocks whose last use is before this tensor's first use.
    act.erase(std::remove_if(act.begin(), act.end(), [&](const Block& b) { return b.last < l.first; }), act.end());
    std::sort(act.begin(), act.end(), [](const Block& a, const Block& b) { return a.begin < b.begin; });
    bool psum = t.mem == Mem::PSUM;
    int64_t cap = psum ? tg.psum_partition_bytes : tg.sbuf_usable_bytes;
    int64_t align = psum ? tg.psum_bank_bytes : 64;
    int64_t need = std::max<int64_t>(t.partition_bytes(), 1);
    if (psum) need = align_up(need, 4);
    if (t.user_address) {
      act.push_back({t.byte_offset, t.byte_offset + need, l.last, l.tensor});
    } else {
      int64_t pos = 0;
      for (const Block& b : act) {
        if (pos + need <= b.begin) break;
        pos = std::max(pos, align_up(b.end, align));
      }
      if (pos + need > cap) capacity_error(p, t, need, cap, act);
      t.start_partition = 0;
      t.byte_offset = pos;
      act.push_back({pos, pos + need, l.last, l.tensor});
    }
    p.births.push_back({l.first, l.tensor});
  }
}

}  // namespace nkic
