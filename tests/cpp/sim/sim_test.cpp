// The simulator end to end through the C++ API: results vs reference loops, accumulation, sentinels.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "api/nkic.h"

using namespace nkic;

namespace {

const char* kHeader = "import nki\nimport nki.isa as nisa\nimport nki.language as nl\n";

KernelArg tensor(std::vector<int64_t> shape) { return {"", ArgValue::tensor(std::move(shape), DType::Float32)}; }

std::vector<float> randn(size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d;
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

sim::HostBuffer buf(std::vector<float>& v) { return {v.data(), static_cast<int64_t>(v.size() * 4)}; }

}  // namespace

TEST(Sim, TiledAddIsExact) {
  auto k = api::compile("k.py", std::string(kHeader) + R"(
def add(a, b):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    for i in nl.affine_range(a.shape[0] // 128):
        x = nl.ndarray((128, a.shape[1]), dtype=a.dtype)
        y = nl.ndarray((128, a.shape[1]), dtype=a.dtype)
        nisa.dma_copy(dst=x, src=a[i * 128:(i + 1) * 128, :])
        nisa.dma_copy(dst=y, src=b[i * 128:(i + 1) * 128, :])
        nisa.tensor_tensor(dst=x, data1=x, data2=y, op=nl.subtract)
        nisa.dma_copy(dst=out[i * 128:(i + 1) * 128, :], src=x)
    return out
)",
                        "add", {tensor({384, 96}), tensor({384, 96})});
  auto a = randn(384 * 96, 1), b = randn(384 * 96, 2);
  std::vector<float> out(384 * 96, 0.f);
  k->run({buf(a), buf(b)}, {buf(out)});
  for (size_t i = 0; i < out.size(); ++i) ASSERT_EQ(out[i], a[i] - b[i]) << i;
}

TEST(Sim, MatmulAccumulatesFromFirstWrite) {
  // Two matmuls into the same PSUM tile with accumulate=None: the first overwrites the sentinel, the
  // second accumulates. A third with accumulate=False overwrites again.
  auto src = std::string(kHeader) + R"(
def mm(lhsT, rhs, reset):
    out = nl.ndarray((32, 48), dtype=nl.float32, buffer=nl.shared_hbm)
    s = nl.ndarray((64, 32), dtype=nl.float32)
    m = nl.ndarray((64, 48), dtype=nl.float32)
    nisa.dma_copy(dst=s, src=lhsT)
    nisa.dma_copy(dst=m, src=rhs)
    acc = nl.ndarray((32, 48), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(dst=acc, stationary=s, moving=m)
    nisa.nc_matmul(dst=acc, stationary=s, moving=m)
    if reset:
        nisa.nc_matmul(dst=acc, stationary=s, moving=m, accumulate=False)
    r = nl.ndarray((32, 48), dtype=nl.float32)
    nisa.tensor_copy(dst=r, src=acc)
    nisa.dma_copy(dst=out, src=r)
    return out
)";
  auto lhsT = randn(64 * 32, 3), rhs = randn(64 * 48, 4);
  for (bool reset : {false, true}) {
    ArgValue flag;
    flag.kind = ArgValue::Kind::Bool;
    flag.b = reset;
    auto k = api::compile("k.py", src, "mm", {tensor({64, 32}), tensor({64, 48}), {"", flag}});
    std::vector<float> out(32 * 48);
    k->run({buf(lhsT), buf(rhs)}, {buf(out)});
    for (int m = 0; m < 32; ++m)
      for (int n = 0; n < 48; ++n) {
        double ref = 0;
        for (int kk = 0; kk < 64; ++kk) ref += double(lhsT[kk * 32 + m]) * rhs[kk * 48 + n];
        ASSERT_NEAR(out[m * 48 + n], (reset ? 1 : 2) * ref, 1e-3) << m << "," << n;
      }
  }
}

TEST(Sim, UnwrittenMemoryReadsAsNaN) {
  auto k = api::compile("k.py", std::string(kHeader) + R"(
def k(a):
    out = nl.ndarray((4, 8), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((4, 8), dtype=nl.float32)
    nisa.dma_copy(dst=t[:, 0:4], src=a)
    nisa.dma_copy(dst=out, src=t)
    return out
)",
                        "k", {tensor({4, 4})});
  std::vector<float> a(16, 1.f), out(32, 0.f);
  k->run({buf(a)}, {buf(out)});
  for (int p = 0; p < 4; ++p)
    for (int f = 0; f < 8; ++f) {
      if (f < 4)
        EXPECT_EQ(out[p * 8 + f], 1.f);
      else
        EXPECT_TRUE(std::isnan(out[p * 8 + f]));
    }
}

TEST(Sim, DeterministicAcrossRuns) {
  auto k = api::compile("k.py", std::string(kHeader) + R"(
def mm(a, b):
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    s = nl.ndarray((128, 128), dtype=nl.float32)
    m = nl.ndarray((128, 512), dtype=nl.float32)
    nisa.dma_copy(dst=s, src=a)
    nisa.dma_copy(dst=m, src=b)
    p = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    nisa.nc_matmul(p, s, m)
    r = nl.ndarray((128, 512), dtype=nl.float32)
    nisa.tensor_copy(r, p)
    nisa.dma_copy(out, r)
    return out
)",
                        "mm", {tensor({128, 128}), tensor({128, 512})});
  auto a = randn(128 * 128, 5), b = randn(128 * 512, 6);
  std::vector<float> o1(128 * 512), o2(128 * 512);
  k->run({buf(a), buf(b)}, {buf(o1)});
  k->run({buf(a), buf(b)}, {buf(o2)});
  EXPECT_EQ(0, std::memcmp(o1.data(), o2.data(), o1.size() * 4));
}

TEST(Sim, HostBufferSizeMismatchIsRejected) {
  auto k = api::compile(
      "k.py",
      std::string(kHeader) + "def k(a):\n    t = nl.ndarray((4, 4), dtype=nl.float32)\n    nisa.dma_copy(t, a)\n", "k",
      {tensor({4, 4})});
  std::vector<float> small(3);
  EXPECT_THROW(k->run({buf(small)}, {}), std::invalid_argument);
}
