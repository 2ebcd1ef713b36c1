// The allocation section of `nkic ir`: where each on-chip tensor lives, and how the tensors declared at
// one source line (inside an unrolled loop) rotate through a few distinct buffers.
#include <map>
#include <set>
#include <sstream>

#include "passes/allocate.h"

namespace nkic {

std::string allocation_report(const Program& p) {
  // Tensors grouped by declaration site (the loc entry: line and call stack), in order of first tensor.
  std::vector<uint32_t> order;
  std::map<uint32_t, std::vector<uint32_t>> by_loc;
  for (uint32_t i = 0; i < p.tensors.size(); ++i) {
    const TensorDecl& t = p.tensors[i];
    if (!t.on_chip() || t.byte_offset < 0) continue;
    auto& g = by_loc[t.loc];
    if (g.empty()) order.push_back(t.loc);
    g.push_back(i);
  }
  std::ostringstream os;
  os << "allocation: " << order.size() << " on-chip declaration sites\n";
  auto range = [](const TensorDecl& t) {
    std::ostringstream r;
    r << "partitions [" << t.start_partition << ", " << t.start_partition + t.partitions() << ") x bytes ["
      << t.byte_offset << ", " << t.byte_offset + t.partition_bytes() << ")";
    return r.str();
  };
  for (uint32_t loc : order) {
    const auto& g = by_loc[loc];
    const TensorDecl& t0 = p.tensors[g[0]];
    os << "  " << (t0.mem == Mem::PSUM ? "PSUM" : "SBUF") << " " << t0.name;
    if (loc < p.locs.size() && p.locs[loc].loc.file) os << " (line " << p.locs[loc].loc.span.line << ")";
    if (g.size() == 1) {
      os << ": " << range(t0) << (t0.user_address ? " (address=)" : "") << "\n";
      continue;
    }
    std::set<std::pair<int32_t, int64_t>> seen;
    std::vector<uint32_t> distinct;
    int64_t bytes = 0;
    for (uint32_t i : g) {
      const TensorDecl& t = p.tensors[i];
      bytes = std::max(bytes, t.partition_bytes());
      if (seen.insert({t.start_partition, t.byte_offset}).second) distinct.push_back(i);
    }
    os << ": " << distinct.size() << (distinct.size() == 1 ? " buffer" : " buffers") << " x " << bytes << " B, "
       << g.size() << " instances\n";
    for (uint32_t i : distinct) os << "    " << range(p.tensors[i]) << "\n";
  }
  return os.str();
}

}  // namespace nkic
