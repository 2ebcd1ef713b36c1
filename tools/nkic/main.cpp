// nkic: the command line. Subcommands: run, profile, check, ir, parse, migrate. Exit codes: 0 ok, 1 kernel or
// compile error, 2 usage error.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "api/host_array.h"
#include "api/nkic.h"
#include "tools/nkic/cli.h"

using namespace nkic;

int migrate_command(int argc, char** argv);  // migrate.cpp

namespace {

// The front door's compile: api::compile, or the tracing front door's (nkic/cli.py, through nki._core).
cli::CompileFn g_compile;

constexpr const char* kUsage = R"(nkic - compile and simulate NKI kernels without Trainium hardware

usage: nkic <command> [options]

commands:
  run     compile and simulate a kernel, save its outputs as .npy, print its estimated latency
  profile compile, simulate and time a kernel: where the time goes, a trace, an HTML report
  check   compile only and print diagnostics
  ir      print the compiled instruction program
  parse   parse Python files and report syntax errors (--dump-ast prints the AST)
  migrate list what a Beta 1 (neuronxcc.nki) kernel must change for NKI 0.3.0; --fix rewrites it

Run 'nkic <command> --help' for the options of a command.
)";

constexpr const char* kKernelHelp = R"(usage: nkic %s FILE.py[:KERNEL] --arg NAME=SHAPE:DTYPE[=INIT] ... [options]

  FILE.py[:KERNEL]   the kernel's module; KERNEL defaults to the file's only top-level function
  --arg NAME=SHAPE:DTYPE[=INIT]
                     a tensor argument: SHAPE like 128x512, DTYPE an NKI dtype (float32,
                     bfloat16, ...), INIT one of random (default), zeros, ones or a .npy file
  --arg NAME=VALUE   a scalar argument: an int, a float, True/False/None or a string
  --target T         trn1, trn2 (default) or trn3
  --path DIR         also find absolute imports in DIR (repeatable); searched after the kernel's
                     folder and before PYTHONPATH
  --lnc N            launch on N cores of a logical core, as kernel[N] does (1 or 2; 2 needs trn2/trn3)
  --nki X            the NKI release the kernel targets: 0.3, 0.4, 0.5, 0.6 or 0.7 (default:
                     NKIC_NKI_RELEASE, else 0.7.0's API plus removed names, with warnings)
  --frontend F       custom (the C++ specializer) or trace (NKI 0.7.0: the kernel runs in Python; needs
                     python3 with nkic installed). Default: NKI_COMPILER_FRONTEND, else trace when
                     NKI 0.7 is selected (--nki / NKIC_NKI_RELEASE), else custom
  --ranks N          (run) N ranks meeting at their nki.collectives calls; rank r's random inputs use
                     seed + r, and its outputs go to DIR/rank<r>/
  --seed N           seed for random inputs (default 0)
  --checks SEL       (run, check, profile) the checks (docs/checks.md): all, none, default or names
                     separated by commas (affine-dependence, psum-group, lnc-race, uninit-read,
                     shuffle, nonfinite); findings are errors and exit 1. check runs the static ones.
                     Default: NKIC_CHECKS, else the cheap ones, as warnings
%s  -q, --quiet        print nothing but errors
  --json             print a JSON summary
  -h, --help         this help

examples:
  nkic %s examples/tensor_add.py:tensor_add --arg a=128x512:float32 --arg b=128x512:float32%s
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw UsageError("cannot read '" + path + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct TensorInput {
  std::string name;
  api::HostArray array;
};

struct KernelCommand {
  std::string file, kernel, out_dir, target = "trn2", after, trace, html;
  bool timing_only = false;
  int grid = 0;                           // --lnc
  int ranks = 1;                          // --ranks
  std::optional<trace::Release> release;  // --nki, else NKIC_NKI_RELEASE; none: the default
  std::vector<std::string> arg_specs;
  uint64_t seed = 0;
  bool quiet = false, json = false;
  std::optional<std::string> checks;  // --checks, else NKIC_CHECKS: explicit (findings are errors)
  std::vector<KernelArg> args;
  std::vector<TensorInput> tensors;  // in argument order
  std::vector<std::string> paths;    // --path
};

std::vector<int64_t> parse_shape(const std::string& s) {
  std::vector<int64_t> shape;
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, 'x')) {
    try {
      size_t pos;
      long long v = std::stoll(tok, &pos);
      if (pos != tok.size() || v <= 0) throw 0;
      shape.push_back(v);
    } catch (...) {
      throw UsageError("bad shape '" + s + "' (expected e.g. 128x512)");
    }
  }
  if (shape.empty()) throw UsageError("bad shape '" + s + "'");
  return shape;
}

