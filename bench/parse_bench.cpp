// Front-end throughput: parse_module (and parse + subset check) on a realistic 3000-line NKI kernel
// module, bench/data/nki_module_3000.py. bench/run.sh prints it beside CPython's ast.parse.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "frontend/parser.h"
#include "frontend/subset_check.h"

namespace {

std::string data_path() {
  if (const char* p = std::getenv("NKIC_PARSE_BENCH_FILE")) return p;
  std::string here = __FILE__;  // CMake compiles with absolute paths
  return here.substr(0, here.find_last_of('/') + 1) + "data/nki_module_3000.py";
}

const std::string& module_text() {
  static const std::string text = [] {
    std::ifstream f(data_path(), std::ios::binary);
    if (!f) {
      std::fprintf(stderr, "parse_bench: cannot read %s (set NKIC_PARSE_BENCH_FILE)\n", data_path().c_str());
      std::exit(2);
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }();
  return text;
}

void set_counters(benchmark::State& state) {
  const std::string& text = module_text();
  int64_t lines = 0;
  for (char c : text) lines += c == '\n';
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.counters["lines"] = static_cast<double>(lines);
  state.counters["lines/s"] =
      benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsIterationInvariantRate);
}

// What `nkic` does per file: build the SourceFile (line table) and parse it.
void BM_ParseModule(benchmark::State& state) {
  const std::string& text = module_text();
  for (auto _ : state) {
    auto src = std::make_shared<const nkic::SourceFile>("nki_module_3000.py", text);
    std::vector<nkic::Diagnostic> diags;
    auto m = nkic::parse_module(src, diags);
    if (!diags.empty()) state.SkipWithError("the benchmark module has syntax errors");
    benchmark::DoNotOptimize(m.get());
  }
  set_counters(state);
}
BENCHMARK(BM_ParseModule)->Unit(benchmark::kMillisecond);

// Parse plus the subset check of every top-level function, as if the kernels reached them all.
void BM_ParseAndCheck(benchmark::State& state) {
  const std::string& text = module_text();
  for (auto _ : state) {
    auto src = std::make_shared<const nkic::SourceFile>("nki_module_3000.py", text);
    std::vector<nkic::Diagnostic> diags;
    auto m = nkic::parse_module(src, diags);
    size_t n = 0;
    for (const nkic::ast::Stmt* s : m->body)
      if (s->kind == nkic::ast::StmtKind::FunctionDef) n += nkic::check_subset(s, src, true).size();
    if (n != 0) state.SkipWithError("the benchmark module fails the subset check");
    benchmark::DoNotOptimize(m.get());
  }
  set_counters(state);
}
BENCHMARK(BM_ParseAndCheck)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
