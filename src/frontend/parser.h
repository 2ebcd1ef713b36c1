// The Python 3.11 parser: source text to ast::Module, reporting every syntax error it can recover from.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diagnostic.h"

namespace nkic {

// Parses a whole file. Syntax errors are appended to `diags` (the parser recovers at statement
// boundaries and closing brackets); the returned module holds whatever parsed. Never throws on bad input.
std::unique_ptr<ast::Module> parse_module(SourceRef source, std::vector<Diagnostic>& diags);

// Convenience: parses and throws UserError with all diagnostics if there is any error.
std::unique_ptr<ast::Module> parse_module_or_throw(SourceRef source);

// A normalized, line-per-node dump used to compare with CPython's ast (see tests/frontend/ast_dump.py):
//   Kind line:col-end_line:end_col [fields...]  with children indented by two spaces.
std::string dump_ast(const ast::Module& m);

}  // namespace nkic
