// ALU operator table and fp32 / integer semantics.
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
  return std::nullopt;
}

uint8_t op_uses(AluOp op) {
  switch (op) {
    case AluOp::Add:
    case AluOp::Multiply:
    case AluOp::Maximum:
    case AluOp::Minimum:
    case AluOp::Max:
    case AluOp::Min:
    case AluOp::Subtract:
    case AluOp::LogicalAnd:
    case AluOp::LogicalOr:
    case AluOp::LogicalXor: return kBinary | kReduce;
    case AluOp::Divide:
    case AluOp::Power:
    case AluOp::Fmod:
    case AluOp::Mod:
    case AluOp::Equal:
    case AluOp::NotEqual:
    case AluOp::Less:
    case AluOp::LessEqual:
    case AluOp::Greater:
    case AluOp::GreaterEqual: return kBinary;
    case AluOp::BitwiseAnd:
    case AluOp::BitwiseOr:
    case AluOp::BitwiseXor: return kBinary | kBitvec | kReduce;
    case AluOp::LeftShift:
    case AluOp::RightShift: return kBinary | kBitvec;
    case AluOp::Invert: return kUnary | kBitvec;
    case AluOp::Rsqrt:
    case AluOp::Reciprocal:
    case AluOp::Abs: return kUnary | kActivation;
    case AluOp::Bypass: return kUnary;
    default: return kActivation;  // the activation-only rows
  }
}

AluOp canonical(AluOp op) {
  if (op == AluOp::Max) return AluOp::Maximum;
  if (op == AluOp::Min) return AluOp::Minimum;
  return op;
}

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
    default: return 0;
  }
}

}  // namespace nkic
