// The C++ facade: compile a kernel from source and run it. The bindings and the CLI reach the compiler
// only through api/.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/checks.h"
#include "ir/program.h"
#include "perf/report.h"
#include "sim/core.h"
#include "sim/device.h"
#include "sim/memory.h"
#include "support/diagnostic.h"
#include "target/target.h"
#include "trace/specialize.h"

namespace nkic::api {

struct CompileOptions {
  TargetKind target = kDefaultTarget;
  std::vector<KernelArg> globals;  // live module globals the source alone lacks (see specialize)
  // Where absolute imports are found besides the kernel file's folder and its ancestors: the caller's
  // sys.path and sys.modules files (Python), or the kernel's folder, --path and PYTHONPATH (CLI); and
  // the environment os.environ reads (Python's os.environ; the CLI's is the C environment).
  HostContext host;
  // The launch grid: 0 for `kernel(...)`, 1 for `kernel[1]`, 2 for `kernel[2]` (LNC2: one Program per
  // core of the logical core, trn2/trn3 only).
  int grid = 0;
  // nki.collectives: the rank being compiled and the number of ranks launched (run_ranks).
  int rank = 0;
  int world_size = 1;
  // Launched by a Beta 1 launcher (neuronxcc.nki.*): no warning that the kernel uses the legacy namespace.
  bool legacy = false;
  // A Beta 1 SPMD grid `kernel[d0, d1, ...]` run serially on one core: its dims (empty: none).
  std::vector<int64_t> spmd;
  // The NKI release the kernel targets (trace/releases.h); none: the default (0.7.0's API plus the names
  // later releases removed, with warnings).
  std::optional<trace::Release> release;
  // A pass name (pass_names()): the Program as printed after that pass is kept in Kernel::dump().
  std::string dump_after;
  // Verify the IR after every pass, not only at the end: on in debug builds and with NKIC_VERIFY=1.
  bool verify_each = verify_each_default();
  static bool verify_each_default();
};

// nkic's own version (pyproject.toml's), e.g. "0.1.0".
std::string_view nkic_version();
// The NKI release a compile emulates, as shown to users: the selected one, else the default's ("0.7.0").
std::string_view nki_release_name(const std::optional<trace::Release>& selected);
// Parses a release selection (NKIC_NKI_RELEASE, `nkic --nki`, compile(release=)): "0.5", "0.5.0", "v0.5";
// throws std::invalid_argument naming the releases nkic speaks.
trace::Release parse_release_selection(const std::string& text, const std::string& where);

// The compile pipeline's passes, in order: specialize, allocate, placement, verify.
const std::vector<std::string_view>& pass_names();

struct TensorSpec {
  std::vector<int64_t> shape;
  DType dtype;
  std::string name;
  int32_t alias_input = -1;  // outputs: the input argument this returned tensor is (-1: a new array)
};

// A timed run (Kernel::profile): the timeline and what perf/ makes of it. Holds pointers into the
// Kernel's Programs: keep the Kernel alive while using it.
struct Profile {
  sim::Timeline timeline;
  std::vector<const Program*> programs;  // per core
  std::string kernel_name, target_name;
  std::vector<Diagnostic> warnings;
  perf::Summary summary() const { return perf::summarize(timeline, programs); }
  std::vector<perf::LineCost> lines() const { return perf::lines(timeline, programs); }
  std::string summary_text() const { return perf::summary_text(summary(), kernel_name, target_name); }
  std::string summary_json() const { return perf::summary_json(summary()); }
  std::string perfetto_json() const { return perf::perfetto_json(timeline, programs); }
  std::string html() const { return perf::html_report(timeline, programs, summary(), kernel_name, target_name); }
};

// The dynamic checks a run performs (ir/checks.h; the static ones are Kernel::static_findings).
struct RunChecks {
  CheckSet checks;               // uninit-read, shuffle, nonfinite among them run
  uint64_t seed = 0;             // shuffle: the seed of the iteration order
  bool uninit_is_error = false;  // uninit-read findings are errors (else warnings)
};

struct ProfileOptions {
  bool timing_only = false;  // skip the arithmetic and data movement (outputs are not written)
  bool keep_slices = true;   // every instruction's slice, for traces and the critical path
  // The cheap dynamic checks while timing (uninit-read, nonfinite; not shuffle): findings join warnings.
  CheckSet checks;
  bool uninit_is_error = false;
};

class Kernel {
 public:
  // One Program per core (one for a single-core launch).
  Kernel(std::vector<Program> programs, TargetKind t, std::vector<Diagnostic> warnings, std::string dump = "",
         EnvReads env = {})
      : programs_(std::move(programs)),
        target_(t),
        warnings_(std::move(warnings)),
        dump_(std::move(dump)),
        env_(std::move(env)) {}

