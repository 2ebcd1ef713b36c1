// libFuzzer target over the front end: lexer + parser + AST dump + subset check + diagnostic rendering.
// Any input must give diagnostics or an AST, never a crash, hang or sanitizer report (docs/fuzzing.md).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "frontend/parser.h"
#include "frontend/subset_check.h"
#include "support/diagnostic.h"

namespace {

// Runs the subset check on every function in the tree, as both a kernel and a helper, the way the
// tracer would once the kernel reaches it (methods and nested defs included).
void check_all(const std::vector<nkic::ast::Stmt*>& body, const nkic::SourceRef& src, std::string& sink) {
  using nkic::ast::StmtKind;
  for (const nkic::ast::Stmt* s : body) {
    if (!s) continue;
    if (s->kind == StmtKind::FunctionDef || s->kind == StmtKind::AsyncFunctionDef) {
      for (bool kernel : {true, false}) sink += nkic::render(nkic::check_subset(s, src, kernel));
    }
    check_all(s->body, src, sink);
    check_all(s->orelse, src, sink);
    check_all(s->finalbody, src, sink);
    for (const auto& h : s->handlers) check_all(h.body, src, sink);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto src =
      std::make_shared<const nkic::SourceFile>("fuzz.py", std::string(reinterpret_cast<const char*>(data), size));
  std::vector<nkic::Diagnostic> diags;
  std::unique_ptr<nkic::ast::Module> m = nkic::parse_module(src, diags);
  std::string sink = nkic::render(diags);  // renders carets for every span the parser produced
  if (m) {
    sink += nkic::dump_ast(*m);
    check_all(m->body, src, sink);
  }
  volatile size_t keep = sink.size();  // keeps the rendering from being optimized away
  (void)keep;
  return 0;
}
