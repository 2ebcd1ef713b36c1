// Activation-function table: exact math in double, rounded to fp32 once.
#include "numerics/activation.h"

#include <cmath>

namespace nkic {

namespace {

template <class F>
void map_row(float* x, int64_t n, F f) {
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(f(static_cast<double>(x[i])));
}

inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
inline double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double k2OverSqrtPi = 1.12837916709551257390;

}  // namespace

bool is_activation(AluOp op) { return activation_formula(op) != nullptr; }

const char* activation_formula(AluOp op) {
  switch (op) {
#define X(e, formula) \
  case AluOp::e: return formula;
    NKIC_ACTIVATIONS(X)
#undef X
    default: return nullptr;
  }
}

void apply_activation(AluOp f, float* x, int64_t n) {
  switch (f) {
    case AluOp::Copy: return;
    case AluOp::Square: return map_row(x, n, [](double v) { return v * v; });
    case AluOp::Exp: return map_row(x, n, [](double v) { return std::exp(v); });
    case AluOp::Log: return map_row(x, n, [](double v) { return std::log(v); });
    case AluOp::Tanh: return map_row(x, n, [](double v) { return std::tanh(v); });
    case AluOp::Sigmoid: return map_row(x, n, [](double v) { return sigmoid(v); });
    case AluOp::Relu: return map_row(x, n, [](double v) { return v > 0 ? v : (v == v ? 0.0 : v); });
    case AluOp::Gelu: return map_row(x, n, [](double v) { return 0.5 * v * (1 + std::erf(v * kInvSqrt2)); });
    case AluOp::GeluDx:
      return map_row(x, n, [](double v) {
        return 0.5 * (1 + std::erf(v * kInvSqrt2)) + v * kInvSqrt2Pi * std::exp(-0.5 * v * v);
      });
    case AluOp::GeluApprxTanh:
      return map_row(x, n,
                     [](double v) { return 0.5 * v * (1 + std::tanh(kSqrt2OverPi * (v + 0.044715 * v * v * v))); });
    case AluOp::GeluApprxSigmoid: return map_row(x, n, [](double v) { return v * sigmoid(1.702 * v); });
    case AluOp::GeluApprxSigmoidDx:
      return map_row(x, n, [](double v) {
        double s = sigmoid(1.702 * v);
        return s + 1.702 * v * s * (1 - s);
      });
    case AluOp::Silu: return map_row(x, n, [](double v) { return v * sigmoid(v); });
    case AluOp::SiluDx:
      return map_row(x, n, [](double v) {
        double s = sigmoid(v);
        return s * (1 + v * (1 - s));
      });
    case AluOp::Softplus: return map_row(x, n, [](double v) { return softplus(v); });
    case AluOp::Mish: return map_row(x, n, [](double v) { return v * std::tanh(softplus(v)); });
    case AluOp::Erf: return map_row(x, n, [](double v) { return std::erf(v); });
    case AluOp::ErfDx: return map_row(x, n, [](double v) { return k2OverSqrtPi * std::exp(-v * v); });
    case AluOp::Sign: return map_row(x, n, [](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : v; });
    case AluOp::Abs: return map_row(x, n, [](double v) { return std::fabs(v); });
    case AluOp::Sin: return map_row(x, n, [](double v) { return std::sin(v); });
    case AluOp::Arctan: return map_row(x, n, [](double v) { return std::atan(v); });
    case AluOp::Sqrt: return map_row(x, n, [](double v) { return std::sqrt(v); });
    case AluOp::Rsqrt: return map_row(x, n, [](double v) { return 1.0 / std::sqrt(v); });
    case AluOp::Reciprocal: return map_row(x, n, [](double v) { return 1.0 / v; });
    case AluOp::Cos: return map_row(x, n, [](double v) { return std::cos(v); });
    case AluOp::Tan: return map_row(x, n, [](double v) { return std::tan(v); });
    case AluOp::Ceil: return map_row(x, n, [](double v) { return std::ceil(v); });
    case AluOp::Floor: return map_row(x, n, [](double v) { return std::floor(v); });
    case AluOp::Trunc: return map_row(x, n, [](double v) { return std::trunc(v); });
    default: return;
  }
}

}  // namespace nkic
