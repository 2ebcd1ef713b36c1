// Diagnostics: the one format every error keeps (CPython-style location, source line, caret, message, hint).
//   File "k.py", line 3, col 5
//       x = nl.ndarray((256, 4), ...)
//                      ^^^^^^^^
//   error: partition dimension 256 exceeds the maximum of 128
//   hint: ...
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "support/source.h"

namespace nkic {

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  Location loc;
  std::string message;
  std::string hint;               // optional "hint: ..." line
  std::vector<Diagnostic> notes;  // secondary locations ("tensor declared here")
  std::vector<Location> stack;    // call stack, outermost first (the kernel line that called a helper)
  std::string code{};             // the checker that found it ("affine-dependence", ...; src/ir/checks.h), or ""
};

// Renders one diagnostic (with its notes and call stack) in the house format; ends with '\n'.
std::string render(const Diagnostic& d);
std::string render(const std::vector<Diagnostic>& ds);

// A user-facing error (bad kernel, bad argument): carries its diagnostics.
// Internal invariant failures use std::logic_error instead.
class UserError : public std::runtime_error {
 public:
  explicit UserError(Diagnostic d);
  explicit UserError(std::vector<Diagnostic> ds);
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  const Diagnostic& first() const { return diags_.front(); }
  // Kind tag for the Python layer: "compile", "assert", "validation", "runtime".
  std::string kind = "compile";

 private:
  std::vector<Diagnostic> diags_;
};

}  // namespace nkic
