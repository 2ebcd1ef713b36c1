// A kernel's arguments and results, shared by both front doors (specialize() and the Tracer).
#pragma once

#include <string>
#include <vector>

#include "ir/program.h"
#include "trace/value.h"

namespace nkic::trace {

class Interpreter;

// The next HBM input tensor (`tensor_index` counts the kernel's tensor arguments), named `name`.
Value input_tensor(Interpreter& in, const std::string& name, const std::vector<int64_t>& shape, DType dt,
                   int& tensor_index);
// nl.tile_size's fields for the interpreter's target.
void fill_tile_size(Interpreter& in);
// The kernel's return value (None, an HBM tensor, or a tuple/list of them) as the Program's outputs;
// errors at `def` (the kernel's definition).
void collect_outputs(Program& p, const Value& result, const Location& def);

}  // namespace nkic::trace
