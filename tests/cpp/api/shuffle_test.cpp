// The shuffle check (api/shuffle.cpp): affine_range iterations in a seeded random order, compared with the
// in-order run. Buggy kernels pass silently in order and are found; their correct twins stay silent.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "api/nkic.h"
#include "api/shuffle.h"

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

struct Checked {
  std::vector<float> out;
  std::vector<Diagnostic> findings;
};

// Runs the kernel in order, then the shuffle check with `seed`.
Checked check(const std::string& body, const std::string& name, std::vector<KernelArg> args,
              std::vector<std::vector<float>> inputs, size_t out_elems, uint64_t seed = 0) {
  auto k = api::compile("k.py", std::string(kHeader) + body, name, args);
  std::vector<std::vector<float>> before = inputs;
  std::vector<sim::HostBuffer> in_bufs, before_bufs;
  for (auto& v : inputs) in_bufs.push_back(buf(v));
  for (auto& v : before) before_bufs.push_back(buf(v));
  Checked c;
  c.out.assign(out_elems, 0.f);
  std::vector<sim::HostBuffer> outs{buf(c.out)};
  k->run(in_bufs, outs);
  c.findings = api::shuffle_check(*k, before_bufs, in_bufs, outs, seed);
  return c;
}

// out[i] = a * 2^(i + 1) through one SBUF tile multiplied in place by every iteration.
const char* kCarried = R"(
def carried(a):
    out = nl.ndarray((8, 128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((128, 64), dtype=nl.float32)
    nisa.dma_copy(dst=t, src=a)
    for i in nl.RANGE(8):
        nisa.tensor_scalar(dst=t, data=t, op0=nl.multiply, operand0=2.0)
        nisa.dma_copy(dst=out[i], src=t)
    return out
)";

std::string with_range(const char* src, const std::string& range) {
  std::string s = src;
  s.replace(s.find("RANGE"), 5, range);
  return s;
}

}  // namespace

TEST(Shuffle, CarriedDependenceThroughSbufIsFound) {
  auto a = randn(128 * 64, 1);
  Checked c = check(with_range(kCarried, "affine_range"), "carried", {tensor({128, 64})}, {a}, 8 * 128 * 64);
  for (int i = 0; i < 8; ++i)  // in order, the result is right: the bug is silent without the check
    for (int e = 0; e < 128 * 64; ++e) ASSERT_EQ(c.out[i * 128 * 64 + e], a[e] * std::ldexp(1.f, i + 1));
  ASSERT_EQ(c.findings.size(), 1u);
  const Diagnostic& d = c.findings[0];
  EXPECT_EQ(d.code, "shuffle");
  EXPECT_EQ(d.severity, Severity::Error);
  EXPECT_EQ(d.loc.span.line, 9);  // the loop
  EXPECT_NE(d.message.find("output 'out' differs when the iterations of this affine_range loop run in another "
                           "order (seed 0): element ["),
            std::string::npos)
      << d.message;
  EXPECT_NE(d.hint.find("nl.sequential_range"), std::string::npos);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].loc.span.line, 11);  // the store of the differing element
}

TEST(Shuffle, SequentialTwinIsSilent) {
  auto a = randn(128 * 64, 1);
  Checked c = check(with_range(kCarried, "sequential_range"), "carried", {tensor({128, 64})}, {a}, 8 * 128 * 64);
  EXPECT_TRUE(c.findings.empty()) << render(c.findings);
}

TEST(Shuffle, SameSeedSameFinding) {
  auto a = randn(128 * 64, 1);
  std::string src = with_range(kCarried, "affine_range");
  Checked x = check(src, "carried", {tensor({128, 64})}, {a}, 8 * 128 * 64, 42);
  Checked y = check(src, "carried", {tensor({128, 64})}, {a}, 8 * 128 * 64, 42);
  ASSERT_EQ(x.findings.size(), 1u);
  ASSERT_EQ(y.findings.size(), 1u);
  EXPECT_EQ(render(x.findings), render(y.findings));
  EXPECT_NE(x.findings[0].message.find("(seed 42)"), std::string::npos);
  for (uint64_t seed = 1; seed < 6; ++seed)  // every order but the program's finds it (never the identity)
    EXPECT_EQ(check(src, "carried", {tensor({128, 64})}, {a}, 8 * 128 * 64, seed).findings.size(), 1u) << seed;
}

