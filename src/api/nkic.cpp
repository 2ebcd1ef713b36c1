// The C++ facade and the pipeline driver.
#include "api/nkic.h"
#include "api/pipeline.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "api/shuffle.h"
#include "frontend/ast.h"
#include "frontend/parser.h"
#include "ir/printer.h"
#include "ir/verify.h"
#include "passes/allocate.h"

namespace nkic::api {

namespace {
std::vector<TensorSpec> specs(const Program& p, TensorRole role, size_t count) {
  std::vector<TensorSpec> out(count);
  for (auto& t : p.tensors)
    if (t.role == role && t.io_index >= 0 && static_cast<size_t>(t.io_index) < count)
      out[t.io_index] = {t.shape, t.dtype, t.name};
  return out;
}

// The passes after specialize, each a free function of the Program.
struct Pass {
  std::string_view name;
  void (*run)(Program&, const Target&);
};
const Pass kPasses[] = {
    {"allocate", [](Program& p, const Target& t) { allocate(p, t); }},
    {"placement", [](Program& p, const Target& t) { check_placement(p, t); }},
    {"verify", [](Program& p, const Target&) { verify(p); }},
};
}  // namespace

std::string_view nkic_version() { return NKIC_VERSION; }

std::string_view nki_release_name(const std::optional<trace::Release>& selected) {
  return trace::name_of(selected.value_or(trace::kNewestRelease));
}

trace::Release parse_release_selection(const std::string& text, const std::string& where) {
  if (auto r = trace::parse_release(text)) return *r;
  throw std::invalid_argument(where + "='" + text +
                              "' is not an NKI release nkic emulates (0.3, 0.4, 0.5, 0.6 or 0.7; unset: the "
                              "default, 0.7.0 plus the names later releases removed)");
}

bool CompileOptions::verify_each_default() {
#ifndef NDEBUG
  return true;
#else
  const char* v = std::getenv("NKIC_VERIFY");
  return v && *v && std::string(v) != "0";
#endif
}

const std::vector<std::string_view>& pass_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n{"specialize"};
    for (const Pass& p : kPasses) n.push_back(p.name);
    return n;
  }();
  return names;
}

std::vector<TensorSpec> Kernel::input_specs() const {
  return specs(program(), TensorRole::Input, static_cast<size_t>(program().num_inputs));
}

std::vector<TensorSpec> Kernel::output_specs() const {
  std::vector<TensorSpec> out;
  for (uint32_t id : program().outputs) {
    const TensorDecl& t = program().tensors[id];
    out.push_back({t.shape, t.dtype, t.name, t.role == TensorRole::Input ? t.io_index : -1});
  }
  return out;
}

size_t Kernel::num_instructions() const {
  size_t n = 0;
  for (const Program& p : programs_) n += p.instrs.size();
  return n;
}

// Under LNC2 each core's part is headed "core N:".
template <class F>
std::string per_core(const std::vector<Program>& ps, F&& f) {
  if (ps.size() == 1) return f(ps[0]);
  std::string out;
  for (size_t c = 0; c < ps.size(); ++c) out += "core " + std::to_string(c) + ":\n" + f(ps[c]);
  return out;
}

std::string Kernel::ir() const {
  return per_core(programs_, [](const Program& p) { return print_program(p); });
}
std::string Kernel::allocation_report() const {
  return per_core(programs_, [](const Program& p) { return nkic::allocation_report(p); });
}

std::vector<Diagnostic> Kernel::run(const std::vector<sim::HostBuffer>& inputs,
                                    const std::vector<sim::HostBuffer>& outputs, const sim::Progress& progress,
                                    const RunChecks& checks) const {
  // shuffle: the inputs as they were, before the in-order run updates some in place.
  bool shuffle = checks.checks.has(Check::Shuffle);
  std::vector<std::vector<uint8_t>> saved;
  std::vector<sim::HostBuffer> before;
  if (shuffle)
    for (const sim::HostBuffer& b : inputs) {
      const uint8_t* d = static_cast<const uint8_t*>(b.data);
      saved.emplace_back(d, d + b.bytes);
      before.push_back({saved.back().data(), b.bytes});
    }
  std::vector<const Program*> ps;
  for (const Program& p : programs_) ps.push_back(&p);
  sim::Device dev(target(), ps, inputs, outputs);
  sim::CheckOptions o{checks.checks.has(Check::UninitRead), checks.uninit_is_error,
                      checks.checks.has(Check::NonFinite)};
  dev.enable_checks(o);
  dev.run(progress);
  std::vector<Diagnostic> out = dev.warnings();
  for (Diagnostic& d : dev.findings())  // a finding both cores of an LNC2 launch make is one finding
    if (std::none_of(out.begin(), out.end(), [&](const Diagnostic& o) {
          return o.code == d.code && o.message == d.message && o.loc.span.line == d.loc.span.line;
        }))
      out.push_back(std::move(d));
  if (shuffle)
    for (Diagnostic& d : shuffle_check(*this, before, inputs, outputs, checks.seed)) out.push_back(std::move(d));
  return out;
}

