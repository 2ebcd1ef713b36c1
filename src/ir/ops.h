// Operator constants that instructions take as immediates: ALU operators and activation functions
// share one namespace (nl.add, nl.exp, nl.abs, ...), because nki.language exposes them as one set of
// names. One table row each: enumerator, the nki.language name. What each constant may be used for
// (binary ALU op, unary ALU op, bitvec op, reduction, activation function) is op_info() below; the
// activation formulas are in numerics/activation.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nkic {

// clang-format off
#define NKIC_ALU_OPS(X)                                                                                                \
  X(Add, "add")                                                                                                        \
  X(Subtract, "subtract")                                                                                              \
  X(Multiply, "multiply")                                                                                              \
  X(Divide, "divide") X(Maximum, "maximum") X(Minimum, "minimum") X(Power, "power") X(Fmod, "fmod") X(Mod, "mod")      \
      X(Equal, "equal") X(NotEqual, "not_equal") X(Less, "less") X(LessEqual, "less_equal") X(Greater, "greater")      \
          X(GreaterEqual, "greater_equal") X(LogicalAnd, "logical_and") X(LogicalOr, "logical_or")                     \
              X(LogicalXor, "logical_xor") X(BitwiseAnd, "bitwise_and") X(BitwiseOr, "bitwise_or")                     \
                  X(BitwiseXor, "bitwise_xor") X(LeftShift, "left_shift") X(RightShift, "right_shift")                 \
                      X(Invert, "invert") X(Rsqrt, "rsqrt") X(Reciprocal, "reciprocal") X(Abs, "abs")                  \
                          X(Bypass, "bypass") /* nl.max / nl.min: ALU aliases of maximum / minimum, but as             \
                                                 functions they are reductions */                                      \
      X(Max, "max")                                                                                                    \
          X(Min, "min") /* activation functions (ScalarE); abs, rsqrt and reciprocal above are also activations */     \
      X(Copy, "copy") X(Square, "square") X(Exp, "exp") X(Log, "log") X(Tanh, "tanh") X(Sigmoid, "sigmoid")            \
          X(Relu, "relu") X(Gelu, "gelu") X(GeluDx, "gelu_dx") X(GeluApprxTanh, "gelu_apprx_tanh")                     \
              X(GeluApprxSigmoid, "gelu_apprx_sigmoid") X(GeluApprxSigmoidDx, "gelu_apprx_sigmoid_dx") X(Silu, "silu") \
                  X(SiluDx, "silu_dx") X(Softplus, "softplus") X(Mish, "mish") X(Erf, "erf") X(ErfDx, "erf_dx")        \
                      X(Sign, "sign") X(Sin, "sin") X(Arctan, "arctan")                                                \
                          X(Sqrt, "sqrt") /* nl.cos/tan/ceil/floor/trunc: ScalarE functions of the nl.* API (also      \
                                             accepted by activation) */                                                \
      X(Cos, "cos") X(Tan, "tan") X(Ceil, "ceil") X(Floor, "floor") X(Trunc, "trunc")                       \
      /* NKI 0.4.0: abs_max / abs_min (NeuronCore-v4 ALU ops: the input of larger / smaller magnitude) and  \
         the activate2 function prelu (slope = relu_param) */                                                \
      X(AbsMax, "abs_max") X(AbsMin, "abs_min") X(Prelu, "prelu")
// clang-format on

enum class AluOp : uint8_t {
#define X(e, n) e,
  NKIC_ALU_OPS(X)
#undef X
};

std::string_view name_of(AluOp op);
std::optional<AluOp> alu_op_from_name(std::string_view n);

// What an operator constant may be used as.
enum OpUse : uint8_t {
  kBinary = 1,      // a binary ALU operator (tensor_tensor, tensor_scalar, ...)
  kUnary = 2,       // a unary ALU operator: applies to the data, the operand is ignored
  kBitvec = 4,      // works on raw integer bits (integer dtypes only)
  kReduce = 8,      // legal as a reduction operator
  kActivation = 16  // an activation function (nisa.activation)
};
uint8_t op_uses(AluOp op);
inline bool is_bitvec(AluOp op) { return op_uses(op) & kBitvec; }
// nl.max -> maximum, nl.min -> minimum; every other op is its own canonical form.
AluOp canonical(AluOp op);

}  // namespace nkic
