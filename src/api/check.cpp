// The static checkers over a compiled kernel's Programs (issue #17, docs/checks.md).
#include "api/nkic.h"
#include "passes/checks.h"

namespace nkic::api {

std::vector<Diagnostic> Kernel::static_findings(CheckSet checks) const {
  std::vector<Diagnostic> out;
  auto append = [&](std::vector<Diagnostic> ds) {
    for (Diagnostic& d : ds) out.push_back(std::move(d));
  };
  for (const Program& p : programs_) {
    if (checks.has(Check::AffineDependence)) append(check_affine(p));
    if (checks.has(Check::PsumGroup)) append(check_psum(p, target().psum_bank_bytes));
  }
  if (checks.has(Check::LncRace)) append(check_lnc(programs_));
  if (programs_.size() > 1) {  // the cores run the same code: one finding per source line, not per core
    std::vector<Diagnostic> unique;
    for (Diagnostic& d : out) {
      bool seen = std::any_of(unique.begin(), unique.end(), [&](const Diagnostic& u) {
        return u.code == d.code && u.message == d.message && u.loc.file == d.loc.file &&
               u.loc.span.line == d.loc.span.line && u.loc.span.col == d.loc.span.col;
      });
      if (!seen) unique.push_back(std::move(d));
    }
    out = std::move(unique);
  }
  return out;
}

}  // namespace nkic::api
