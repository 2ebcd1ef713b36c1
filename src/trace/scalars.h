// NKI 0.7.0 nisa.NkiScalar (scalar_load / scalar_store) and the 0.6.0 nisa.NkiInstruction handles that
// ISA calls return (nki-spec.md §11.3, §11.4). An NkiScalar lives in a sequencer register: it is a
// VirtualRegister that remembers its dtype (int32 or int64: the width of every op on it), so
// `.ap(scalar_offset=)` and nl.fori_loop bounds take it as they take a register. `+ - *` on one is a
// RegisterAlu instruction (a new NkiScalar); an int32 comparison is one too, but its result is unusable.
#pragma once

#include "trace/interpreter.h"

namespace nkic::trace {

struct ScalarObj : RegisterObj {
  DType dtype = DType::Int32;  // Int32 or Int64
  bool comparison = false;     // the 0/1 result of a comparison: NKI 0.7.0 lets it be stored, nothing else
};

// The NkiScalar in v (nullptr if v is not one).
const ScalarObj* as_scalar(const Value& v);
// A fresh NkiScalar register of `dtype` (frozen: a loop's read-only induction value).
Value make_scalar(Interpreter& in, DType dtype = DType::Int32, bool frozen = false);

// The rules of NkiScalar uses outside arithmetic (errors at s): `use` names the use ("a fori_loop bound",
// "scalar_offset", ...). A comparison result is usable nowhere but scalar_store; an int64 scalar is not a
// fori_loop bound (`int32_only`) and offsets only HBM views (`on_chip`: the view is in SBUF/PSUM).
void check_scalar_use(Interpreter& in, const Value& v, const std::string& use, Span s, bool int32_only, bool on_chip);
// The int64 rule of the instructions (NKI 0.7.0): an int64 tensor only moves (DMA with an int64 peer,
// memset, scalar_load/scalar_store); any other instruction on one is an error at the call.
void check_int64_operands(Interpreter& in, Opcode op, std::initializer_list<const TensorObj*> roles, Span s,
                          const std::string& iname);

// nisa.NkiScalar, nisa.scalar_load, nisa.scalar_store, nisa.NkiInstruction.
void add_isa_scalars(ModuleObj& isa);

// `a op b` (b non-null) / `-a` (b null) where an operand is an NkiScalar: `+ - *` with an int or another
// NkiScalar emit RegisterAlu into a fresh NkiScalar (int32 wraps); other operators and operands are errors.
Value scalar_arithmetic(Interpreter& in, const char* op, const Value& a, const Value* b, Span s);
// `a op b` (<, <=, >, >=, ==, !=) where an operand is an NkiScalar: an int32 comparison is traced into a
// 0/1 NkiScalar marked `comparison`; int64 comparisons are rejected (NKI 0.7.0).
Value scalar_compare(Interpreter& in, ast::CmpOpKind op, const Value& a, const Value& b, Span s);

// The handle an ISA call returns: an nisa.NkiInstruction from NKI 0.6.0 (and in the default), None before.
Value instruction_handle(Interpreter& in);
// A handle object of the NkiInstruction class (for subclasses of InstanceObj, e.g. a prepared collective).
Value wrap_instruction(std::shared_ptr<InstanceObj> inst);

}  // namespace nkic::trace
