// Index grids (nl.arange, nl.mgrid), affine index expressions and mask= predicates (see legacy.h).
#include "trace/legacy.h"

namespace nkic::trace {

void add_legacy_index(ModuleObj& nl) { (void)nl; }

}  // namespace nkic::trace

namespace nkic::trace {

// Placeholders until index grids land: only mask=None is accepted.
Mask eval_mask(Interpreter& in, const Value& mask, Span s) {
  if (!mask.is_none()) in.error(s, "mask= is not supported by nkic yet");
  return {};
}

Value apply_mask(Interpreter& in, const Value& tile, const Mask& m, Span s) {
  (void)in;
  (void)m;
  (void)s;
  return tile;
}

}  // namespace nkic::trace
