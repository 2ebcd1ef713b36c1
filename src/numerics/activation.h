// ScalarE activation functions: one row per function (spec §5.2), keyed by its operator constant.
// The simulator evaluates each with exact math in double precision on the fp32 input and rounds the
// result to fp32 once (the hardware uses piece-wise polynomial approximations; see docs/semantics.md).
#pragma once

#include <cstdint>

#include "ir/ops.h"

namespace nkic {

// X(operator constant, formula as documented in docs/semantics.md)
#define NKIC_ACTIVATIONS(X)                                            \
  X(Copy, "x")                                                         \
  X(Square, "x^2")                                                     \
  X(Exp, "e^x")                                                        \
  X(Log, "ln x")                                                       \
  X(Tanh, "tanh x")                                                    \
  X(Sigmoid, "1 / (1 + e^-x)")                                         \
  X(Relu, "max(x, 0)")                                                 \
  X(Gelu, "x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))")                  \
  X(GeluDx, "Phi(x) + x phi(x)")                                       \
  X(GeluApprxTanh, "0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))")  \
  X(GeluApprxSigmoid, "x * sigmoid(1.702 x)")                          \
  X(GeluApprxSigmoidDx, "s + 1.702 x s (1 - s), s = sigmoid(1.702 x)") \
  X(Silu, "x * sigmoid(x)")                                            \
  X(SiluDx, "s (1 + x (1 - s)), s = sigmoid(x)")                       \
  X(Softplus, "ln(1 + e^x)")                                           \
  X(Mish, "x * tanh(softplus(x))")                                     \
  X(Erf, "erf x")                                                      \
  X(ErfDx, "2 / sqrt(pi) * e^(-x^2)")                                  \
  X(Sign, "-1, 0 or 1 (NaN stays NaN)")                                \
  X(Abs, "|x|")                                                        \
  X(Sin, "sin x")                                                      \
  X(Arctan, "arctan x")                                                \
  X(Sqrt, "sqrt x")                                                    \
  X(Rsqrt, "1 / sqrt x")                                               \
  X(Reciprocal, "1 / x")                                               \
  X(Cos, "cos x")                                                      \
  X(Tan, "tan x")                                                      \
  X(Ceil, "ceil x")                                                    \
  X(Floor, "floor x")                                                  \
  X(Trunc, "trunc x (toward 0)")

bool is_activation(AluOp op);
const char* activation_formula(AluOp op);  // nullptr if `op` is not an activation function
// x[i] = f(x[i]) for i < n, in place; the switch is outside the loop.
void apply_activation(AluOp f, float* x, int64_t n);

}  // namespace nkic
