// A NeuronCore executing a Program in program order on modelled memory.
#pragma once

#include <functional>
#include <vector>

#include "ir/program.h"
#include "sim/memory.h"
#include "target/target.h"

namespace nkic::sim {

// Runs `p`: inputs/outputs are the caller's buffers for the HBM input and output tensors (by io_index).
// Errors (out-of-bounds access...) are UserErrors of kind "runtime" at the instruction's source line.
// `progress`, if set, is called now and then with (instructions done, total).
using Progress = std::function<void(size_t, size_t)>;
void run(const Program& p, const Target& t, const std::vector<HostBuffer>& inputs,
         const std::vector<HostBuffer>& outputs, const Progress& progress = {});

}  // namespace nkic::sim
