// ALU semantics (numerics/alu.h).
#include "numerics/alu.h"

#include <cmath>

namespace nkic {

float apply_alu(AluOp op, float a, float b) {
  switch (canonical(op)) {
    case AluOp::Add: return a + b;
    case AluOp::Subtract: return a - b;
    case AluOp::Multiply: return a * b;
    case AluOp::Divide: return a / b;
    case AluOp::Maximum: return std::fmax(a, b);
    case AluOp::Minimum: return std::fmin(a, b);
    case AluOp::Power: return std::pow(a, b);
    case AluOp::Fmod: return std::fmod(a, b);
    case AluOp::Mod: {
      float r = std::fmod(a, b);
      return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }
    case AluOp::Equal: return a == b ? 1.f : 0.f;
    case AluOp::NotEqual: return a != b ? 1.f : 0.f;
    case AluOp::Less: return a < b ? 1.f : 0.f;
    case AluOp::LessEqual: return a <= b ? 1.f : 0.f;
    case AluOp::Greater: return a > b ? 1.f : 0.f;
    case AluOp::GreaterEqual: return a >= b ? 1.f : 0.f;
    case AluOp::LogicalAnd: return (a != 0 && b != 0) ? 1.f : 0.f;
    case AluOp::LogicalOr: return (a != 0 || b != 0) ? 1.f : 0.f;
    case AluOp::LogicalXor: return ((a != 0) != (b != 0)) ? 1.f : 0.f;
    case AluOp::Rsqrt: return static_cast<float>(1.0 / std::sqrt(static_cast<double>(a)));
    case AluOp::Reciprocal: return 1.f / a;
    case AluOp::Abs: return std::fabs(a);
    case AluOp::Bypass: return a;
    case AluOp::Square: return a * a;  // tensor_scalar's unary op0 forms (NKI 0.4.0)
    case AluOp::Relu: return std::fmax(a, 0.f);
    case AluOp::AbsMax: return std::fabs(a) > std::fabs(b) ? a : b;  // a tie gives b
    case AluOp::AbsMin: return std::fabs(a) < std::fabs(b) ? a : b;
    default: return std::nanf("");  // bitvec ops take the integer path; activations have their own table
  }
}

int64_t apply_alu_int(AluOp op, int64_t a, int64_t b, int bits) {
  uint64_t mask = bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  uint64_t ua = static_cast<uint64_t>(a) & mask, ub = static_cast<uint64_t>(b);
  switch (canonical(op)) {
    case AluOp::BitwiseAnd: return static_cast<int64_t>(ua & (ub & mask));
    case AluOp::BitwiseOr: return static_cast<int64_t>(ua | (ub & mask));
    case AluOp::BitwiseXor: return static_cast<int64_t>(ua ^ (ub & mask));
    case AluOp::Invert: return static_cast<int64_t>(~ua & mask);
    case AluOp::LeftShift: return ub >= 64 ? 0 : static_cast<int64_t>((ua << ub) & mask);
    case AluOp::RightShift: return ub >= 64 ? 0 : static_cast<int64_t>(ua >> ub);
    case AluOp::Add: return a + b;
    case AluOp::Subtract: return a - b;
    case AluOp::Multiply: return a * b;
    case AluOp::Maximum: return a > b ? a : b;
    case AluOp::Minimum: return a < b ? a : b;
    case AluOp::Equal: return a == b;
    case AluOp::NotEqual: return a != b;
    case AluOp::Less: return a < b;
    case AluOp::LessEqual: return a <= b;
    case AluOp::Greater: return a > b;
    case AluOp::GreaterEqual: return a >= b;
    case AluOp::LogicalAnd: return a != 0 && b != 0;
    case AluOp::LogicalOr: return a != 0 || b != 0;
    case AluOp::LogicalXor: return (a != 0) != (b != 0);
    case AluOp::Abs: return a < 0 ? -a : a;
    case AluOp::Bypass: return a;
    case AluOp::AbsMax: return (a < 0 ? -a : a) > (b < 0 ? -b : b) ? a : b;
    case AluOp::AbsMin: return (a < 0 ? -a : a) < (b < 0 ? -b : b) ? a : b;
    default: return 0;
  }
}

}  // namespace nkic
