// Overflow-checked compile-time integer arithmetic. Compile-time ints are int64 in nkic (Python's are
// unbounded, NKI's are documented as 32-bit): a result outside the int64 range is a compile error at
// the expression instead of a silent wrap-around.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "trace/interpreter.h"

namespace nkic::trace {

[[noreturn]] inline void int_overflow(Interpreter& in, Span s, const std::string& what = "the result") {
  in.error(
      s, "integer overflow: " + what + " exceeds the 64-bit range nkic supports for compile-time integers",
      "compile-time integers are 64-bit in nkic (NKI specifies 32-bit ints); use a float if you need larger values");
}

inline int64_t checked_add(Interpreter& in, Span s, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) int_overflow(in, s);
  return r;
}
inline int64_t checked_sub(Interpreter& in, Span s, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) int_overflow(in, s);
  return r;
}
inline int64_t checked_mul(Interpreter& in, Span s, int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) int_overflow(in, s);
  return r;
}
inline int64_t checked_neg(Interpreter& in, Span s, int64_t a) {
  if (a == INT64_MIN) int_overflow(in, s);
  return -a;
}
// x ** y for y >= 0 (square and multiply: never loops y times).
inline int64_t checked_pow(Interpreter& in, Span s, int64_t x, int64_t y) {
  if (x == 0) return y == 0 ? 1 : 0;
  if (x == 1) return 1;
  if (x == -1) return (y & 1) ? -1 : 1;
  int64_t r = 1, b = x;
  while (true) {
    if (y & 1) r = checked_mul(in, s, r, b);
    y >>= 1;
    if (!y) return r;
    b = checked_mul(in, s, b, b);
  }
}
// A float converted to an int (int(), math.floor, round, ...): must be finite and in range.
inline int64_t checked_float_to_int(Interpreter& in, Span s, double f) {
  if (std::isnan(f) || std::isinf(f))
    in.error(s, std::string("cannot convert float ") + (std::isnan(f) ? "NaN" : "infinity") + " to integer");
  // [-2^63, 2^63): the doubles that convert exactly.
  if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) int_overflow(in, s, "the converted value");
  return static_cast<int64_t>(f);
}

}  // namespace nkic::trace
