// IR invariants, checked after every pass in debug builds (and with NKIC_VERIFY=1) and by tests: each
// instruction matches its opcode-table row (roles filled, buffers allowed, immediates of their types),
// every access pattern stays inside its tensor, on-chip patterns step whole partitions on dim 0.
#pragma once

#include <string>

#include "ir/program.h"

namespace nkic {

// Empty string when the access pattern is valid for its tensor, else why not.
std::string check_access_pattern(const Program& p, APRef ap);

// Throws std::logic_error (an internal error, not a user error) on the first broken invariant.
void verify(const Program& p);

}  // namespace nkic
