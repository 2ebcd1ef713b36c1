// What the timing model records of a run: when each executed instruction ran, on which core and which
// track (an engine's in-order queue, or one DMA ring), and per-core totals. sim/timing.cpp fills it;
// perf/ turns it into summaries, traces and reports. Times are nanoseconds from the kernel's start.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace nkic::sim {

// Tracks of one core: the five instruction queues, then the DMA rings (kDmaRings of them).
enum class Track : uint8_t { Tensor, Vector, Scalar, GpSimd, Sync, Dma0 };
constexpr int kEngineTracks = 5;
constexpr int kDmaRings = 16;
constexpr int kTracks = kEngineTracks + kDmaRings;
std::string_view track_name(int track);  // "tensor", "vector", "scalar", "gpsimd", "sync", "dma0".."dma15"

// The engines a summary reports busy time for (dma: the union of the rings' busy intervals).
enum class BusyKey : uint8_t { Tensor, Vector, Scalar, GpSimd, Sync, Dma };
constexpr int kBusyKeys = 6;
std::string_view busy_name(int key);  // "tensor", "vector", "scalar", "gpsimd", "sync", "dma"

// One executed instruction (or, for a DMA, its part on one ring).
struct Slice {
  double start = 0, end = 0;  // ns
  uint32_t instr = 0;         // index into the core's Program::instrs
  uint8_t core = 0;
  uint8_t track = 0;
  // Why it could not start earlier: the slice (index into Timeline::slices) whose end it waited for,
  // or -1 (it started at time 0 or right behind its issue). Walking `waited_for` back from the last slice
  // gives the critical path.
  int32_t waited_for = -1;
};

// DMA traffic by direction.
enum class DmaDir : uint8_t { HbmToSbuf, SbufToHbm, HbmToHbm, SbufToSbuf };
constexpr int kDmaDirs = 4;
std::string_view dma_dir_name(int d);  // "hbm_to_sbuf", "sbuf_to_hbm", "hbm_to_hbm", "sbuf_to_sbuf"

struct CoreTotals {
  double end = 0;                        // ns: when its last instruction finished
  std::array<double, kBusyKeys> busy{};  // ns each engine was busy (dma: time any ring was busy)
  uint64_t instructions = 0;             // executed (loop bodies counted per iteration), control excluded
  double flops = 0;                      // TensorE multiply-adds x 2 actually performed
  std::array<double, kDmaDirs> dma_bytes{};
};

struct Timeline {
  std::vector<Slice> slices;  // in execution order; at most max_slices kept (truncated says if more ran)
  size_t max_slices = 4'000'000;
  bool truncated = false;
  std::vector<CoreTotals> cores;
  // Busy ns per static instruction, per core: cores[c] x Program::instrs.size() (for time per source line).
  std::vector<std::vector<double>> instr_ns;
  // Times each static instruction executed, per core, shaped as instr_ns (control instructions 0, as in
  // CoreTotals::instructions): instructions per source line even when the slices are truncated. When it
  // is empty, perf/ counts the kept slices instead.
  std::vector<std::vector<uint64_t>> instr_runs;
  double latency_ns = 0;  // the kernel's end: the last instruction of any core
  // Peak figures of the target, for utilisation: TensorE flop/ns at the kernel's dtype mix is not one
  // number, so MFU uses the BF16 dense peak; HBM bytes/ns per core.
  double peak_flops_per_ns = 0;
  double peak_hbm_bytes_per_ns = 0;
};

}  // namespace nkic::sim
