// The self-contained HTML report: the page of html_template.h with the run's data embedded as JSON.
#include <algorithm>
#include <map>

#include "perf/html_template.h"
#include "perf/json.h"
#include "perf/report.h"

namespace nkic::perf {

namespace {

// Up to this many slices the page gets every slice (it aggregates per pixel column when drawing);
// beyond, each track gets its busy fraction in kBins bins, so the file and the page stay small.
constexpr size_t kMaxDetailedSlices = 200'000;
constexpr int kBins = 4096;

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Interns opcode names and source locations for the page's slice arrays.
struct Names {
  std::vector<std::string> ops, srcs;
  std::map<std::string, int> op_index, src_index;
  int intern(std::vector<std::string>& v, std::map<std::string, int>& m, const std::string& s) {
    auto [it, added] = m.try_emplace(s, static_cast<int>(v.size()));
    if (added) v.push_back(s);
    return it->second;
  }
};

void append_strings(std::string& out, const std::vector<std::string>& v) {
  out += '[';
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, v[i]);
  }
  out += ']';
}

std::string page_data(const sim::Timeline& t, const std::vector<const Program*>& programs, const Summary& s,
                      std::string_view kernel, std::string_view target) {
  // Slices per (core, track), in start order.
  size_t cores = t.cores.size();
  for (const sim::Slice& sl : t.slices) cores = std::max<size_t>(cores, sl.core + 1u);
  std::vector<std::vector<uint32_t>> by_track(cores * sim::kTracks);
  for (uint32_t i = 0; i < t.slices.size(); ++i)
    if (t.slices[i].track < sim::kTracks) by_track[t.slices[i].core * sim::kTracks + t.slices[i].track].push_back(i);
  const bool detailed = t.slices.size() <= kMaxDetailedSlices;
  double span = std::max(t.latency_ns, 1e-6);
  for (const sim::Slice& sl : t.slices) span = std::max(span, sl.end);

  std::string out;
  out.reserve(4096 + (detailed ? t.slices.size() * 28 : by_track.size() * 8));
  out += "{\"kernel\":";
  append_json_string(out, kernel);
  out += ",\"target\":";
  append_json_string(out, target);
  out += ",\"latency_ns\":";
  append_json_number(out, t.latency_ns);
  out += ",\"cores\":" + std::to_string(cores) + ",\"slices\":" + std::to_string(t.slices.size());
  out += ",\"summary\":" + summary_json(s) + ",\"tracks\":[";

  Names names;
  std::map<std::pair<const Program*, uint32_t>, int> src_of_loc;
  bool first = true;
  for (size_t ct = 0; ct < by_track.size(); ++ct) {
    std::vector<uint32_t>& idx = by_track[ct];
    if (idx.empty()) continue;
    std::stable_sort(idx.begin(), idx.end(),
                     [&](uint32_t a, uint32_t b) { return t.slices[a].start < t.slices[b].start; });
    int core = static_cast<int>(ct / sim::kTracks), track = static_cast<int>(ct % sim::kTracks);
    out += first ? "\n{\"core\":" : ",\n{\"core\":";
    first = false;
    out += std::to_string(core) + ",\"track\":" + std::to_string(track) + ",\"name\":";
    append_json_string(out, sim::track_name(track));
    out += ",\"engine\":";
    append_json_string(out, sim::busy_name(busy_key_of_track(track)));
    out += ",\"count\":" + std::to_string(idx.size());
    if (detailed) {
      const Program* p = program_of(programs, core);
      out += ",\"s\":[";
      for (size_t k = 0; k < idx.size(); ++k) {
        const sim::Slice& sl = t.slices[idx[k]];
        int op = names.intern(names.ops, names.op_index, "instr"), src = 0;
        if (p && sl.instr < p->instrs.size()) {
          const Instruction& in = p->instrs[sl.instr];
          op = names.intern(names.ops, names.op_index, std::string(name_of(in.op)));
          auto [it, added] = src_of_loc.try_emplace({p, in.loc}, 0);
          if (added) {
            const Location* l = in.loc < p->locs.size() ? &p->locs[in.loc].loc : nullptr;
            it->second = names.intern(names.srcs, names.src_index,
                                      l && l->file ? l->file->path() + ":" + std::to_string(l->span.line) : "?");
          }
          src = it->second;
        } else {
          src = names.intern(names.srcs, names.src_index, "?");
        }
        if (k) out += ',';
        append_json_number(out, sl.start, 10);
        out += ',';
        append_json_number(out, sl.end - sl.start, 8);
        out += ',' + std::to_string(op) + ',' + std::to_string(src);
      }
      out += ']';
    } else {
      std::vector<double> busy(kBins, 0);
      const double w = span / kBins;
      for (uint32_t i : idx) {
        const sim::Slice& sl = t.slices[i];
        int b0 = std::clamp(static_cast<int>(sl.start / w), 0, kBins - 1);
        int b1 = std::clamp(static_cast<int>(sl.end / w), 0, kBins - 1);
        for (int b = b0; b <= b1; ++b)
          busy[b] += std::max(0.0, std::min(sl.end, (b + 1) * w) - std::max(sl.start, b * w)) / w;
      }
      out += ",\"binw\":";
      append_json_number(out, w);
      out += ",\"bins\":[";
      for (int b = 0; b < kBins; ++b) {
        if (b) out += ',';
        append_json_number(out, std::min(1.0, busy[b]), 3);
      }
      out += ']';
    }
    out += '}';
  }
  out += "],\"ops\":";
  append_strings(out, names.ops);
  out += ",\"srcs\":";
  append_strings(out, names.srcs);
  out += '}';
  return out;
}

}  // namespace

std::string html_report(const sim::Timeline& t, const std::vector<const Program*>& programs, const Summary& s,
                        std::string_view kernel, std::string_view target) {
  std::string data = page_data(t, programs, s, kernel, target);  // '<' is escaped: no "</script>" inside
  std::string title = html_escape(std::string(kernel) + " on " + std::string(target) + ": nkic profile");
  std::string_view page = kHtmlTemplate;
  std::string out;
  out.reserve(page.size() + data.size() + title.size());
  size_t at_title = page.find("@TITLE@"), at_data = page.find("@DATA@");
  out.append(page.substr(0, at_title)).append(title);
  out.append(page.substr(at_title + 7, at_data - at_title - 7)).append(data);
  out.append(page.substr(at_data + 6));
  return out;
}

}  // namespace nkic::perf