ArgValue scalar_arg(const std::string& v) {
  ArgValue a;
  if (v == "None") return a;
  if (v == "True" || v == "False") {
    a.kind = ArgValue::Kind::Bool;
    a.b = v == "True";
    return a;
  }
  char* end = nullptr;
  long long i = std::strtoll(v.c_str(), &end, 10);
  if (!v.empty() && *end == '\0') {
    a.kind = ArgValue::Kind::Int;
    a.i = i;
    return a;
  }
  double f = std::strtod(v.c_str(), &end);
  if (!v.empty() && *end == '\0') {
    a.kind = ArgValue::Kind::Float;
    a.f = f;
    return a;
  }
  a.kind = ArgValue::Kind::Str;
  a.s = v;
  return a;
}

void fill_init(api::HostArray& arr, const std::string& init, std::mt19937_64& rng) {
  arr = api::make_array(arr.shape, arr.dtype);
  if (init == "zeros") return;
  std::uniform_real_distribution<float> uni(-1.f, 1.f);
  for (int64_t i = 0; i < arr.size(); ++i)
    arr.set(i, init == "ones" ? 1.f : (is_float(arr.dtype) ? uni(rng) : std::floor((uni(rng) + 1.f) * 8.f)));
}

void parse_arg(KernelCommand& c, const std::string& spec, std::mt19937_64& rng) {
  auto eq = spec.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError("bad --arg '" + spec + "' (expected NAME=SHAPE:DTYPE[=INIT])");
  std::string name = spec.substr(0, eq), rest = spec.substr(eq + 1);
  auto colon = rest.find(':');
  if (colon == std::string::npos) {  // scalar
    c.args.push_back({name, scalar_arg(rest)});
    return;
  }
  std::string shape = rest.substr(0, colon), tail = rest.substr(colon + 1);
  auto eq2 = tail.find('=');
  std::string dtype = tail.substr(0, eq2), init = eq2 == std::string::npos ? "random" : tail.substr(eq2 + 1);
  auto dt = dtype_from_name(dtype);
  if (!dt || is_packed(*dt)) throw UsageError("unknown dtype '" + dtype + "' in --arg " + name);
  TensorInput t{name, {}};
  t.array.shape = parse_shape(shape);
  t.array.dtype = *dt;
  if (init == "random" || init == "zeros" || init == "ones") {
    fill_init(t.array, init, rng);
  } else {
    api::HostArray loaded;
    try {
      loaded = api::read_array(init, &*dt);  // converted to the declared dtype
    } catch (const std::exception& e) {
      throw UsageError(std::string("--arg ") + name + ": " + init + ": " + e.what());
    }
    if (loaded.shape != t.array.shape)
      throw UsageError("--arg " + name + ": " + init + " has a different shape than " + shape);
    t.array = std::move(loaded);
  }
  c.args.push_back({name, ArgValue::tensor(t.array.shape, t.array.dtype)});
  c.tensors.push_back(std::move(t));
}

