// The summary of a timed run: time per source line, engine busy time, utilisation, the critical path;
// as one screen of text and as JSON.
#include "perf/report.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>
#include <utility>

#include "perf/json.h"

namespace nkic::perf {

const Program* program_of(const std::vector<const Program*>& programs, int core) {
  if (programs.size() == 1) return programs[0];
  return core >= 0 && static_cast<size_t>(core) < programs.size() ? programs[core] : nullptr;
}

int busy_key_of_track(int track) { return track < sim::kEngineTracks ? track : static_cast<int>(sim::BusyKey::Dma); }

namespace {

// Executed instructions per static instruction of core c: the model's counts, or else the kept slices.
// A DMA split over several rings counts once: its parts follow each other among the core's DMA slices,
// one per ring, so a ring seen again starts the next execution.
std::vector<uint64_t> runs_of_core(const sim::Timeline& t, int c, size_t num_instrs) {
  if (static_cast<size_t>(c) < t.instr_runs.size() && !t.instr_runs[c].empty()) return t.instr_runs[c];
  std::vector<uint64_t> runs(num_instrs, 0);
  int64_t dma_instr = -1;
  uint32_t dma_rings = 0;  // rings of the current DMA's parts
  for (const sim::Slice& s : t.slices) {
    if (s.core != c || s.instr >= num_instrs) continue;
    if (s.track >= sim::kEngineTracks) {
      uint32_t ring = 1u << ((s.track - sim::kEngineTracks) % 32);
      if (dma_instr == s.instr && !(dma_rings & ring)) {
        dma_rings |= ring;
        continue;
      }
      dma_instr = s.instr;
      dma_rings = ring;
    }
    ++runs[s.instr];
  }
  return runs;
}

std::string strip(std::string_view s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

}  // namespace

std::vector<LineCost> lines(const sim::Timeline& t, const std::vector<const Program*>& programs) {
  std::vector<LineCost> out;
  std::map<std::pair<std::string, int>, size_t> index;  // (file, line) -> out
  const size_t cores = std::max(t.cores.size(), t.instr_ns.size());
  for (size_t c = 0; c < cores; ++c) {
    const Program* p = program_of(programs, static_cast<int>(c));
    if (!p) continue;
    const size_t n = p->instrs.size();
    const std::vector<double>* ns = c < t.instr_ns.size() ? &t.instr_ns[c] : nullptr;
    const std::vector<uint64_t> runs = runs_of_core(t, static_cast<int>(c), n);
    std::vector<int64_t> entry_of_loc(p->locs.size(), -1);  // many instructions share a Location
    for (size_t i = 0; i < n; ++i) {
      double time = ns && i < ns->size() ? (*ns)[i] : 0;
      uint64_t count = i < runs.size() ? runs[i] : 0;
      if (time == 0 && count == 0) continue;
      uint32_t loc = p->instrs[i].loc;
      int64_t e = loc < entry_of_loc.size() ? entry_of_loc[loc] : -1;
      if (e < 0) {
        const Location* l = loc < p->locs.size() ? &p->locs[loc].loc : nullptr;
        std::string file = l && l->file ? l->file->path() : std::string();
        int line = l ? static_cast<int>(l->span.line) : 0;
        auto [it, added] = index.try_emplace({file, line}, out.size());
        if (added) {
          std::string text = l && l->file ? strip(l->file->line(l->span.line)) : std::string();
          out.push_back({std::move(file), line, 0, 0, std::move(text)});
        }
        e = static_cast<int64_t>(it->second);
        if (loc < entry_of_loc.size()) entry_of_loc[loc] = e;
      }
      out[e].ns += time;
      out[e].instructions += count;
    }
  }
  std::sort(out.begin(), out.end(), [](const LineCost& a, const LineCost& b) {
    if (a.ns != b.ns) return a.ns > b.ns;
    if (a.instructions != b.instructions) return a.instructions > b.instructions;
    return std::tie(a.file, a.line) < std::tie(b.file, b.line);
  });
  return out;
}

Summary summarize(const sim::Timeline& t, const std::vector<const Program*>& programs) {
  Summary s;
  s.latency_us = t.latency_ns / 1000;
  s.truncated = t.truncated;
  size_t busiest = 0;
  double flops = 0, hbm_bytes = 0;
  for (size_t c = 0; c < t.cores.size(); ++c) {
    const sim::CoreTotals& ct = t.cores[c];
    if (ct.end > t.cores[busiest].end) busiest = c;
    std::array<double, sim::kBusyKeys> busy{};
    for (int k = 0; k < sim::kBusyKeys; ++k) busy[k] = ct.busy[k] / 1000;
    s.per_core_busy_us.push_back(busy);
    s.instructions += ct.instructions;
    flops += ct.flops;
    for (int d = 0; d < sim::kDmaDirs; ++d) s.dma_bytes[d] += ct.dma_bytes[d];
    using D = sim::DmaDir;
    // HBM traffic: an HBM-to-HBM copy reads and writes HBM.
    hbm_bytes += ct.dma_bytes[static_cast<int>(D::HbmToSbuf)] + ct.dma_bytes[static_cast<int>(D::SbufToHbm)] +
                 2 * ct.dma_bytes[static_cast<int>(D::HbmToHbm)];
  }
  if (!t.cores.empty()) s.busy_us = s.per_core_busy_us[busiest];
  const double cores = static_cast<double>(t.cores.size());
  if (double peak = t.latency_ns * t.peak_flops_per_ns * cores; peak > 0) s.mfu = flops / peak;
  if (double peak = t.latency_ns * t.peak_hbm_bytes_per_ns * cores; peak > 0) s.mbu = hbm_bytes / peak;

  // The critical path: from the slice that ends last, back along what each slice waited for.
  if (!t.slices.empty()) {
    size_t last = 0;
    for (size_t i = 1; i < t.slices.size(); ++i)
      if (t.slices[i].end > t.slices[last].end) last = i;
    int64_t i = static_cast<int64_t>(last);
    for (size_t steps = 0; i >= 0 && static_cast<size_t>(i) < t.slices.size() && steps < t.slices.size(); ++steps) {
      const sim::Slice& sl = t.slices[i];
      s.critical_path_us[busy_key_of_track(sl.track)] += (sl.end - sl.start) / 1000;
      i = sl.waited_for;
    }
  }

  s.top_lines = lines(t, programs);
  if (s.top_lines.size() > 5) s.top_lines.resize(5);
  return s;
}

namespace {

void appendf(std::string& out, const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  out += buf;
}

std::string bytes_str(double b) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) b /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u ? "%.2f %s" : "%.0f %s", b, units[u]);
  return buf;
}

