// Tensor views at compile time: indexing (ints, slices, nl.ds, ...), reshape; each yields a new
// access pattern into the same storage, bounds-checked at the indexing expression.
#pragma once

#include "trace/interpreter.h"

namespace nkic::trace {

Value index_tensor(Interpreter& in, const Value& tensor, const Value& index, Span s);
Value tensor_attribute(Interpreter& in, const Value& tensor, const std::string& name, Span s);

}  // namespace nkic::trace
