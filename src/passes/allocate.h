// The allocate pass: physical SBUF/PSUM places for on-chip tensors without `address=`, from live
// ranges in program order (first-fit), so tensors of different loop iterations reuse memory.
#pragma once

#include "ir/program.h"
#include "target/target.h"

namespace nkic {

// Sets start_partition/byte_offset of every used on-chip tensor and fills Program::births.
// Throws UserError (at the tensor's declaration) when live tensors exceed the target's capacity.
void allocate(Program& p, const Target& t);

}  // namespace nkic