trace::Release release_or_usage(const std::string& v, const std::string& where) {
  try {
    return api::parse_release_selection(v, where);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

KernelCommand parse_kernel_command(const std::string& cmd, int argc, char** argv) {
  KernelCommand c;
  if (const char* env = std::getenv("NKIC_NKI_RELEASE"); env && *env)  // --nki overrides it
    c.release = release_or_usage(env, "NKIC_NKI_RELEASE");
  std::vector<std::string> arg_specs;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* flag) {
      if (i + 1 >= argc) throw UsageError(std::string(flag) + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "-h" || a == "--help") {
      bool run = cmd == "run";
      std::printf(kKernelHelp, cmd.c_str(),
                  run           ? "  --out DIR          write each output as DIR/<name>.npy\n"
                  : cmd == "ir" ? "  --after PASS       print the Program after one pass (specialize, allocate,\n"
                                  "                     placement, verify) instead of the final one\n"
                  : cmd == "profile"
                      ? "  --timing-only      time without the arithmetic (much faster; control flow and\n"
                        "                     addresses must not depend on the data)\n"
                        "  --trace FILE       write a Chrome trace-event JSON (Perfetto, chrome://tracing)\n"
                        "  --html FILE        write a self-contained HTML report\n"
                      : "",
                  cmd.c_str(),
                  run                ? " --out out/"
                  : cmd == "profile" ? " --html report.html"
                                     : "");
      std::exit(0);
    } else if (a == "--arg") {
      arg_specs.push_back(value("--arg"));
    } else if (a.rfind("--arg=", 0) == 0) {
      arg_specs.push_back(a.substr(6));
    } else if (a == "--out" && cmd == "run") {
      c.out_dir = value("--out");
    } else if (a == "--after" && cmd == "ir") {
      c.after = value("--after");
      const auto& passes = api::pass_names();
      if (std::find(passes.begin(), passes.end(), c.after) == passes.end()) {
        std::string list;
        for (auto p : passes) list += (list.empty() ? "" : ", ") + std::string(p);
        throw UsageError("unknown pass '" + c.after + "' for --after (passes: " + list + ")");
      }
    } else if (a == "--timing-only" && cmd == "profile") {
      c.timing_only = true;
    } else if (a == "--trace" && cmd == "profile") {
      c.trace = value("--trace");
    } else if (a == "--html" && cmd == "profile") {
      c.html = value("--html");
    } else if (a == "--ranks" && cmd == "run") {
      std::string v = value("--ranks");
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || std::stoi(v) < 1 || std::stoi(v) > 64)
        throw UsageError("--ranks takes a number of ranks from 1 to 64, not '" + v + "'");
      c.ranks = std::stoi(v);
    } else if (a == "--lnc") {
      std::string v = value("--lnc");
      if (v != "1" && v != "2")
        throw UsageError("--lnc takes 1 or 2 (the physical cores of a logical core), not '" + v + "'");
      c.grid = std::stoi(v);
    } else if (a == "--nki" || a.rfind("--nki=", 0) == 0) {
      std::string v = a == "--nki" ? value("--nki") : a.substr(6);
      c.release = release_or_usage(v, "--nki");
    } else if (a == "--frontend" || a.rfind("--frontend=", 0) == 0) {  // chosen before parsing: cli_entry.cpp
      std::string v = a == "--frontend" ? value("--frontend") : a.substr(11);
      if (v != "custom" && v != "trace") throw UsageError("--frontend takes custom or trace, not '" + v + "'");
    } else if (a == "--target") {
      c.target = value("--target");
    } else if (a == "--path") {
      c.paths.push_back(value("--path"));
    } else if (a.rfind("--path=", 0) == 0) {
      c.paths.push_back(a.substr(7));
    } else if (a == "--checks" || a.rfind("--checks=", 0) == 0) {
      c.checks = a == "--checks" ? value("--checks") : a.substr(9);
    } else if (a == "--seed") {
      c.seed = std::stoull(value("--seed"));
    } else if (a == "-q" || a == "--quiet") {
      c.quiet = true;
    } else if (a == "--json") {
      c.json = true;
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError("unknown option '" + a + "' for nkic " + cmd);
    } else if (c.file.empty()) {
      auto colon = a.rfind(':');
      if (colon != std::string::npos && colon > 0 && a.find(".py", colon) == std::string::npos) {
        c.file = a.substr(0, colon);
        c.kernel = a.substr(colon + 1);
      } else {
        c.file = a;
      }
    } else {
      throw UsageError("unexpected argument '" + a + "'");
    }
  }
  if (c.file.empty()) throw UsageError("nkic " + cmd + " needs a kernel file (FILE.py[:KERNEL])");
  if (const char* env = std::getenv("NKIC_CHECKS"); !c.checks && env && *env) c.checks = env;
  if (!parse_target(c.target)) throw UsageError("unknown target '" + c.target + "' (use trn1, trn2 or trn3)");
  for (auto& d : c.paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(d, ec)) throw UsageError("--path " + d + ": not a directory");
  }
  std::mt19937_64 rng(c.seed);
  for (auto& s : arg_specs) parse_arg(c, s, rng);
  c.arg_specs = arg_specs;
  return c;
}

