// The shuffle check (issue #17): the kernel again with the iterations of every affine_range loop in a
// seeded random order, compared with the in-order run (api/shuffle.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "api/nkic.h"

namespace nkic::api {

// `inputs`: the kernel's inputs as they were before the in-order run; `outputs` and `inputs_after`:
// what the in-order run produced (outputs, and the inputs it updated in place). Runs the shuffled order
// on copies and returns one finding per output (or updated input) that differs: bit for bit, except
// for the accumulations the docs allow to reorder (fp32 accumulation tolerance).
std::vector<Diagnostic> shuffle_check(const Kernel& kernel, const std::vector<sim::HostBuffer>& inputs,
                                      const std::vector<sim::HostBuffer>& inputs_after,
                                      const std::vector<sim::HostBuffer>& outputs, uint64_t seed);

}  // namespace nkic::api
