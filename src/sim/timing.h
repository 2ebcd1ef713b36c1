// The timing model: a pass over the executed instruction stream of every core of a Device. Each core
// has one in-order queue per engine (TensorE, VectorE, ScalarE, GpSimdE, Sync) and 16 DMA rings; an
// instruction starts when its queue is free and when the instructions it depends on through memory
// (read-after-write, write-after-read, write-after-write on the exact SBUF/PSUM byte ranges, in 64-byte
// chunks per partition quadrant; HBM by address range) are done, as the compiler's semaphores enforce.
// DMA transfers are split over rings by partition, pay a latency, a cost per contiguous chunk and their
// bytes over the ring's bandwidth, and share the HBM bandwidth. Synchronizations end when every core
// (every rank) has reached them. Figures: target/timing.h; formulas: sim/cost.h.
#pragma once

#include <map>
#include <vector>

#include "ir/program.h"
#include "sim/memory.h"
#include "sim/timeline.h"
#include "target/timing.h"

namespace nkic::sim {

class Timer {
 public:
  Timer(const Target& t, const std::vector<const Program*>& programs, bool keep_slices);

  // Core `core` executed instruction i (its operands resolved by `mem`): schedule it.
  void executed(int core, uint32_t i, const Memory& mem);
  // A synchronization every participant has reached: when instruction i of `core` could start (its
  // queue and what it depends on).
  double sync_ready(int core, uint32_t i, const Memory& mem);
  // ... and its end, once the participants' ready times are known: it ends at `at` + `cost_ns`.
  void sync_done(int core, uint32_t i, const Memory& mem, double at, double cost_ns);
  // The cost of a synchronization moving `bytes` (sendrecv, collectives).
  double sync_cost(Opcode op, double bytes) const;

  // Totals and the kernel's end; call once after the run.
  const Timeline& finish();
  Timeline& timeline() { return tl_; }

 private:
  struct Cell {           // a 64-byte chunk of one partition quadrant
    double w = 0, r = 0;  // when its last write becomes visible; when its last read ends
    int32_t ws = -1, rs = -1;
  };
  struct Seg {  // an HBM address range
    const uint8_t* hi;
    double w = 0, r = 0;
    int32_t ws = -1, rs = -1;
  };
  // Busy intervals of a ring (or of the HBM), sorted, touching ones merged. A ring interleaves the
  // descriptors of the transfers queued on it, so a new transfer takes the idle time from its ready time
  // on, in as many gaps as it needs (a latency gap between two dependent transfers is not lost).
  struct Calendar {
    struct Busy {
      double start, end;
      int32_t slice;  // the slice that ends this interval (what a later transfer waits behind)
    };
    std::vector<Busy> busy;
    double floor = 0;  // everything before is taken (old intervals merged away)
    int32_t floor_slice = -1;
    // The pieces of idle time from `ready` on that `dur` of work fills, each with the slice it waited
    // behind (`waited` for the first when nothing delays it); appended to `out`.
    void fill(double ready, double dur, int32_t waited, std::vector<Busy>& out) const;
    void take(double start, double end, int32_t slice);
  };
  struct Range {  // what an operand touches
    Mem mem;
    int q0, q1;              // quadrants (on-chip)
    int64_t b0, b1;          // bytes within the partition (on-chip)
    const uint8_t *lo, *hi;  // HBM
    bool write, read;
  };
  struct CoreState {
    std::array<double, kEngineTracks> free{};
    std::array<int32_t, kEngineTracks> last{};
    std::vector<Cell> sbuf, psum;
    const uint8_t* stationary = nullptr;  // the matmul stationary loaded in the PE array
    double last_mm_cycles = 0;
    int act_table = -1;  // the activation function whose table ScalarE holds
    std::vector<std::pair<double, double>> dma_spans;
    std::vector<PhysView> views;
    std::vector<Range> ranges;
  };

  void ranges_of(CoreState& cs, const Program& p, const Instruction& in, const Memory& mem);
  // The time the instruction's operands are ready and the slice that decides it.
  double deps_ready(CoreState& cs, int32_t& waited) const;
  void commit_deps(CoreState& cs, double read_end, double write_visible, int32_t slice);
  int32_t add_slice(int core, uint32_t instr, int track, double start, double end, int32_t waited);
  int track_of(const Instruction& in) const;
  void time_dma(int core, uint32_t i, const Program& p, const Instruction& in, CoreState& cs);

  const Target& tgt_;
  const Timing& tm_;
  std::vector<const Program*> progs_;
  bool keep_slices_;
  std::vector<CoreState> cores_;
  std::map<const uint8_t*, Seg> hbm_;
  std::vector<std::array<Calendar, kDmaRings>> rings_;  // per core
  Calendar hbm_bw_;
  std::vector<Calendar::Busy> pieces_;  // scratch of time_dma (no allocation per transfer)
  struct Part {
    int ring;
    size_t first, last;  // its pieces in pieces_
  };
  std::vector<Part> parts_;
  int32_t slice_count_ = 0;
  Timeline tl_;
};

}  // namespace nkic::sim
