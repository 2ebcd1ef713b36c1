// nl.fori_loop / nl.while_loop (NKI 0.6.0): hardware loops whose body is a function traced once.
#pragma once

#include "trace/interpreter.h"

namespace nkic::trace {

void add_structured_loops(ModuleObj& nl);

}  // namespace nkic::trace