std::string base_name(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

double percent(double part, double whole) { return whole > 0 ? 100 * part / whole : 0; }

}  // namespace

std::string summary_text(const Summary& s, std::string_view kernel, std::string_view target) {
  std::string out;
  appendf(out, "%.*s on %.*s (estimated)\n", static_cast<int>(kernel.size()), kernel.data(),
          static_cast<int>(target.size()), target.data());
  appendf(out, "  latency        %12.3f us\n", s.latency_us);
  appendf(out, "  instructions   %12llu\n", static_cast<unsigned long long>(s.instructions));
  appendf(out, "  MFU            %11.1f %%   (TensorE flops over the BF16 dense peak)\n", 100 * s.mfu);
  appendf(out, "  HBM bandwidth  %11.1f %%   (bytes to and from HBM over the peak)\n", 100 * s.mbu);
  double crit = 0;
  for (double v : s.critical_path_us) crit += v;
  appendf(out, "  %-8s %12s %7s %18s\n", "engine", s.per_core_busy_us.size() > 1 ? "busy us*" : "busy us", "util",
          "critical path us");
  for (int k = 0; k < sim::kBusyKeys; ++k) {
    std::string name(sim::busy_name(k));
    appendf(out, "  %-8s %12.3f %6.1f%% %11.3f (%3.0f%%)\n", name.c_str(), s.busy_us[k],
            percent(s.busy_us[k], s.latency_us), s.critical_path_us[k], percent(s.critical_path_us[k], crit));
  }
  if (s.per_core_busy_us.size() > 1) {
    out += "  * the busiest core's; per core (us):";
    for (size_t c = 0; c < s.per_core_busy_us.size(); ++c) {
      appendf(out, "\n    core %zu:", c);
      for (int k = 0; k < sim::kBusyKeys; ++k)
        appendf(out, " %s %.3f", std::string(sim::busy_name(k)).c_str(), s.per_core_busy_us[c][k]);
    }
    out += "\n";
  }
  out += "  DMA bytes     ";
  for (int d = 0; d < sim::kDmaDirs; ++d)
    if (s.dma_bytes[d] > 0)
      appendf(out, " %s %s", std::string(sim::dma_dir_name(d)).c_str(), bytes_str(s.dma_bytes[d]).c_str());
  out += "\n";
  if (!s.top_lines.empty()) {
    appendf(out, "  %-24s %12s %7s %8s\n", "top lines", "us", "of lat", "instrs");
    for (const LineCost& l : s.top_lines) {
      std::string where = base_name(l.file) + ":" + std::to_string(l.line);
      std::string text = l.text;
      if (text.size() > 60) {
        size_t cut = 57;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 char
        text = text.substr(0, cut) + "...";
      }
      appendf(out, "  %-24s %12.3f %6.1f%% %8llu  %s\n", where.c_str(), l.ns / 1000, percent(l.ns / 1000, s.latency_us),
              static_cast<unsigned long long>(l.instructions), text.c_str());
    }
  }
  if (s.truncated) out += "  (the timeline kept only the first slices; totals are complete)\n";
  return out;
}

