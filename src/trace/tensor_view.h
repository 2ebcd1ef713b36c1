// Tensor views at compile time: indexing (ints, slices, nl.ds, ...), reshape; each yields a new
// access pattern into the same storage, bounds-checked at the indexing expression.
#pragma once

#include <optional>

#include "trace/interpreter.h"

namespace nkic::trace {

Value index_tensor(Interpreter& in, const Value& tensor, const Value& index, Span s);
Value tensor_attribute(Interpreter& in, const Value& tensor, const std::string& name, Span s);
// The NKI 0.5.0 view methods (t.slice, t.permute, ...; tensor_methods.cpp), or nullopt for another name.
std::optional<Value> tensor_view_method(Interpreter& in, const Value& tensor, const std::string& name, Span s);

}  // namespace nkic::trace