Profile Kernel::profile(const std::vector<sim::HostBuffer>& inputs, const std::vector<sim::HostBuffer>& outputs,
                        const ProfileOptions& options, const sim::Progress& progress) const {
  Profile out;
  for (const Program& p : programs_) out.programs.push_back(&p);
  sim::Device dev(target(), out.programs, inputs, outputs);
  dev.enable_timing(options.keep_slices, options.timing_only);
  sim::CheckOptions o{options.checks.has(Check::UninitRead), options.uninit_is_error,
                      options.checks.has(Check::NonFinite)};
  dev.enable_checks(o);
  dev.run(progress);
  out.timeline = dev.timer()->finish();
  out.kernel_name = programs_.front().kernel_name;
  out.target_name = std::string(target().name);
  out.warnings = dev.warnings();
  for (Diagnostic& d : dev.findings()) out.warnings.push_back(std::move(d));
  return out;
}

void run_passes(Program& p, const CompileOptions& options, std::string& dump) {
  const Target& tgt = nkic::target(options.target);
  auto after = [&](std::string_view pass) {
    if (options.verify_each && pass != "verify") verify(p);
    if (pass == options.dump_after) dump += print_program(p);
  };
  after("specialize");
  for (const Pass& pass : kPasses) {
    pass.run(p, tgt);
    after(pass.name);
  }
}

namespace {
// One core's Program through the pipeline: specialize, then each pass (verified after each when asked).
SpecializeResult compile_one(const SourceRef& src, const std::string& kernel_name, const std::vector<KernelArg>& args,
                             const CompileOptions& options, int lineno, const Launch& launch, std::string& dump) {
  const Target& tgt = nkic::target(options.target);
  SpecializeResult r =
      specialize(src, kernel_name, args, tgt, lineno, options.globals, options.host, launch);  // parses, traces
  run_passes(r.program, options, dump);
  return r;
}

// The kernel's `def` line (for launch errors found before tracing), or no span.
Span kernel_span(const SourceRef& src, const std::string& name) {
  std::vector<Diagnostic> diags;
  auto m = parse_module(src, diags);
  if (m)
    for (auto* s : m->body)
      if (s->kind == ast::StmtKind::FunctionDef && s->name == name) return s->span;
  return Span{};
}

[[noreturn]] void launch_error(const SourceRef& src, const std::string& kernel, const std::string& msg,
                               const std::string& hint) {
  Diagnostic d;
  d.loc = {src, kernel_span(src, kernel)};
  d.message = msg;
  d.hint = hint;
  throw UserError(std::move(d));
}

Diagnostic launch_warning(const SourceRef& src, const std::string& kernel, const std::string& msg,
                          const std::string& hint) {
  Diagnostic d;
  d.severity = Severity::Warning;
  d.loc = {src, kernel_span(src, kernel)};
  d.message = msg;
  d.hint = hint;
  return d;
}

// An environment variable the launch checks read: the caller's environment (Python's os.environ) or the C
// one. Not one of the kernel's own reads (Kernel::env_reads): nki.jit's cache keys on these two itself.
std::optional<std::string> launch_env(const CompileOptions& o, const std::string& name) {
  std::optional<std::string> v;
  if (o.host.environment) {
    if (auto it = o.host.environment->find(name); it != o.host.environment->end()) v = it->second;
  } else if (const char* c = std::getenv(name.c_str())) {
    v = c;
  }
  return v;
}

// The launch-level behaviour of the selected release (docs/semantics.md, "NKI releases"):
// NKI_PRECISE_FP (0.4.0) and the LNC-degree check (0.7.0).
void check_release_launch(const SourceRef& src, const std::string& kernel, const CompileOptions& o,
                          std::optional<trace::Release> release, std::vector<Diagnostic>& warnings) {
  using trace::Release;
  std::optional<std::string> precise = launch_env(o, "NKI_PRECISE_FP");
  if (precise && *precise == "0")  // AWS's simulator then keeps bf16/fp8 stores in fp32; hardware never does
    warnings.push_back(launch_warning(
        src, kernel, "NKI_PRECISE_FP=0 is ignored: nkic stores every dtype as the hardware does (rounded)",
        "nkic's numerics are the hardware's in every release; unset NKI_PRECISE_FP"));
  if (o.grid == 0 || (release && *release < Release::V0_7)) return;
  std::optional<std::string> lnc = launch_env(o, "NEURON_LOGICAL_NC_CONFIG");
  if (!lnc || (*lnc != "1" && *lnc != "2") || std::stoi(*lnc) == o.grid) return;
  std::string msg = "NKI kernel '" + kernel + "' is configured with LNC=" + std::to_string(o.grid) +
                    ", but NEURON_LOGICAL_NC_CONFIG=" + *lnc + " (NKI 0.7.0 checks the LNC degree)";
  std::string hint = "launch with kernel[" + *lnc + "] or set NEURON_LOGICAL_NC_CONFIG=" + std::to_string(o.grid);
  if (release) launch_error(src, kernel, msg, hint);
  warnings.push_back(launch_warning(src, kernel, msg, hint + " (an error when NKI 0.7.0 is selected)"));
}

// The cores of an LNC2 launch share the caller's buffers: their arguments and outputs must agree.
void check_same_interface(const SourceRef& src, const Program& a, const Program& b) {
  auto io = [](const Program& p) {
    std::vector<std::pair<std::vector<int64_t>, DType>> out;
    for (uint32_t id : p.outputs) out.push_back({p.tensors[id].shape, p.tensors[id].dtype});
    return out;
  };
  if (io(a) != io(b) || a.output_is_tuple != b.output_is_tuple || a.num_inputs != b.num_inputs)
    launch_error(src, a.kernel_name, "kernel '" + a.kernel_name + "' returns different outputs on core 0 and core 1",
                 "both cores must return the same shared_hbm tensors (same shapes and dtypes)");
}
}  // namespace

