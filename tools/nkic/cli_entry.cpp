// nkic's main(): picks the front door (docs/semantics.md, "Front doors"). The C++ specializer runs here;
// the tracing front door (NKI 0.7.0) needs CPython, so the same command line is run by `python3 -m
// nkic.cli`, which compiles through nki._core and hands the rest back to the same code (cli.h).
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "tools/nkic/cli.h"

namespace {

// The front door the command line selects: --frontend, else NKI_COMPILER_FRONTEND, else the release
// (--nki / NKIC_NKI_RELEASE 0.7 traces).
bool wants_tracing(int argc, char** argv) {
  std::string frontend, release;
  if (const char* e = std::getenv("NKIC_NKI_RELEASE")) release = e;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    std::string next = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--frontend") frontend = next;
    if (a.rfind("--frontend=", 0) == 0) frontend = a.substr(11);
    if (a == "--nki") release = next;
    if (a.rfind("--nki=", 0) == 0) release = a.substr(6);
  }
  if (frontend.empty())
    if (const char* e = std::getenv("NKI_COMPILER_FRONTEND")) frontend = e;
  if (!frontend.empty()) return frontend == "trace" || frontend == "tracing" || frontend == "python";
  if (!release.empty() && (release[0] == 'v' || release[0] == 'V')) release = release.substr(1);
  return release.rfind("0.7", 0) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cmd = argc > 1 ? argv[1] : "";
  bool kernel_cmd = cmd == "run" || cmd == "profile" || cmd == "check" || cmd == "ir";
  if (!kernel_cmd || !wants_tracing(argc, argv)) return nkic::cli::main(argc, argv);
  const char* py = std::getenv("NKIC_PYTHON");
  std::string python = py && *py ? py : "python3";
  std::vector<std::string> args{python, "-m", "nkic.cli"};
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  std::vector<char*> cargs;
  for (auto& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  std::cout.flush();
  execvp(cargs[0], cargs.data());
  std::cerr << "nkic: the tracing front door runs the kernel in Python, but '" << python
            << "' could not be started: " << std::strerror(errno)
            << "\nhint: put a python3 with nkic installed on PATH (or set NKIC_PYTHON), or use --frontend custom\n";
  return 2;
}
