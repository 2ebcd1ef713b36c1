// Operand placement rules that need both the instruction and the allocator's placement: the physical
// start partition of each compute-engine operand (MX scale operands may also start 4, 8 or 12
// partitions into a quadrant), and nc_stream_shuffle's active-quadrant starts.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "passes/allocate.h"
#include "support/diagnostic.h"

namespace nkic {

namespace {

// Physical start partition of an on-chip operand: the tensor's start plus the view's partition offset.
int64_t start_partition(const Program& p, const APRef& ap) {
  const TensorDecl& t = p.tensors[ap.tensor];
  int64_t es = size_of(ap.dtype);
  int64_t row = es > 0 ? t.partition_bytes() / es : 0;
  return t.start_partition + (row > 0 ? ap.offset / row : 0);
}

[[noreturn]] void placement_error(const Program& p, const Instruction& in, const std::string& msg,
                                  const std::string& hint) {
  UserError e(p.diagnostic_at(in, msg, hint));
  e.kind = "validation";
  throw e;
}

std::string where(const Program& p, const APRef& ap, int64_t start) {
  const TensorDecl& t = p.tensors[ap.tensor];
  int64_t off = start - t.start_partition;
  return "starts at partition " + std::to_string(start) + " ('" + t.name + "' is at partition " +
         std::to_string(t.start_partition) +
         (off ? ", the view starts " + std::to_string(off) + " partitions into it" : "") + ")";
}

// MX scale operands hold 4 rows per quadrant (one per 8 data partitions), and up to 4 scale sets share a
// tile: such an operand may start 0, 4, 8 or 12 partitions into a quadrant (spec §5.4, nc_matmul_mx).
bool mx_scale_role(Opcode op, std::string_view role) {
  return (op == Opcode::QuantizeMx && role == "dst_scale") ||
         (op == Opcode::NcMatmulMx && (role == "stationary_scale" || role == "moving_scale"));
}

bool mx_scale_start(int64_t s) { return s % kQuadrantPartitions % 4 == 0 && s % kQuadrantPartitions <= 12; }

}  // namespace

void check_placement(const Program& p, const Target& tg) {
  for (const Instruction& in : p.instrs) {
    if (in.engine != Engine::Vector && in.engine != Engine::Scalar && in.engine != Engine::GpSimd &&
        in.engine != Engine::Tensor)
      continue;
    if (in.op == Opcode::NcStreamShuffle) {
      std::optional<APRef> dst = p.role_op(in, 0), src = p.role_op(in, 1);
      if (!dst || !src) continue;
      int64_t n = std::max(dst->dims[0].num, src->dims[0].num);
      int64_t active = (n + 31) / 32 * 32;
      auto legal = legal_start_partitions(active, tg.partitions);
      for (auto [role, ap] : {std::pair<const char*, const APRef*>{"dst", &*dst}, {"src", &*src}}) {
        int64_t s = start_partition(p, *ap);
        bool ok = false;
        for (int32_t q : legal) ok = ok || q == s;
        if (!ok) {
          std::string starts = start_list(legal);
          placement_error(p, in,
                          std::string(role) + " " + where(p, *ap, s) + ", but a shuffle of " + std::to_string(active) +
                              " active partitions must start at partition " + starts,
                          "the active partitions are max(src, dst) partitions rounded up to a multiple of 32");
        }
      }
      continue;
    }
    int nroles = in.present == 0 ? in.num_ops : 8;
    for (int r = 0; r < nroles; ++r) {
      std::optional<APRef> ap = p.role_op(in, r);
      if (!ap || !p.tensors[ap->tensor].on_chip() || ap->dims.empty()) continue;
      int64_t s = start_partition(p, *ap);
      if (quadrant_aligned(s)) continue;
      auto roles = info(in.op).operands();
      std::string role(roles.empty() ? "operand" : roles[std::min<size_t>(r, roles.size() - 1)].name);
      if (mx_scale_role(in.op, role)) {
        if (mx_scale_start(s)) continue;
        placement_error(p, in,
                        role + " " + where(p, *ap, s) +
                            "; an MX scale operand must start 0, 4, 8 or 12 partitions after a quadrant boundary "
                            "(0, 32, 64 or 96)",
                        "up to 4 sets of scales share a tile at quadrant offsets 0, 4, 8 and 12, e.g. scales[4:, :] "
                        "for a second set");
      }
      placement_error(p, in,
                      role + " " + where(p, *ap, s) +
                          "; compute instructions access partitions starting at a quadrant boundary (0, 32, 64 or 96)",
                      "move the rows to a quadrant boundary with nisa.nc_stream_shuffle or nisa.dma_copy first");
    }
  }
}

}  // namespace nkic
