// Hardware placement rules shared by the specializer (address= checks), the allocator and the placement
// checks: which partitions a tensor or operand may start at.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nkic {

// Partitions per SBUF/PSUM quadrant: compute engines start their accesses at quadrant boundaries.
constexpr int kQuadrantPartitions = 32;

// The start partitions a tensor (or instruction operand) spanning n partitions may use: 0 when
// 64 < n <= 128, 0 or 64 when 32 < n <= 64, 0/32/64/96 when n <= 32.
std::vector<int32_t> legal_start_partitions(int64_t n, int partitions);

// "0, 32, 64 or 96": a list of start partitions for messages.
std::string start_list(const std::vector<int32_t>& starts);

inline bool quadrant_aligned(int64_t start_partition) { return start_partition % kQuadrantPartitions == 0; }

}  // namespace nkic