// The kernel's name when the user gave only a file: the file's only top-level function.
std::string default_kernel(const std::string& path, const std::string& text) {
  std::vector<std::string> defs = api::top_level_functions(path, text);
  if (defs.size() == 1) return defs[0];
  std::string list;
  for (auto& d : defs) list += (list.empty() ? "" : ", ") + d;
  throw UsageError(path + " defines " + std::to_string(defs.size()) + " functions" +
                   (list.empty() ? "" : " (" + list + ")") + "; name the kernel as FILE.py:KERNEL");
}

// "NKI 0.6.0, nkic 0.1.0": the release emulated (the default's when none is selected) and our version.
std::string versions(const KernelCommand& c) {
  return "NKI " + std::string(api::nki_release_name(c.release)) + (c.release ? "" : " (default)") + ", nkic " +
         std::string(api::nkic_version());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string json_escape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\';
    if (ch == '\n') {
      o += "\\n";
      continue;
    }
    o += ch;
  }
  return o;
}

// A progress bar on stderr for long simulations, only when stderr is a terminal (NKIC_PROGRESS=always
// shows it for short runs too; it is never drawn into pipes or files).
sim::Progress progress_bar(const KernelCommand& c, size_t instructions) {
  const char* env = std::getenv("NKIC_PROGRESS");
  bool always = env && std::string(env) == "always";
  if (c.quiet || c.json || !isatty(2) || (instructions < 200000 && !always)) return {};
  return [](size_t done, size_t total) {
    int width = 40, filled = total ? static_cast<int>(width * done / total) : width;
    std::fprintf(stderr, "\r  simulating [%s%s] %3zu%% %zu/%zu instructions", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), total ? 100 * done / total : 100, done, total);
    if (done == total) std::fprintf(stderr, "\r%*s\r", 100, "");
    std::fflush(stderr);
  };
}

// Where absolute imports are found, as `python FILE.py` would: the kernel's folder, then --path, then
// PYTHONPATH.
std::vector<std::string> import_paths(const KernelCommand& c) {
  std::filesystem::path file(c.file);
  std::vector<std::string> paths = {file.has_parent_path() ? file.parent_path().string() : "."};
  paths.insert(paths.end(), c.paths.begin(), c.paths.end());
  if (const char* pp = std::getenv("PYTHONPATH")) {
    std::stringstream ss(pp);
    std::string dir;
    while (std::getline(ss, dir, ':'))
      if (!dir.empty()) paths.push_back(dir);
  }
  return paths;
}

// `nkic run --ranks N`: one compile and one device per rank, run together (api::run_ranks).
int ranks_command(KernelCommand& c, const std::string& text, api::CompileOptions opts) {
  std::vector<std::shared_ptr<api::Kernel>> kernels;
  std::vector<KernelCommand> per_rank;
  std::vector<std::vector<api::HostArray>> outs(static_cast<size_t>(c.ranks));
  std::vector<std::vector<sim::HostBuffer>> inputs, outputs;
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < c.ranks; ++r) {
    KernelCommand cr = c;
    cr.args.clear();
    cr.tensors.clear();
    std::mt19937_64 rng(c.seed + static_cast<uint64_t>(r));
    for (auto& s : c.arg_specs) parse_arg(cr, s, rng);
    opts.rank = r;
    opts.world_size = c.ranks;
    kernels.push_back(g_compile(c.file, text, c.kernel, cr.args, opts));
    for (auto& w : kernels.back()->warnings()) std::cerr << render(w);
    per_rank.push_back(std::move(cr));
  }
  double compile_s = seconds_since(t0);
  for (int r = 0; r < c.ranks; ++r) {
    auto& in = inputs.emplace_back();
    for (auto& t : per_rank[static_cast<size_t>(r)].tensors)
      in.push_back({t.array.data.data(), static_cast<int64_t>(t.array.data.size())});
    auto& o = outputs.emplace_back();
    for (auto& s : kernels[static_cast<size_t>(r)]->output_specs()) {
      outs[static_cast<size_t>(r)].push_back(
          s.alias_input >= 0 ? per_rank[static_cast<size_t>(r)].tensors[static_cast<size_t>(s.alias_input)].array
                             : api::make_array(s.shape, s.dtype));
      auto& a = outs[static_cast<size_t>(r)].back();
      o.push_back({a.data.data(), static_cast<int64_t>(a.data.size())});
    }
  }
  t0 = std::chrono::steady_clock::now();
  api::ProfileOptions po;
  po.keep_slices = false;
  std::vector<api::Profile> profiles = api::profile_ranks(kernels, inputs, outputs, po);
  double sim_s = seconds_since(t0), latency_ns = 0;
  for (auto& p : profiles) {
    for (auto& w : p.warnings) std::cerr << render(w);
    latency_ns = std::max(latency_ns, p.timeline.latency_ns);
  }
  for (int r = 0; r < c.ranks && !c.out_dir.empty(); ++r) {
    std::string dir = c.out_dir + "/rank" + std::to_string(r);
    std::filesystem::create_directories(dir);
    auto specs = kernels[static_cast<size_t>(r)]->output_specs();
    for (size_t i = 0; i < specs.size(); ++i)
      api::write_array(dir + "/" + (specs[i].name.empty() ? "out" + std::to_string(i) : specs[i].name) + ".npy",
                       outs[static_cast<size_t>(r)][i]);
  }
  if (!c.quiet)
    std::printf(
        "kernel %s on %s, %d ranks: %zu instructions per rank; %s\n  compile %.3f s, simulate %.3f s, estimated "
        "latency %.2f us%s\n",
        c.kernel.c_str(), c.target.c_str(), c.ranks, kernels[0]->num_instructions(), versions(c).c_str(), compile_s,
        sim_s, latency_ns / 1000.0, c.out_dir.empty() ? "" : (", outputs in " + c.out_dir + "/rank<r>/").c_str());
  return 0;
}

