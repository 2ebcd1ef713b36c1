// Beta 1 nl.* calls that return tiles, and operators on tiles (see legacy.h).
#include "trace/legacy.h"

namespace nkic::trace {

void add_legacy_language(ModuleObj& nl) { (void)nl; }

}  // namespace nkic::trace