std::vector<Launch> check_launch(const SourceRef& src, const std::string& kernel_name, const CompileOptions& options,
                                 std::vector<Diagnostic>& warnings) {
  const auto& names = pass_names();
  if (!options.dump_after.empty() && std::find(names.begin(), names.end(), options.dump_after) == names.end())
    throw std::invalid_argument("unknown pass '" + options.dump_after + "'");
  const Target& tgt = nkic::target(options.target);
  if (options.grid < 0 || options.grid > 2)
    launch_error(src, kernel_name,
                 "kernel[" + std::to_string(options.grid) + "]: a logical NeuronCore has 1 or 2 physical cores",
                 "launch with kernel[1] or kernel[2]");
  if (options.grid == 2 && tgt.nc_version < 3)
    launch_error(
        src, kernel_name,
        "kernel[2] needs two physical cores per logical core (LNC2), which " + std::string(tgt.name) + " does not have",
        "LNC2 is available on trn2 and trn3; on " + std::string(tgt.name) + " launch with kernel[1]");
  if (!options.spmd.empty() && options.grid > 0)
    launch_error(src, kernel_name, "a kernel launches either on an SPMD grid or on the cores of a logical core",
                 "use kernel[d0, d1, ...] (programs run one after another) or kernel[nl.nc(2)] (LNC2), not both");
  for (int64_t d : options.spmd)
    if (d < 1)
      launch_error(src, kernel_name, "launch-grid dimensions must be positive, not " + std::to_string(d),
                   "launch with kernel[d0, d1, ...] of positive ints");
  int cores = options.grid == 2 ? 2 : 1;
  // A Beta 1 launch (neuronxcc.nki) is the legacy language: no NKI release applies to it.
  std::optional<trace::Release> release = options.legacy ? std::nullopt : options.release;
  if (!options.legacy) check_release_launch(src, kernel_name, options, release, warnings);
  std::vector<Launch> launches;
  for (int c = 0; c < cores; ++c)
    launches.push_back(Launch{c,
                              std::max(options.grid, 1),
                              options.grid > 0 ? 1 : 0,
                              options.rank,
                              options.world_size,
                              options.legacy,
                              options.spmd,
                              {},
                              release});
  return launches;
}

void add_core_result(SpecializeResult& r, int core, KernelParts& parts) {
  for (Diagnostic& w : r.warnings)  // a warning both cores give is one warning
    if (core == 0 || std::none_of(parts.warnings.begin(), parts.warnings.end(), [&](const Diagnostic& o) {
          return o.message == w.message && o.loc.span.line == w.loc.span.line;
        }))
      parts.warnings.push_back(std::move(w));
  parts.env.all = parts.env.all || r.env.all;  // what any core read keys the compile cache
  for (EnvRead& v : r.env.vars)
    if (std::none_of(parts.env.vars.begin(), parts.env.vars.end(), [&](const EnvRead& o) { return o.name == v.name; }))
      parts.env.vars.push_back(std::move(v));
  parts.programs.push_back(std::move(r.program));
}

