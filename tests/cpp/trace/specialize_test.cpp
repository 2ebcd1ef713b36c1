// The specializer on small kernels: instruction counts from loop structure, argument binding, errors.
#include <gtest/gtest.h>

#include "api/nkic.h"
#include "ir/printer.h"

using namespace nkic;

namespace {

const char* kHeader = R"(import nki
import nki.isa as nisa
import nki.language as nl
)";

std::shared_ptr<api::Kernel> compile_src(const std::string& body, const std::string& name,
                                         std::vector<KernelArg> args) {
  return api::compile("k.py", std::string(kHeader) + body, name, args);
}

KernelArg tensor(std::vector<int64_t> shape) { return {"", ArgValue::tensor(std::move(shape), DType::Float32)}; }

std::string compile_error(const std::string& body, const std::string& name, std::vector<KernelArg> args) {
  try {
    compile_src(body, name, args);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Specialize, TiledLoopUnrollsIntoExpectedInstructionCount) {
  auto k = compile_src(R"(
@nki.jit
def add(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(a.shape[0] // 128):
        for j in range(a.shape[1] // 512):
            x = nl.ndarray((128, 512), dtype=a.dtype, buffer=nl.sbuf)
            y = nl.ndarray((128, 512), dtype=a.dtype, buffer=nl.sbuf)
            nisa.dma_copy(dst=x, src=a[i * 128:(i + 1) * 128, j * 512:(j + 1) * 512])
            nisa.dma_copy(dst=y, src=b[i * 128:(i + 1) * 128, j * 512:(j + 1) * 512])
            nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.add)
            nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, j * 512:(j + 1) * 512], src=x)
    return out
)",
                       "add", {tensor({1024, 2048}), tensor({1024, 2048})});
  EXPECT_EQ(k->num_instructions(), 8u * 4u * 4u);
  ASSERT_EQ(k->output_specs().size(), 1u);
  EXPECT_EQ(k->output_specs()[0].shape, (std::vector<int64_t>{1024, 2048}));
  // Tiles of different iterations reuse SBUF: two tiles per iteration, multi-buffered (kBuffers = 4
  // places per declaration), so at most eight 2 KiB places.
  int64_t max_offset = 0;
  for (auto& t : k->program().tensors)
    if (t.mem == Mem::SBUF) max_offset = std::max(max_offset, t.byte_offset);
  EXPECT_LE(max_offset, 7 * 2048);
  EXPECT_GE(max_offset, 2048);  // and successive iterations do not share one place
}

TEST(Specialize, SlicedOperandAccessPattern) {
  auto k = compile_src(R"(
def kern(a):
    t = nl.ndarray((64, 16), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a[64:128, 8:40:2])
    return None
)",
                       "kern", {tensor({128, 64})});
  ASSERT_EQ(k->num_instructions(), 1u);
  APRef src = k->program().op(k->program().instrs[0], 1);
  EXPECT_EQ(src.offset, 64 * 64 + 8);
  ASSERT_EQ(src.dims.size(), 2u);
  EXPECT_EQ(src.dims[0].stride, 64);
  EXPECT_EQ(src.dims[0].num, 64);
  EXPECT_EQ(src.dims[1].stride, 2);
  EXPECT_EQ(src.dims[1].num, 16);
}

TEST(Specialize, CompileTimePythonAndKeywordArgs) {
  auto k = compile_src(R"(
def helper(n, scale=2):
    return n * scale + len((1, 2, 3))

def kern(a, reps, flag=False):
    total = 0
    for i in range(reps):
        if i % 2 == 0 and not flag:
            total += helper(i)
        else:
            total -= 1
    assert total == (2 * 0 + 3) - 1 + (2 * 2 + 3) - 1, f"total was {total}"
    t = nl.ndarray((1, total), dtype=nl.float32)
    nisa.memset(t, 1.5)
    return None
)",
                       "kern", {tensor({4, 4}), {"reps", [] {
                                                   ArgValue v;
                                                   v.kind = ArgValue::Kind::Int;
                                                   v.i = 4;
                                                   return v;
                                                 }()}});
  ASSERT_EQ(k->num_instructions(), 1u);
  EXPECT_EQ(k->program().tensors[1].shape, (std::vector<int64_t>{1, 8}));
}

TEST(Specialize, PartitionLimitErrorPointsAtShape) {
  std::string err = compile_error(R"(
def kern(a):
    t = nl.ndarray((256, 4), dtype=nl.float32, buffer=nl.sbuf)
)",
                                  "kern", {tensor({4, 4})});
  EXPECT_NE(err.find("File \"k.py\", line 6, col 20"), std::string::npos) << err;
  EXPECT_NE(err.find("error: partition dimension 256 exceeds the maximum of 128"), std::string::npos) << err;
  EXPECT_NE(err.find("^^^^^^^^"), std::string::npos) << err;
  EXPECT_NE(err.find("hint:"), std::string::npos) << err;
}

TEST(Specialize, IsaArgumentBindingErrors) {
  std::string body = R"(
def kern(a):
    t = nl.ndarray((4, 4), dtype=nl.float32)
    nisa.dma_copy(dst=t, src=a, sizzle=1)
)";
  EXPECT_NE(compile_error(body, "kern", {tensor({4, 4})}).find("unexpected keyword argument 'sizzle'"),
            std::string::npos);
  body = R"(
def kern(a):
    nisa.dma_copy(src=a)
)";
  EXPECT_NE(compile_error(body, "kern", {tensor({4, 4})}).find("missing required argument 'dst'"), std::string::npos);
}

TEST(Specialize, MatmulShapeRules) {
  std::string body = R"(
def kern(a):
    s = nl.ndarray((128, 128), dtype=nl.float32)
    m = nl.ndarray((64, 512), dtype=nl.float32)
    d = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(d, s, m)
)";
  EXPECT_NE(compile_error(body, "kern", {tensor({4, 4})}).find("contraction"), std::string::npos);
  body = R"(
def kern(a):
    s = nl.ndarray((128, 128), dtype=nl.float32)
    d = nl.ndarray((128, 128), dtype=nl.float32)
    nisa.nc_matmul(d, s, s)
)";
  EXPECT_NE(compile_error(body, "kern", {tensor({4, 4})}).find("dst must be in PSUM"), std::string::npos);
}

TEST(Specialize, HelperErrorShowsCallStack) {
  std::string err = compile_error(R"(
def make_tile():
    return nl.ndarray((500, 4), dtype=nl.float32)

def kern(a):
    x = make_tile()
)",
                                  "kern", {tensor({4, 4})});
  auto call = err.find("line 9");
  auto where = err.find("line 6");
  ASSERT_NE(call, std::string::npos) << err;
  ASSERT_NE(where, std::string::npos) << err;
  EXPECT_LT(call, where) << "the kernel's call site comes first, like a traceback:\n" << err;
}

TEST(Specialize, HostCodeInTheFileIsNeverEvaluated) {
  auto k = compile_src(R"(
import torch
import argparse
parser = argparse.ArgumentParser()

def kern(a):
    t = nl.ndarray((4, 4), dtype=nl.float32)
    nisa.dma_copy(dst=t, src=a)

if __name__ == "__main__":
    raise SystemExit(parser.parse_args())
)",
                       "kern", {tensor({4, 4})});
  EXPECT_EQ(k->num_instructions(), 1u);
}
