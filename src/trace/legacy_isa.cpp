// Beta 1 nisa.* calls: no dst, the result tile returned (see legacy.h).
#include "trace/legacy.h"

namespace nkic::trace {

void add_legacy_isa(ModuleObj& nisa) { (void)nisa; }

}  // namespace nkic::trace
