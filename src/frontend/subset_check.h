// The NKI language-subset check: a pass over one function's AST that rejects, at the construct's own
// span and with a fix hint, what the NKI 0.3.0 compiler does not support (docs/subset.md lists the
// decisions where production kernels and the docs disagree).
#pragma once

#include <vector>

#include "frontend/ast.h"
#include "support/diagnostic.h"

namespace nkic {

// Checks the body and signature of `def` (a FunctionDef). `is_kernel` is true for the top-level kernel
// (signature rules such as no `*` separator apply to it only). Returns errors and warnings.
std::vector<Diagnostic> check_subset(const ast::Stmt* def, const SourceRef& source, bool is_kernel);

}  // namespace nkic
