// Beta 1 tile semantics shared by legacy_language.cpp and legacy_isa.cpp, and the interpreter's hooks
// for operators and assignments on tiles in legacy kernels (Interpreter::legacy()).
#pragma once

#include <string>
#include <vector>

#include "frontend/ast.h"
#include "trace/legacy.h"

namespace nkic::trace {

// ---- interpreter hooks (legacy_language.cpp)
// nl.add(x, y), nl.exp(x), nl.max(x, axis) ... called through their operator constants.
Value legacy_call_op(Interpreter& in, AluOp op, CallArgs& args);
// `a + b`, `a << 2`, `-a`, `~a`, `a < b` with a tile operand: the matching nl call.
Value legacy_binary(Interpreter& in, ast::BinOpKind op, const Value& a, const Value& b, Span s);
Value legacy_unary(Interpreter& in, ast::UnaryOpKind op, const Value& v, Span s);
Value legacy_compare(Interpreter& in, ast::CmpOpKind op, const Value& a, const Value& b, Span s);
// `t[...] = v`: v's values written into the view `dst`. `fresh`: v is the value of the call or operator
// expression just evaluated, so its producing instruction may be retargeted to write `dst` directly.
void legacy_write(Interpreter& in, const Value& dst, const Value& v, bool fresh, Span s);
// `t op= v` on a tile view `cur`: updated in place (`acc += nisa.nc_matmul(...)` accumulates in PSUM).
void legacy_augassign(Interpreter& in, ast::BinOpKind op, const Value& cur, const Value& v, bool fresh, Span s);

// ---- shared helpers (legacy_language.cpp)
// The Beta 1 promotion rule of two dtypes (legacy-spec.md §5 "Promotion").
DType legacy_promote(DType a, DType b);
// The dtype an operand counts as: a tile's, or int32 / float32 / uint8 for an untyped int / float / bool.
DType legacy_operand_dtype(const Value& v);
// A dtype= argument (a dtype or its name), or `def` when None; an error at `s` otherwise.
DType dtype_or(Interpreter& in, const Value& v, Span s, DType def);
// Calls the 0.3.0 builtin `fn` with keyword arguments; errors are reported at the user's call.
Value call_030(Interpreter& in, const Value& fn, Span s, const std::vector<std::pair<std::string, Value>>& kw);
Value isa_030(Interpreter& in, const char* name, Span s, const std::vector<std::pair<std::string, Value>>& kw);
// A fresh tile (name from the assignment target when there is one).
Value legacy_tile(Interpreter& in, const std::vector<int64_t>& shape, DType dt, Mem mem, Span s);
// Makes the instruction just emitted for the fresh tile `tmp` write into `dst` instead (same shape and
// memory; dtype too unless the instruction casts). `acc`: the matmul's accumulate mode. False if not possible.
bool legacy_retarget(Interpreter& in, const Value& tmp, const Value& dst, std::optional<Accumulate> acc = {});
// Takes mask= out of a call's keyword arguments (None if absent).
Value take_mask(CallArgs& a);
// A masked call's result: `r` (computed on masked operands) placed in a fresh tile of `full` shape at the
// mask's bounds. Returns r itself for an empty mask.
Value legacy_place(Interpreter& in, const Value& r, const std::vector<int64_t>& full, const Mask& m, Span s);
// The mask restricted to what applies to a tile of shape `shape` next to a result of `ref` shape: all
// bounds when the free shapes agree, the partition bound only otherwise.
Mask mask_for(const Mask& m, const std::vector<int64_t>& shape, const std::vector<int64_t>& ref);

}  // namespace nkic::trace