std::shared_ptr<Kernel> assemble(const SourceRef& src, KernelParts parts, TargetKind target) {
  std::sort(parts.env.vars.begin(), parts.env.vars.end(),
            [](const EnvRead& a, const EnvRead& b) { return a.name < b.name; });
  if (parts.programs.size() > 1) check_same_interface(src, parts.programs[0], parts.programs[1]);
  return std::make_shared<Kernel>(std::move(parts.programs), target, std::move(parts.warnings), std::move(parts.dump),
                                  std::move(parts.env));
}

std::shared_ptr<Kernel> compile(const std::string& path, const std::string& source, const std::string& kernel_name,
                                const std::vector<KernelArg>& args, const CompileOptions& options, int lineno) {
  auto src = std::make_shared<const SourceFile>(path, source);
  KernelParts parts;
  std::vector<Launch> launches = check_launch(src, kernel_name, options, parts.warnings);
  for (size_t c = 0; c < launches.size(); ++c) {
    if (launches.size() > 1 && !options.dump_after.empty()) parts.dump += "core " + std::to_string(c) + ":\n";
    SpecializeResult r = compile_one(src, kernel_name, args, options, lineno, launches[c], parts.dump);
    add_core_result(r, static_cast<int>(c), parts);
  }
  return assemble(src, std::move(parts), options.target);
}

std::vector<Diagnostic> run_ranks(const std::vector<std::shared_ptr<Kernel>>& ranks,
                                  const std::vector<std::vector<sim::HostBuffer>>& inputs,
                                  const std::vector<std::vector<sim::HostBuffer>>& outputs) {
  std::vector<std::unique_ptr<sim::Device>> devices;
  std::vector<sim::Device*> world;
  for (size_t r = 0; r < ranks.size(); ++r) {
    std::vector<const Program*> ps;
    for (const Program& p : ranks[r]->programs()) ps.push_back(&p);
    devices.push_back(
        std::make_unique<sim::Device>(ranks[r]->target(), ps, inputs.at(r), outputs.at(r), static_cast<int>(r)));
    world.push_back(devices.back().get());
  }
  sim::World(world).run();
  std::vector<Diagnostic> warnings;
  for (auto& d : devices) warnings.insert(warnings.end(), d->warnings().begin(), d->warnings().end());
  return warnings;
}

std::vector<Profile> profile_ranks(const std::vector<std::shared_ptr<Kernel>>& ranks,
                                   const std::vector<std::vector<sim::HostBuffer>>& inputs,
                                   const std::vector<std::vector<sim::HostBuffer>>& outputs,
                                   const ProfileOptions& options) {
  std::vector<std::unique_ptr<sim::Device>> devices;
  std::vector<sim::Device*> world;
  std::vector<Profile> out(ranks.size());
  for (size_t r = 0; r < ranks.size(); ++r) {
    for (const Program& p : ranks[r]->programs()) out[r].programs.push_back(&p);
    devices.push_back(std::make_unique<sim::Device>(ranks[r]->target(), out[r].programs, inputs.at(r), outputs.at(r),
                                                    static_cast<int>(r)));
    devices.back()->enable_timing(options.keep_slices, options.timing_only);
    world.push_back(devices.back().get());
  }
  sim::World(world).run();
  for (size_t r = 0; r < ranks.size(); ++r) {
    out[r].timeline = devices[r]->timer()->finish();
    out[r].kernel_name = ranks[r]->program().kernel_name;
    out[r].target_name = std::string(ranks[r]->target().name);
    out[r].warnings = devices[r]->warnings();
  }
  return out;
}

std::vector<Diagnostic> parse_file(const std::string& path, const std::string& source, std::string* ast_dump) {
  auto src = std::make_shared<const SourceFile>(path, source);
  std::vector<Diagnostic> diags;
  auto m = parse_module(src, diags);
  if (diags.empty() && ast_dump) *ast_dump = dump_ast(*m);
  return diags;
}

std::vector<std::string> top_level_functions(const std::string& path, const std::string& source) {
  auto m = parse_module_or_throw(std::make_shared<const SourceFile>(path, source));
  std::vector<std::string> defs;
  for (auto* s : m->body)
    if (s->kind == ast::StmtKind::FunctionDef) defs.push_back(s->name);
  return defs;
}

}  // namespace nkic::api
