// What one instruction costs on its engine (the timing model's per-instruction formulas, nki-spec.md
// §5 and §9.6): a table row per opcode names the formula; the figures come from target/timing.h.
#pragma once

#include "ir/program.h"
#include "sim/memory.h"
#include "sim/timeline.h"
#include "target/timing.h"

namespace nkic::sim {

enum class Formula : uint8_t {
  None,         // control flow: not timed
  Elementwise,  // max(MIN_II, passes * N + access start-up) on the instruction's engine
  GpSimd,       // start-up + passes * N
  Matmul,       // TensorE: LoadStationary + max(N_moving, 64) x dtype passes
  PeTranspose,  // nc_transpose on TensorE
  Fixed,        // `passes` cycles
  Dma,          // DMA copy / transpose / compute: rings, descriptors, HBM bandwidth
  Sync,         // core_barrier, sendrecv, collectives: wait for the peers
};

struct CostRow {
  Formula formula;
  double passes;  // cycles per element per partition (Elementwise, GpSimd); cycles (Fixed)
  int extra_ii;   // extra MIN_II's (the accumulator read-out of activation_reduce and friends)
};
const CostRow& cost_row(Opcode op);

// A compute instruction: how long its engine is busy, and how much later its results may be used.
struct EngineCost {
  double busy_ns = 0;
  double latency_ns = 0;  // after the end, before a dependent instruction may start
  double flops = 0;
};

// The engine cost of instruction `in` (not DMA / Sync / None). `views` are its operands resolved.
EngineCost engine_cost(const Timing& tm, const Program& p, const Instruction& in, const PhysView* views,
                       double stationary_extra_cycles);
// LoadStationary cycles of a matmul (before hiding behind the previous one).
double stationary_cycles(const Timing& tm, const Program& p, const Instruction& in);

// A DMA transfer's shape: bytes, contiguous chunks, direction, rings.
struct DmaWork {
  double bytes = 0;        // moved
  double hbm_bytes = 0;    // of which HBM traffic (read + written)
  double descriptors = 0;  // contiguous chunks
  int first_ring = 0, rings = 1;
  double efficiency = 1;  // DMA transpose runs below copy throughput
  DmaDir dir = DmaDir::HbmToSbuf;
};
DmaWork dma_work(const Timing& tm, const Program& p, const Instruction& in, const PhysView* views);

// The engine clock of an engine, GHz.
double clock_ghz(const Timing& tm, Engine e);

}  // namespace nkic::sim
