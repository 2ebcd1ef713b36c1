// The Chrome trace-event JSON of a timeline (Perfetto and chrome://tracing open it): a process per core,
// a thread per engine queue and DMA ring, an "X" event per slice with its operands and source line.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <type_traits>

#include "ir/printer.h"
#include "perf/json.h"
#include "perf/report.h"

namespace nkic::perf {

namespace {

// The "args" object of instruction i: static per instruction, so built once and reused by every slice
// of every iteration that ran it.
std::string instruction_args(const Program& p, uint32_t i) {
  const Instruction& in = p.instrs[i];
  std::string out = "{\"instr\":" + std::to_string(i) + ",\"source\":";
  const Location* l = in.loc < p.locs.size() ? &p.locs[in.loc].loc : nullptr;
  append_json_string(out, l && l->file ? l->file->path() + ":" + std::to_string(l->span.line) : std::string("?"));
  out += ",\"operands\":{";
  std::set<std::string> keys, tensors;
  std::vector<std::string> tensor_order;
  for (size_t k = 0; k < in.num_ops; ++k) {
    const OperandSpec* role = role_of(in, k);
    std::string key = role ? std::string(role->name) : "op";
    if (!keys.insert(key).second) key += "#" + std::to_string(k);  // a variadic role repeats
    keys.insert(key);
    APRef ap = p.op(in, k);
    if (k) out += ',';
    append_json_string(out, key);
    out += ':';
    append_json_string(out, ap.tensor < p.tensors.size() ? print_access_pattern(p, ap) : "?");
    if (ap.tensor < p.tensors.size() && tensors.insert(p.tensors[ap.tensor].name).second)
      tensor_order.push_back(p.tensors[ap.tensor].name);
  }
  out += "},\"tensors\":[";
  for (size_t k = 0; k < tensor_order.size(); ++k) {
    if (k) out += ',';
    append_json_string(out, tensor_order[k]);
  }
  out += "]}";
  return out;
}

void append_metadata(std::string& out, const char* name, int pid, int tid, const char* key, auto value) {
  out += "{\"ph\":\"M\",\"name\":\"";
  out += name;
  out += "\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(tid) + ",\"args\":{\"" + key + "\":";
  if constexpr (std::is_arithmetic_v<decltype(value)>)
    out += std::to_string(value);
  else
    append_json_string(out, value);
  out += "}},\n";
}

}  // namespace

std::string perfetto_json(const sim::Timeline& t, const std::vector<const Program*>& programs) {
  std::string out;
  out.reserve(256 + t.slices.size() * 120);
  out += "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"truncated\":";
  out += t.truncated ? "true" : "false";
  out += ",\"latency_us\":";
  append_json_number(out, t.latency_ns / 1000);
  out += "},\"traceEvents\":[\n";

  // Which tracks have slices, per core.
  size_t cores = t.cores.size();
  for (const sim::Slice& s : t.slices) cores = std::max<size_t>(cores, s.core + 1u);
  std::vector<std::array<bool, sim::kTracks>> used(cores, std::array<bool, sim::kTracks>{});
  for (const sim::Slice& s : t.slices)
    if (s.track < sim::kTracks) used[s.core][s.track] = true;
  for (size_t c = 0; c < cores; ++c) {
    int pid = static_cast<int>(c);
    append_metadata(out, "process_name", pid, 0, "name", "core " + std::to_string(c));
    append_metadata(out, "process_sort_index", pid, 0, "sort_index", pid);
    for (int k = 0; k < sim::kTracks; ++k) {
      if (!used[c][k]) continue;
      append_metadata(out, "thread_name", pid, k, "name", std::string(sim::track_name(k)));
      append_metadata(out, "thread_sort_index", pid, k, "sort_index", k);
    }
  }

  std::map<const Program*, std::vector<std::string>> args;  // per Program, per instruction ("": not built)
  bool first = true;
  for (const sim::Slice& s : t.slices) {
    const Program* p = program_of(programs, s.core);
    bool known = p && s.instr < p->instrs.size();
    out += first ? "{\"ph\":\"X\",\"name\":" : ",\n{\"ph\":\"X\",\"name\":";
    first = false;
    append_json_string(out, known ? name_of(p->instrs[s.instr].op) : std::string_view("instr"));
    out += ",\"cat\":";
    append_json_string(out, sim::busy_name(busy_key_of_track(s.track)));
    out += ",\"pid\":" + std::to_string(s.core) + ",\"tid\":" + std::to_string(s.track) + ",\"ts\":";
    append_json_number(out, s.start / 1000);
    out += ",\"dur\":";
    append_json_number(out, (s.end - s.start) / 1000);
    out += ",\"args\":";
    if (known) {
      std::vector<std::string>& a = args[p];
      if (a.empty()) a.resize(p->instrs.size());
      if (a[s.instr].empty()) a[s.instr] = instruction_args(*p, s.instr);
      out += a[s.instr];
    } else {
      out += "{\"instr\":" + std::to_string(s.instr) + "}";
    }
    out += '}';
  }
  // The metadata events end with ",\n": with no slices, drop the last comma.
  if (first && out.ends_with(",\n")) out.resize(out.size() - 2);
  out += "\n]}\n";
  return out;
}

}  // namespace nkic::perf
