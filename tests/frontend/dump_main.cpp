// Stand-alone driver for the AST dump, with the same output as `nkic parse --dump-ast FILE...`:
// the dump of each file on stdout (preceded by a `# file: PATH` line when several files are given),
// rendered diagnostics on stderr for files with syntax errors, exit status 1 if any file had errors.
// Build: g++ -std=c++20 -O2 -Isrc src/frontend/*.cpp tests/frontend/dump_main.cpp -o /tmp/dump_main
#include <fstream>
#include <iostream>
#include <sstream>

#include "frontend/parser.h"

int main(int argc, char** argv) {
  int rc = 0;
  bool multi = argc > 2;
  std::string out, err;
  for (int i = 1; i < argc; ++i) {
    std::ifstream f(argv[i], std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    auto src = std::make_shared<nkic::SourceFile>(argv[i], ss.str());
    std::vector<nkic::Diagnostic> diags;
    auto m = nkic::parse_module(src, diags);
    if (multi) out += std::string("# file: ") + argv[i] + "\n";
    if (!diags.empty()) {
      err += nkic::render(diags);
      rc = 1;
    } else {
      out += nkic::dump_ast(*m);
    }
  }
  std::cout << out;
  std::cerr << err;
  return rc;
}
