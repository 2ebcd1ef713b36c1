// Per-generation hardware constants (trn1 = NCv2, trn2 = NCv3, trn3 = NCv4): one table row per target.
// No other file holds hardware numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nkic {

enum class TargetKind : uint8_t { Trn1, Trn2, Trn3 };

struct Target {
  TargetKind kind;
  std::string_view name;         // "trn1", "trn2", "trn3"
  int nc_version;                // 2, 3, 4
  int partitions;                // 128
  int64_t sbuf_partition_bytes;  // physical bytes per SBUF partition
  int64_t sbuf_usable_bytes;     // tile_size.total_available_sbuf_size
  int64_t psum_partition_bytes;  // 16 KiB
  int64_t psum_bank_bytes;       // 2 KiB
  int psum_banks;                // 8
  int gemm_stationary_fmax;      // 128
  int gemm_moving_fmax;          // 512 (fp32 dst)
  int psum_fmax;                 // 512
  int bn_stats_fmax;             // 512
  int psum_min_align, sbuf_min_align;
};

const Target& target(TargetKind k);
// Accepts trn1/inf2/gen2, trn2/gen3, trn3/gen4 (as NEURON_PLATFORM_TARGET_OVERRIDE does).
std::optional<TargetKind> parse_target(std::string_view name);
// The default when nothing is chosen: trn2 (see docs/semantics.md).
constexpr TargetKind kDefaultTarget = TargetKind::Trn2;

}  // namespace nkic