// The checks a command runs: the explicit selection, else the cheap default (ir/checks.h).
CheckSet selected_checks(const KernelCommand& c) {
  if (!c.checks) return default_checks();
  try {
    return parse_checks(*c.checks);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--checks: ") + e.what());
  }
}

// Prints diagnostics on stderr; returns how many were check findings.
size_t print_findings(const std::vector<Diagnostic>& ds) {
  size_t n = 0;
  for (const Diagnostic& d : ds) {
    std::cerr << render(d);
    n += !d.code.empty();
  }
  return n;
}

int kernel_command(const std::string& cmd, int argc, char** argv) {
  KernelCommand c = parse_kernel_command(cmd, argc, argv);
  std::string text = read_file(c.file);
  if (c.kernel.empty()) c.kernel = default_kernel(c.file, text);
  api::CompileOptions opts;
  opts.target = *parse_target(c.target);
  opts.dump_after = c.after;
  opts.host.paths = import_paths(c);
  opts.grid = c.grid;
  opts.release = c.release;
  if (c.ranks > 1) return ranks_command(c, text, opts);
  auto t0 = std::chrono::steady_clock::now();
  auto kernel = g_compile(c.file, text, c.kernel, c.args, opts);
  double compile_s = seconds_since(t0);
  for (auto& w : kernel->warnings()) std::cerr << render(w);
  CheckSet checks = selected_checks(c);
  size_t found = 0;
  if (cmd != "ir") {  // the static checks: findings are errors when asked for, else warnings
    std::vector<Diagnostic> st = kernel->static_findings(checks);
    if (!c.checks)
      for (Diagnostic& d : st) d.severity = d.severity == Severity::Error ? Severity::Warning : d.severity;
    found += print_findings(st);
  }
  bool fail_on_findings = c.checks.has_value();
  if (cmd == "ir") {
    std::cout << (opts.dump_after.empty() ? kernel->ir() + kernel->allocation_report() : kernel->dump());
    return 0;
  }
  if (cmd == "check") {
    if (found && fail_on_findings) return 1;
    if (!c.quiet)
      std::printf("%s: ok (%zu instructions, compiled in %.3f s; %s)\n", c.kernel.c_str(), kernel->num_instructions(),
                  compile_s, versions(c).c_str());
    return 0;
  }
  std::vector<sim::HostBuffer> inputs;
  for (auto& t : c.tensors) inputs.push_back({t.array.data.data(), static_cast<int64_t>(t.array.data.size())});
  std::vector<api::HostArray> outs;
  std::vector<sim::HostBuffer> outputs;
  auto specs = kernel->output_specs();
  for (auto& s : specs) {
    api::HostArray a;
    if (s.alias_input >= 0) {  // a returned input argument: that array, after the run
      outs.push_back(a);
      continue;
    }
    outs.push_back(api::make_array(s.shape, s.dtype));
  }
  for (auto& o : outs) outputs.push_back({o.data.data(), static_cast<int64_t>(o.data.size())});
  t0 = std::chrono::steady_clock::now();
  bool profile = cmd == "profile";
  api::ProfileOptions po;
  po.timing_only = c.timing_only;
  po.keep_slices = profile;
  po.checks = checks;
  po.uninit_is_error = fail_on_findings;
  api::Profile prof;
  if (fail_on_findings && !profile) {  // `run --checks`: the checked run (shuffle runs again), untimed
    api::RunChecks rc{checks, c.seed, true};
    found += print_findings(kernel->run(inputs, outputs, progress_bar(c, kernel->num_instructions()), rc));
  } else {
    prof = kernel->profile(inputs, outputs, po, progress_bar(c, kernel->num_instructions()));
    found += print_findings(prof.warnings);
  }
  double sim_s = seconds_since(t0), latency_us = prof.timeline.latency_ns / 1000.0;
  if (found && fail_on_findings) {
    std::cerr << "nkic: " << found << " check finding" << (found == 1 ? "" : "s") << "\n";
    return 1;
  }
  if (profile) {
    auto write = [](const std::string& path, const std::string& text) {
      std::ofstream f(path, std::ios::binary);
      if (!f || !(f << text)) throw UsageError("cannot write '" + path + "'");
    };
    if (!c.trace.empty()) write(c.trace, prof.perfetto_json());
    if (!c.html.empty()) write(c.html, prof.html());
    if (c.quiet) return 0;
    if (c.json) {
      std::string js = prof.summary_json();  // one object: add the run's facts
      js.insert(js.size() - 1, ", \"kernel\": \"" + json_escape(c.kernel) + "\", \"target\": \"" + c.target +
                                   "\", \"cores\": " + std::to_string(c.grid == 2 ? 2 : 1) +
                                   ", \"timing_only\": " + (c.timing_only ? "true" : "false") + ", \"nki\": \"" +
                                   std::string(api::nki_release_name(c.release)) + "\", \"nkic\": \"" +
                                   std::string(api::nkic_version()) + "\"" + ", \"compile_seconds\": " +
                                   std::to_string(compile_s) + ", \"simulate_seconds\": " + std::to_string(sim_s));
      std::cout << js << "\n";
    } else {
      std::cout << prof.summary_text();
      std::printf("  compile %.3f s, simulate %.3f s; %s%s%s%s\n", compile_s, sim_s, versions(c).c_str(),
                  c.trace.empty() ? "" : (", trace in " + c.trace).c_str(),
                  c.html.empty() ? "" : (", report in " + c.html).c_str(), c.timing_only ? " (timing only)" : "");
    }
    return 0;
  }
  for (size_t i = 0; i < specs.size(); ++i)
    if (specs[i].alias_input >= 0) outs[i] = c.tensors[static_cast<size_t>(specs[i].alias_input)].array;
  if (!c.out_dir.empty()) {
    std::filesystem::create_directories(c.out_dir);
    for (size_t i = 0; i < outs.size(); ++i) {
      std::string name = specs[i].name.empty() ? "out" + std::to_string(i) : specs[i].name;
      api::write_array(c.out_dir + "/" + name + ".npy", outs[i]);
    }
  }
  if (c.quiet) return 0;
  std::ostringstream js;
  if (c.json)
    js << "{\"kernel\": \"" << json_escape(c.kernel) << "\", \"target\": \"" << c.target
       << "\", \"cores\": " << (c.grid == 2 ? 2 : 1) << ", \"nki\": \"" << api::nki_release_name(c.release)
       << "\", \"nkic\": \"" << api::nkic_version() << "\", \"instructions\": " << kernel->num_instructions()
       << ", \"compile_seconds\": " << compile_s << ", \"simulate_seconds\": " << sim_s
       << ", \"latency_us\": " << latency_us << ", \"outputs\": [";
  else
    std::printf("kernel %s on %s%s: %zu instructions; %s\n", c.kernel.c_str(), c.target.c_str(),
                c.grid == 2 ? " (LNC2, 2 cores)" : "", kernel->num_instructions(), versions(c).c_str());
  for (size_t i = 0; i < outs.size(); ++i) {
    const auto& o = outs[i];
    int64_t n = o.size();
    double mn = INFINITY, mx = -INFINITY, sum = 0;
    int64_t nans = 0;
    for (int64_t k = 0; k < n; ++k) {
      double v = o.get(k);
      if (std::isnan(v)) {
        ++nans;
        continue;
      }
      mn = std::min(mn, v);
      mx = std::max(mx, v);
      sum += v;
    }
    double mean = n > nans ? sum / static_cast<double>(n - nans) : NAN;
    std::string shape;
    for (size_t d = 0; d < o.shape.size(); ++d) shape += (d ? "x" : "") + std::to_string(o.shape[d]);
    if (c.json) {
      js << (i ? ", " : "") << "{\"name\": \"" << json_escape(specs[i].name) << "\", \"shape\": [";
      for (size_t d = 0; d < o.shape.size(); ++d) js << (d ? ", " : "") << o.shape[d];
      js << "], \"dtype\": \"" << name_of(o.dtype) << "\", \"min\": " << (nans == n ? 0 : mn)
         << ", \"max\": " << (nans == n ? 0 : mx) << ", \"mean\": " << (std::isnan(mean) ? 0 : mean)
         << ", \"nan_count\": " << nans << "}";
    } else {
      std::printf("  output %s: %s %s  min %.6g  max %.6g  mean %.6g%s\n", specs[i].name.c_str(), shape.c_str(),
                  std::string(name_of(o.dtype)).c_str(), mn, mx, mean,
                  nans ? ("  (" + std::to_string(nans) + " NaN: unwritten memory?)").c_str() : "");
    }
  }
  if (c.json) {
    js << "]}";
    std::cout << js.str() << "\n";
  } else {
    if (fail_on_findings)
      std::printf("  compile %.3f s, simulate %.3f s, checks %s: no findings%s\n", compile_s, sim_s, c.checks->c_str(),
                  c.out_dir.empty() ? "" : (", outputs in " + c.out_dir + "/").c_str());
    else
      std::printf("  compile %.3f s, simulate %.3f s, estimated latency %.2f us on %s%s\n", compile_s, sim_s,
                  latency_us, c.target.c_str(), c.out_dir.empty() ? "" : (", outputs in " + c.out_dir + "/").c_str());
  }
  return 0;
}

