// nkic migrate FILE.py [--fix] [-o OUT]: the Beta 1 -> NKI 0.3.0 migration report, and the rewrite.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "api/migrate.h"

namespace {

constexpr const char* kMigrateHelp = R"(usage: nkic migrate FILE.py [--fix] [-o OUT]

  Lists every construct of the Beta 1 language (neuronxcc.nki) in FILE.py that must change for
  NKI 0.3.0, one per line: FILE:LINE:COL: construct -> replacement [fixed|manual].
  --fix      rewrite the mechanical ones (namespace imports, launchers, nl.load/nl.store ->
             nisa.dma_copy, index grids (arange, mgrid) -> slices, masks -> clamped slices, ISA
             calls that return tiles -> a declared nl.ndarray passed as dst, nested ones hoisted,
             block tensors -> lists of tiles, ncc allocators -> address=, writes into tiles ->
             nisa calls with dst, `acc += matmul` -> nc_matmul(accumulate=True))
             and leave a '# nkic migrate: ...' comment above the rest. Everything outside the
             changed spans is kept byte for byte. Writes FILE.py in place unless -o is given.
  -o OUT     write the rewritten file to OUT (implies --fix; '-' for standard output)

Exit status: 0 ok, 1 syntax error, 2 usage error.
)";

int usage(const std::string& msg) {
  std::cerr << "nkic: " << msg << "\n";
  return 2;
}

}  // namespace

int migrate_command(int argc, char** argv) {
  std::string file, out;
  bool fix = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kMigrateHelp, stdout);
      return 0;
    }
    if (a == "--fix") {
      fix = true;
    } else if (a == "-o" || a == "--output") {
      if (i + 1 >= argc) return usage(a + " needs a file name");
      out = argv[++i];
      fix = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option '" + a + "' for nkic migrate");
    } else if (file.empty()) {
      file = a;
    } else {
      return usage("nkic migrate takes one file");
    }
  }
  if (file.empty()) return usage("nkic migrate needs a file (nkic migrate FILE.py [--fix] [-o OUT])");
  std::ifstream f(file, std::ios::binary);
  if (!f) return usage("cannot read '" + file + "'");
  std::stringstream ss;
  ss << f.rdbuf();
  nkic::api::MigrateResult r = nkic::api::migrate(file, ss.str());
  bool to_stdout = out == "-";
  std::string report = nkic::api::render_findings(file, r.findings);
  (to_stdout ? std::cerr : std::cout) << report;
  if (!fix) return 0;
  if (to_stdout) {
    std::cout << r.fixed_source;
    return 0;
  }
  std::string dest = out.empty() ? file : out;
  std::ofstream o(dest, std::ios::binary);
  if (!o) return usage("cannot write '" + dest + "'");
  o << r.fixed_source;
  return 0;
}
