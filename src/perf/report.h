// What a person reads of a timed run: the summary (latency, engine busy time, utilisation, the critical
// path, the most expensive source lines), a Perfetto / chrome://tracing trace, and a self-contained HTML
// report. All of them read a sim::Timeline plus the Programs its slices index.
//
// `programs` holds each core's Program (programs[c] for core c); a single Program serves every core.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ir/program.h"
#include "sim/timeline.h"

namespace nkic::perf {

// Time spent on one source line (an instruction's own Location, file:line), over all cores.
struct LineCost {
  std::string file;  // the path as the kernel's source was given
  int line = 0;
  double ns = 0;
  uint64_t instructions = 0;  // executed
  std::string text;           // the source line, stripped ("" if the source is not available)
};

struct Summary {
  double latency_us = 0;
  std::array<double, sim::kBusyKeys> busy_us{};  // the busiest core's (largest end time)
  std::vector<std::array<double, sim::kBusyKeys>> per_core_busy_us;
  uint64_t instructions = 0;                              // all cores
  double mfu = 0;                                         // flops / (latency * peak_flops_per_ns * cores)
  double mbu = 0;                                         // HBM bytes moved / (latency * peak_hbm_bytes_per_ns * cores)
  std::array<double, sim::kDmaDirs> dma_bytes{};          // all cores
  std::array<double, sim::kBusyKeys> critical_path_us{};  // time on the critical path per engine
  std::vector<LineCost> top_lines;                        // the five most expensive
  bool truncated = false;                                 // the timeline kept only part of the slices
};

// The Program of core c (nullptr if there is none).
const Program* program_of(const std::vector<const Program*>& programs, int core);
// The summary's engine of a track: the engine queues map to themselves, the DMA rings to dma.
int busy_key_of_track(int track);

// Time per source line, most first (ties: file, then line).
std::vector<LineCost> lines(const sim::Timeline& t, const std::vector<const Program*>& programs);
Summary summarize(const sim::Timeline& t, const std::vector<const Program*>& programs);
// One screen of text: latency, per-engine utilisation, MFU, MBU, DMA bytes, critical path, top lines.
std::string summary_text(const Summary& s, std::string_view kernel, std::string_view target);
// {"latency_us", "engine_busy_us": {tensor..dma}, "per_core": [{...}], "instructions", "mfu", "mbu",
//  "dma_bytes": {...}, "critical_path_us": {...}, "top_lines": [{file, line, us, instructions}],
//  "truncated"}
std::string summary_json(const Summary& s);
// Chrome trace-event JSON (opens in Perfetto and chrome://tracing): a process per core, a thread per
// engine queue and DMA ring that has slices, an "X" event per slice named by its opcode.
std::string perfetto_json(const sim::Timeline& t, const std::vector<const Program*>& programs);
// One self-contained HTML file: engine timeline, utilisation bars, top source lines, summary table.
std::string html_report(const sim::Timeline& t, const std::vector<const Program*>& programs, const Summary& s,
                        std::string_view kernel, std::string_view target);

}  // namespace nkic::perf