namespace {

template <size_t N>
void append_keyed(std::string& out, const std::array<double, N>& v, std::string_view (*name)(int)) {
  out += '{';
  for (size_t k = 0; k < N; ++k) {
    if (k) out += ',';
    append_json_string(out, name(static_cast<int>(k)));
    out += ':';
    append_json_number(out, v[k]);
  }
  out += '}';
}

}  // namespace

std::string summary_json(const Summary& s) {
  std::string out = "{\"latency_us\":";
  append_json_number(out, s.latency_us);
  out += ",\"engine_busy_us\":";
  append_keyed(out, s.busy_us, sim::busy_name);
  out += ",\"per_core\":[";
  for (size_t c = 0; c < s.per_core_busy_us.size(); ++c) {
    if (c) out += ',';
    append_keyed(out, s.per_core_busy_us[c], sim::busy_name);
  }
  out += "],\"instructions\":" + std::to_string(s.instructions) + ",\"mfu\":";
  append_json_number(out, s.mfu);
  out += ",\"mbu\":";
  append_json_number(out, s.mbu);
  out += ",\"dma_bytes\":";
  append_keyed(out, s.dma_bytes, sim::dma_dir_name);
  out += ",\"critical_path_us\":";
  append_keyed(out, s.critical_path_us, sim::busy_name);
  out += ",\"top_lines\":[";
  for (size_t i = 0; i < s.top_lines.size(); ++i) {
    const LineCost& l = s.top_lines[i];
    out += i ? ",{\"file\":" : "{\"file\":";
    append_json_string(out, l.file);
    out += ",\"line\":" + std::to_string(l.line) + ",\"us\":";
    append_json_number(out, l.ns / 1000);
    out += ",\"instructions\":" + std::to_string(l.instructions) + ",\"text\":";
    append_json_string(out, l.text);
    out += '}';
  }
  out += "],\"truncated\":";
  out += s.truncated ? "true}" : "false}";
  return out;
}

}  // namespace nkic::perf