TEST(Shuffle, CarriedDependenceThroughHbmIsFound) {
  // Each iteration reads the row the previous one stored.
  auto a = randn(128 * 64, 2);
  Checked c = check(R"(
def chain(a):
    out = nl.ndarray((8, 128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    t0 = nl.ndarray((128, 64), dtype=nl.float32)
    nisa.dma_copy(dst=t0, src=a)
    nisa.dma_copy(dst=out[0], src=t0)
    for i in nl.affine_range(1, 8):
        t = nl.ndarray((128, 64), dtype=nl.float32)
        nisa.dma_copy(dst=t, src=out[i - 1])
        nisa.tensor_scalar(dst=t, data=t, op0=nl.add, operand0=1.0)
        nisa.dma_copy(dst=out[i], src=t)
    return out
)",
                    "chain", {tensor({128, 64})}, {a}, 8 * 128 * 64);
  for (int e = 0; e < 128 * 64; ++e) {
    float ref = a[e];  // fp32, one add per row as the kernel does
    for (int i = 0; i < 8; ++i, ref += 1.f) ASSERT_EQ(c.out[i * 128 * 64 + e], ref) << i;
  }
  ASSERT_EQ(c.findings.size(), 1u) << render(c.findings);
  EXPECT_EQ(c.findings[0].loc.span.line, 10);
}

TEST(Shuffle, IndependentIterationsAreSilent) {
  // Iteration tiles declared in the body, and one tile outside the loop that each iteration fills a slice
  // of (born before its first use in the shuffled order, not the program's).
  auto a = randn(128 * 256, 3);
  Checked c = check(R"(
def slices(a):
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    whole = nl.ndarray((128, 256), dtype=nl.float32)
    for i in nl.affine_range(8):
        t = nl.ndarray((128, 32), dtype=nl.float32)
        nisa.dma_copy(dst=t, src=a[:, i * 32:(i + 1) * 32])
        nisa.tensor_scalar(dst=whole[:, i * 32:(i + 1) * 32], data=t, op0=nl.add, operand0=1.0)
    nisa.dma_copy(dst=out, src=whole)
    return out
)",
                    "slices", {tensor({128, 256})}, {a}, 128 * 256);
  for (size_t e = 0; e < a.size(); ++e) ASSERT_EQ(c.out[e], a[e] + 1.f);
  EXPECT_TRUE(c.findings.empty()) << render(c.findings);
}

TEST(Shuffle, MatmulAccumulationOverAffineTilesIsSilent) {
  // The k-tiles accumulate into one PSUM tile in another order: equal within fp32 accumulation.
  const int K = 1024, M = 128, N = 256;
  auto lhsT = randn(K * M, 4), rhs = randn(K * N, 5);
  Checked c = check(R"(
def mm(lhsT, rhs):
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    acc = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.psum)
    for k in nl.affine_range(8):
        s = nl.ndarray((128, 128), dtype=nl.float32)
        m = nl.ndarray((128, 256), dtype=nl.float32)
        nisa.dma_copy(dst=s, src=lhsT[k * 128:(k + 1) * 128, :])
        nisa.dma_copy(dst=m, src=rhs[k * 128:(k + 1) * 128, :])
        nisa.nc_matmul(dst=acc, stationary=s, moving=m)
    r = nl.ndarray((128, 256), dtype=nl.float32)
    nisa.tensor_copy(dst=r, src=acc)
    nisa.dma_copy(dst=out, src=r)
    return out
)",
                    "mm", {tensor({K, M}), tensor({K, N})}, {lhsT, rhs}, M * N);
  for (int m = 0; m < M; ++m)  // reference: double-precision sums; tolerance 1e-4 of the terms' magnitudes
    for (int n = 0; n < N; ++n) {
      double ref = 0, mag = 0;
      for (int k = 0; k < K; ++k) {
        double t = static_cast<double>(lhsT[k * M + m]) * rhs[k * N + n];
        ref += t;
        mag += std::fabs(t);
      }
      ASSERT_NEAR(c.out[m * N + n], ref, 1e-4 * mag) << m << "," << n;
    }
  EXPECT_TRUE(c.findings.empty()) << render(c.findings);
}

// accumulate=k > 0: the program's first k-tile starts the group; reordered, whichever runs first does.
const char* kStartedGroup = R"(
def mm(lhsT, rhs):
    out = nl.ndarray((64, 128), dtype=nl.float32, buffer=nl.shared_hbm)
    acc = nl.ndarray((64, 128), dtype=nl.float32, buffer=nl.psum)
    for k in nl.affine_range(4):
        s = nl.ndarray((128, 64), dtype=nl.float32)
        m = nl.ndarray((128, 128), dtype=nl.float32)
        nisa.dma_copy(dst=s, src=lhsT[k * 128:(k + 1) * 128, :])
        nisa.dma_copy(dst=m, src=rhs[k * 128:(k + 1) * 128, :])
        nisa.nc_matmul(dst=acc, stationary=s, moving=m, accumulate=k > 0)
    r = nl.ndarray((64, 128), dtype=nl.float32)
    nisa.tensor_copy(dst=r, src=acc)
    nisa.dma_copy(dst=out, src=r)
    return out
)";

TEST(Shuffle, AccumulationGroupStartedByTheFirstTileIsSilent) {
  const int K = 512, M = 64, N = 128;
  auto lhsT = randn(K * M, 6), rhs = randn(K * N, 7);
  Checked c = check(kStartedGroup, "mm", {tensor({K, M}), tensor({K, N})}, {lhsT, rhs}, M * N);
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double ref = 0, mag = 0;
      for (int k = 0; k < K; ++k) {
        double t = static_cast<double>(lhsT[k * M + m]) * rhs[k * N + n];
        ref += t;
        mag += std::fabs(t);
      }
      ASSERT_NEAR(c.out[m * N + n], ref, 1e-4 * mag) << m << "," << n;
    }
  EXPECT_TRUE(c.findings.empty()) << render(c.findings);
  for (uint64_t seed = 1; seed < 4; ++seed)
    EXPECT_TRUE(check(kStartedGroup, "mm", {tensor({K, M}), tensor({K, N})}, {lhsT, rhs}, M * N, seed).findings.empty())
        << seed;
}
