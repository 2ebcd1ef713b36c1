// Row kernels shared by the engine files: an ALU operator applied over a partition row, with the
// switch on the operator outside the element loop (one instantiation of the loop per operator).
#pragma once

#include <cmath>
#include <cstdint>

#include "ir/program.h"
#include "numerics/alu.h"
#include "numerics/numerics.h"
#include "sim/memory.h"

namespace nkic::sim {

// Calls body(f) with f a callable float(float a, float b) evaluating `op` in fp32.
template <class Body>
void dispatch_alu(AluOp op, Body&& body) {
  switch (canonical(op)) {
    case AluOp::Add: return body([](float a, float b) { return a + b; });
    case AluOp::Subtract: return body([](float a, float b) { return a - b; });
    case AluOp::Multiply: return body([](float a, float b) { return a * b; });
    case AluOp::Divide: return body([](float a, float b) { return a / b; });
    case AluOp::Maximum: return body([](float a, float b) { return std::fmax(a, b); });
    case AluOp::Minimum: return body([](float a, float b) { return std::fmin(a, b); });
    case AluOp::Bypass: return body([](float a, float) { return a; });
    case AluOp::Abs: return body([](float a, float) { return std::fabs(a); });
    default: return body([op](float a, float b) { return apply_alu(op, a, b); });
  }
}

// x[i] = x[i] op s (or s op x[i] if rev).
inline void alu_row_scalar(AluOp op, float* x, int64_t n, float s, bool rev) {
  dispatch_alu(op, [&](auto f) {
    if (rev)
      for (int64_t i = 0; i < n; ++i) x[i] = f(s, x[i]);
    else
      for (int64_t i = 0; i < n; ++i) x[i] = f(x[i], s);
  });
}

// x[i] = x[i] op y[i] (or y[i] op x[i] if rev).
inline void alu_row_rows(AluOp op, float* x, const float* y, int64_t n, bool rev = false) {
  dispatch_alu(op, [&](auto f) {
    if (rev)
      for (int64_t i = 0; i < n; ++i) x[i] = f(y[i], x[i]);
    else
      for (int64_t i = 0; i < n; ++i) x[i] = f(x[i], y[i]);
  });
}

// Bit width of an integer dtype.
inline int int_bits(DType t) { return t == DType::Bool ? 8 : size_of(t) * 8; }

// Integer results of bitvec ops are raw bit patterns: reinterpret them as the dst dtype (truncate to its
// width, sign-extend for signed types) so that the exact store does not saturate them.
inline int64_t wrap_to(DType t, int64_t v) {
  int bits = int_bits(t);
  if (bits >= 64) return v;
  uint64_t m = (uint64_t{1} << bits) - 1, u = static_cast<uint64_t>(v) & m;
  if (info(t).is_signed_int && (u >> (bits - 1) & 1)) u |= ~m;
  return static_cast<int64_t>(u);
}

// Exact integer op over a row (bits = the source dtype's width).
inline void alu_row_int(AluOp op, int64_t* x, const int64_t* y, int64_t ys, int64_t n, int bits, bool rev) {
  switch (canonical(op)) {
    case AluOp::Add:
      for (int64_t i = 0; i < n; ++i) x[i] += y[i * ys];
      return;
    case AluOp::Multiply:
      for (int64_t i = 0; i < n; ++i) x[i] *= y[i * ys];
      return;
    default:
      if (rev)
        for (int64_t i = 0; i < n; ++i) x[i] = apply_alu_int(op, y[i * ys], x[i], bits);
      else
        for (int64_t i = 0; i < n; ++i) x[i] = apply_alu_int(op, x[i], y[i * ys], bits);
  }
}

// Value of a (P, 1) per-partition operand at partition p.
inline float column_value(const PhysView& v, int64_t p) { return numerics::load(v.dtype, v.origin + p * v.pstep); }
inline int64_t column_int(const PhysView& v, int64_t p) { return numerics::load_i64(v.dtype, v.origin + p * v.pstep); }

// Whether an instruction over these dtypes takes the exact integer path: every tensor is an integer type
// and the op is a bitvec op or an exact integer arithmetic op.
inline bool int_op(AluOp op) {
  switch (canonical(op)) {
    case AluOp::Add:
    case AluOp::Subtract:
    case AluOp::Multiply:
    case AluOp::Maximum:
    case AluOp::Minimum:
    case AluOp::Equal:
    case AluOp::NotEqual:
    case AluOp::Less:
    case AluOp::LessEqual:
    case AluOp::Greater:
    case AluOp::GreaterEqual:
    case AluOp::LogicalAnd:
    case AluOp::LogicalOr:
    case AluOp::LogicalXor:
    case AluOp::Abs:
    case AluOp::Bypass: return true;
    default: return is_bitvec(op);
  }
}
inline bool all_int(std::initializer_list<DType> ts) {
  for (DType t : ts)
    if (is_float(t)) return false;
  return true;
}

}  // namespace nkic::sim
