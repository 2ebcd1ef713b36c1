// ALU operator table and fp32 semantics.
#include "ir/ops.h"

#include <cmath>

namespace nkic {

std::string_view name_of(AluOp op) {
  static constexpr std::string_view names[] = {
#define X(e, n) n,
      NKIC_ALU_OPS(X)
#undef X
  };
  return names[static_cast<int>(op)];
}

std::optional<AluOp> alu_op_from_name(std::string_view n) {
#define X(e, nm) \
  if (n == nm) return AluOp::e;
  NKIC_ALU_OPS(X)
#undef X
  if (n == "max") return AluOp::Maximum;
  if (n == "min") return AluOp::Minimum;
  return std::nullopt;
}

bool is_bitvec(AluOp op) {
  switch (op) {
    case AluOp::BitwiseAnd:
    case AluOp::BitwiseOr:
    case AluOp::BitwiseXor:
    case AluOp::LeftShift:
    case AluOp::RightShift:
    case AluOp::Invert:
      return true;
    default:
      return false;
  }
}

float apply_alu(AluOp op, float a, float b) {
  switch (op) {
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
    case AluOp::Rsqrt: return 1.f / std::sqrt(a);
    case AluOp::Reciprocal: return 1.f / a;
    case AluOp::Abs: return std::fabs(a);
    case AluOp::Bypass: return a;
    default: return std::nanf("");  // bitvec ops take the integer path
  }
}

}  // namespace nkic
