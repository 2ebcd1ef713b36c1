// Names of the timeline's tracks, engines and DMA directions (reports and traces print them).
#include "sim/timeline.h"

#include <array>
#include <string>

namespace nkic::sim {

std::string_view track_name(int track) {
  static const std::array<std::string, kTracks> names = [] {
    std::array<std::string, kTracks> n{"tensor", "vector", "scalar", "gpsimd", "sync"};
    for (int r = 0; r < kDmaRings; ++r) n[kEngineTracks + r] = "dma" + std::to_string(r);
    return n;
  }();
  return track >= 0 && track < kTracks ? std::string_view(names[track]) : std::string_view("?");
}

std::string_view busy_name(int key) {
  static constexpr std::array<std::string_view, kBusyKeys> names{"tensor", "vector", "scalar", "gpsimd", "sync", "dma"};
  return key >= 0 && key < kBusyKeys ? names[key] : "?";
}

std::string_view dma_dir_name(int d) {
  static constexpr std::array<std::string_view, kDmaDirs> names{"hbm_to_sbuf", "sbuf_to_hbm", "hbm_to_hbm",
                                                                "sbuf_to_sbuf"};
  return d >= 0 && d < kDmaDirs ? names[d] : "?";
}

}  // namespace nkic::sim
