// ALU operator table and fp32 / integer semantics.
#include "ir/ops.h"

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
    case AluOp::LogicalXor:
    case AluOp::AbsMax:
    case AluOp::AbsMin: return kBinary | kReduce;
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

}  // namespace nkic