int parse_command(int argc, char** argv) {
  bool dump = false;
  std::vector<std::string> files;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::printf(
          "usage: nkic parse FILE.py... [--dump-ast]\n\n"
          "  Parses each file as Python 3.11. Exits 0 when every file parses, else prints the syntax\n"
          "  errors and exits 1. --dump-ast prints the normalized AST (with '# file: PATH' headers\n"
          "  when several files are given).\n\nexample:\n  nkic parse examples/tensor_add.py --dump-ast\n");
      return 0;
    }
    if (a == "--dump-ast")
      dump = true;
    else if (!a.empty() && a[0] == '-')
      throw UsageError("unknown option '" + a + "' for nkic parse");
    else
      files.push_back(a);
  }
  if (files.empty()) throw UsageError("nkic parse needs at least one file");
  int rc = 0;
  for (auto& f : files) {
    std::string ast;
    std::vector<Diagnostic> diags = api::parse_file(f, read_file(f), dump ? &ast : nullptr);
    if (files.size() > 1 && dump) std::cout << "# file: " << f << "\n";
    if (!diags.empty()) {
      std::cerr << render(diags);
      rc = 1;
      continue;
    }
    std::cout << ast;
  }
  return rc;
}

}  // namespace

int nkic::cli::main(int argc, char** argv, const CompileFn& compile) {
  g_compile = compile ? compile
                      : CompileFn([](const std::string& path, const std::string& source, const std::string& kernel,
                                     const std::vector<KernelArg>& args, const api::CompileOptions& o) {
                          return api::compile(path, source, kernel, args, o);
                        });
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string cmd = argv[1];
  try {
    if (cmd == "run" || cmd == "profile" || cmd == "check" || cmd == "ir")
      return kernel_command(cmd, argc - 2, argv + 2);
    if (cmd == "parse") return parse_command(argc - 2, argv + 2);
    if (cmd == "migrate") return migrate_command(argc - 2, argv + 2);
    throw UsageError("unknown command '" + cmd + "'");
  } catch (const UsageError& e) {
    std::cerr << "nkic: " << e.what() << "\n";
    return 2;
  } catch (const UserError& e) {
    std::cerr << e.what();
    return 1;
  } catch (const cli::Reported&) {
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "nkic: internal error: " << e.what() << "\n";
    return 3;
  }
}
