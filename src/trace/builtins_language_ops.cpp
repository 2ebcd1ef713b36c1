// nki.language convenience APIs of 0.3.0 (nl.load, nl.store, nl.add, nl.exp, nl.sum, ...), each
// lowered to ISA instructions. Filled in with the instruction families.
#include "trace/interpreter.h"

namespace nkic::trace {

void add_language_ops(ModuleObj& nl) { (void)nl; }

}  // namespace nkic::trace
