// NKI 0.7.0 nisa.NkiScalar (scalar_load / scalar_store) and the 0.6.0 nisa.NkiInstruction handles that
// ISA calls return (nki-spec.md §11.3, §11.4). An NkiScalar lives in a sequencer register: it is a
// VirtualRegister that remembers its dtype, so `.ap(scalar_offset=)` and nl.fori_loop bounds take it
// as they take a register. `+ - *` on one is a RegisterAlu instruction (a new NkiScalar).
#pragma once

#include "trace/interpreter.h"

namespace nkic::trace {

struct ScalarObj : RegisterObj {
  DType dtype = DType::Int32;
};

// The NkiScalar in v (nullptr if v is not one).
const ScalarObj* as_scalar(const Value& v);

// nisa.NkiScalar, nisa.scalar_load, nisa.scalar_store, nisa.NkiInstruction.
void add_isa_scalars(ModuleObj& isa);

// `a op b` (b non-null) / `-a` (b null) where an operand is an NkiScalar: `+ - *` with an int or another
// NkiScalar emit RegisterAlu into a fresh NkiScalar (int32 wraps); other operators and operands are errors.
Value scalar_arithmetic(Interpreter& in, const char* op, const Value& a, const Value* b, Span s);

// The handle an ISA call returns: an nisa.NkiInstruction from NKI 0.6.0 (and in the default), None before.
Value instruction_handle(Interpreter& in);
// A handle object of the NkiInstruction class (for subclasses of InstanceObj, e.g. a prepared collective).
Value wrap_instruction(std::shared_ptr<InstanceObj> inst);

}  // namespace nkic::trace
