// Placement rules (target/rules.h).
#include "target/rules.h"

namespace nkic {

std::vector<int32_t> legal_start_partitions(int64_t n, int partitions) {
  if (n > 2 * kQuadrantPartitions) return {0};
  if (n > kQuadrantPartitions) return {0, 2 * kQuadrantPartitions};
  std::vector<int32_t> s;
  for (int32_t q = 0; q + n <= partitions; q += kQuadrantPartitions) s.push_back(q);
  return s;
}

std::string start_list(const std::vector<int32_t>& starts) {
  std::string out;
  for (size_t i = 0; i < starts.size(); ++i)
    out += (i ? (i + 1 == starts.size() ? " or " : ", ") : "") + std::to_string(starts[i]);
  return out;
}

}  // namespace nkic