  const Program& program() const { return programs_.front(); }  // core 0's
  const std::vector<Program>& programs() const { return programs_; }
  const Target& target() const { return nkic::target(target_); }
  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  std::vector<TensorSpec> input_specs() const;       // HBM tensor arguments, in argument order
  std::vector<TensorSpec> output_specs() const;      // returned tensors, in order
  size_t num_instructions() const;                   // over every core
  std::string ir() const;                            // the printed Program (each core's under LNC2)
  std::string allocation_report() const;             // where each on-chip tensor lives
  const std::string& dump() const { return dump_; }  // CompileOptions::dump_after
  // The environment variables the compile read (os.environ, os.getenv) and their values then: a
  // compile cache reuses this kernel only while they are unchanged.
  const EnvReads& env_reads() const { return env_; }

  // The static checks among `checks` (affine-dependence, psum-group, lnc-race) on the compiled
  // Programs: one Diagnostic per finding, `code` naming its check (api/check.cpp).
  std::vector<Diagnostic> static_findings(CheckSet checks) const;

  // Simulates the kernel: `inputs` and `outputs` are C-contiguous caller buffers matching the specs.
  // Inputs the kernel writes are updated in place. Throws UserError (kind "runtime") on kernel errors.
  // Returns the run's warnings (shared_hbm bytes written by both cores with no synchronization between).
  // With `checks`, the dynamic checks run too; their findings are among the returned diagnostics
  // (`code` set; severity Error for a bug, Warning for a suspicion).
  std::vector<Diagnostic> run(const std::vector<sim::HostBuffer>& inputs, const std::vector<sim::HostBuffer>& outputs,
                              const sim::Progress& progress = {}, const RunChecks& checks = {}) const;
  // Simulates and times the kernel (as run, plus the timing model of sim/timing.h).
  Profile profile(const std::vector<sim::HostBuffer>& inputs, const std::vector<sim::HostBuffer>& outputs,
                  const ProfileOptions& options = {}, const sim::Progress& progress = {}) const;

 private:
  std::vector<Program> programs_;
  TargetKind target_;
  std::vector<Diagnostic> warnings_;
  std::string dump_;
  EnvReads env_;
};

// Runs one compiled kernel per rank (each compiled with CompileOptions::rank), the ranks meeting at their
// nki.collectives calls: inputs[r]/outputs[r] are rank r's buffers. Returns the ranks' warnings.
std::vector<Diagnostic> run_ranks(const std::vector<std::shared_ptr<Kernel>>& ranks,
                                  const std::vector<std::vector<sim::HostBuffer>>& inputs,
                                  const std::vector<std::vector<sim::HostBuffer>>& outputs);
// The same, timed: one Profile per rank.
std::vector<Profile> profile_ranks(const std::vector<std::shared_ptr<Kernel>>& ranks,
                                   const std::vector<std::vector<sim::HostBuffer>>& inputs,
                                   const std::vector<std::vector<sim::HostBuffer>>& outputs,
                                   const ProfileOptions& options = {});

// The pipeline: parse -> specialize -> allocate -> placement -> verify. Compiles `kernel_name` from the
// module `source` (the whole file; `path` as the user named it). Throws UserError.
std::shared_ptr<Kernel> compile(const std::string& path, const std::string& source, const std::string& kernel_name,
                                const std::vector<KernelArg>& args, const CompileOptions& options = {}, int lineno = 0);

// The Python front end alone (`nkic parse`): the syntax and subset diagnostics of a file, and its
// normalized AST dump in *ast_dump when asked for and the file parses.
std::vector<Diagnostic> parse_file(const std::string& path, const std::string& source, std::string* ast_dump = nullptr);

// The names of a module's top-level functions, in order. Throws UserError on syntax errors.
std::vector<std::string> top_level_functions(const std::string& path, const std::string& source);

}  // namespace nkic::api
