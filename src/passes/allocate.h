// The allocate pass: physical SBUF/PSUM places for on-chip tensors without `address=`, from live
// ranges in program order (first-fit), so tensors of different loop iterations reuse memory.
#pragma once

#include <string>
#include <vector>

#include "ir/program.h"
#include "target/rules.h"
#include "target/target.h"

namespace nkic {

// Sets start_partition/byte_offset of every used on-chip tensor and fills Program::births.
// Throws UserError (at the tensor's declaration) when live tensors exceed the target's capacity.
void allocate(Program& p, const Target& t);

// Post-allocation operand rules (the pass after allocate): every on-chip operand of a compute instruction
// (TensorE, VectorE, ScalarE, GpSimdE; not DMA) starts at a quadrant boundary, and nc_stream_shuffle
// follows its active-quadrant start rules. Throws UserError at the instruction's line.
void check_placement(const Program& p, const Target& t);

// The allocation section of `nkic ir`: each on-chip tensor's partition and byte range; tensors declared
// at the same site (a loop body) are summarized as "N buffers x B bytes, K instances" with the buffers.
std::string allocation_report(const Program& p);

}  // namespace nkic
