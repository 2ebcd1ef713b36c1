// Operator constants that instructions take as immediates: ALU operators and activation functions.
// One table row each: enumerator, the nki.language name.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nkic {

#define NKIC_ALU_OPS(X)                                                                          \
  X(Add, "add") X(Subtract, "subtract") X(Multiply, "multiply") X(Divide, "divide")              \
  X(Maximum, "maximum") X(Minimum, "minimum") X(Power, "power") X(Fmod, "fmod") X(Mod, "mod")    \
  X(Equal, "equal") X(NotEqual, "not_equal") X(Less, "less") X(LessEqual, "less_equal")          \
  X(Greater, "greater") X(GreaterEqual, "greater_equal") X(LogicalAnd, "logical_and")            \
  X(LogicalOr, "logical_or") X(LogicalXor, "logical_xor") X(BitwiseAnd, "bitwise_and")           \
  X(BitwiseOr, "bitwise_or") X(BitwiseXor, "bitwise_xor") X(LeftShift, "left_shift")             \
  X(RightShift, "right_shift") X(Invert, "invert") X(Rsqrt, "rsqrt") X(Reciprocal, "reciprocal") \
  X(Abs, "abs") X(Bypass, "bypass")

enum class AluOp : uint8_t {
#define X(e, n) e,
  NKIC_ALU_OPS(X)
#undef X
};

std::string_view name_of(AluOp op);
std::optional<AluOp> alu_op_from_name(std::string_view n);  // accepts aliases "max"/"min"
bool is_bitvec(AluOp op);

// Elementwise fp32 evaluation of a binary arithmetic operator (the engines compute in fp32).
float apply_alu(AluOp op, float a, float b);

}  // namespace nkic
