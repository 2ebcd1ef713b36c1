// ISA instruction families through the C++ API: printer roles, accumulator state, integer paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "api/nkic.h"
#include "ir/printer.h"
#include "numerics/activation.h"
#include "numerics/alu.h"

using namespace nkic;

namespace {
const char* kHeader = "import nki\nimport nki.isa as nisa\nimport nki.language as nl\n";
KernelArg tensor(std::vector<int64_t> shape, DType dt = DType::Float32) {
  return {"", ArgValue::tensor(std::move(shape), dt)};
}
}  // namespace

TEST(IsaOps, OperatorTableUses) {
  EXPECT_TRUE(op_uses(AluOp::Add) & kReduce);
  EXPECT_TRUE(is_bitvec(AluOp::LeftShift));
  EXPECT_TRUE(is_activation(AluOp::Exp));
  EXPECT_TRUE(is_activation(AluOp::Rsqrt));
  EXPECT_FALSE(is_activation(AluOp::Add));
  EXPECT_EQ(canonical(AluOp::Max), AluOp::Maximum);
  EXPECT_EQ(apply_alu_int(AluOp::RightShift, -8, 1, 32), 0x7FFFFFFC);
  EXPECT_EQ(apply_alu_int(AluOp::Invert, 0x0F, 0, 8), 0xF0);
  float x[3] = {-1.f, 0.f, 2.f};
  apply_activation(AluOp::Relu, x, 3);
  EXPECT_EQ(x[0], 0.f);
  EXPECT_EQ(x[2], 2.f);
}

TEST(IsaVector, TensorScalarInt32AddIsExactAndPrinterNamesRoles) {
  auto k = api::compile("k.py", std::string(kHeader) + R"(
def k(a, s):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    t = nl.ndarray(a.shape, dtype=a.dtype)
    c = nl.ndarray((a.shape[0], 1), dtype=nl.int32)
    nisa.dma_copy(dst=t, src=a)
    nisa.dma_copy(dst=c, src=s)
    nisa.tensor_tensor(dst=t, data1=t, data2=t, op=nl.add)
    nisa.tensor_scalar(dst=t, data=t, op0=nl.bitwise_xor, operand0=c, op1=nl.left_shift, operand1=1)
    nisa.dma_copy(dst=out, src=t)
    return out
)",
                        "k", {tensor({4, 8}, DType::Int32), tensor({4, 1}, DType::Int32)});
  std::string ir = print_program(k->program());
  EXPECT_NE(ir.find("tensor_scalar engine=vector dst="), std::string::npos) << ir;
  EXPECT_NE(ir.find(" operand0=int32@sbuf"), std::string::npos) << ir;
  EXPECT_NE(ir.find(" op1=left_shift operand1=1"), std::string::npos) << ir;
  std::vector<int32_t> a(32), s = {1, 2, 3, 4}, out(32);
  for (int i = 0; i < 32; ++i) a[i] = (1 << 29) + 12345 * i;
  k->run({{a.data(), 128}, {s.data(), 16}}, {{out.data(), 128}});
  for (int i = 0; i < 32; ++i) {
    uint32_t v = static_cast<uint32_t>(a[i]) * 2u;
    v = (v ^ static_cast<uint32_t>(s[i / 8])) << 1;
    ASSERT_EQ(static_cast<uint32_t>(out[i]), v) << i;
  }
}
