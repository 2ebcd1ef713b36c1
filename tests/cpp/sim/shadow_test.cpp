// The uninit-read check (sim/shadow.cpp) through the C++ API: the written map cleared at each tile's birth
// (also of a tile declared in a loop body, which reuses the bytes of the previous iteration's), set by
// partial and strided writes, PSUM written by matmuls, and the lane-local propagation.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/nkic.h"

using namespace nkic;

namespace {

const char* kHeader = "import nki\nimport nki.isa as nisa\nimport nki.language as nl\n";

KernelArg tensor(std::vector<int64_t> shape) { return {"", ArgValue::tensor(std::move(shape), DType::Float32)}; }

// Runs `kernel(a)` for a (128, 64) fp32 `a` with uninit-read on; its findings.
std::vector<Diagnostic> run_checked(const std::string& body, std::vector<int64_t> out_shape = {128, 64},
                                    bool as_error = true) {
  auto k = api::compile("k.py", std::string(kHeader) + body, "kernel", {tensor({128, 64})});
  std::vector<float> a(128 * 64, 1.f);
  int64_t n = 1;
  for (int64_t d : out_shape) n *= d;
  std::vector<float> out(static_cast<size_t>(n));
  api::RunChecks rc;
  rc.checks.add(Check::UninitRead);
  rc.uninit_is_error = as_error;
  return k->run({{a.data(), static_cast<int64_t>(a.size() * 4)}}, {{out.data(), n * 4}}, {}, rc);
}

int line_of(const Diagnostic& d) { return static_cast<int>(d.loc.span.line); }

// The line of `body` (after kHeader's 3) holding `text`.
int line_in(const std::string& body, const std::string& text) {
  size_t at = body.find(text);
  return 4 + static_cast<int>(std::count(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

}  // namespace

TEST(Shadow, FullyWrittenTileIsSilent) {
  auto f = run_checked(R"(
def kernel(a):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[:, 0:32], src=a[:, 0:32])
    nisa.dma_copy(dst=t[:, 32:64], src=a[:, 32:64])
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out
)");
  EXPECT_TRUE(f.empty());
}

TEST(Shadow, PartialWriteNamesTheRangeAndSeverityFollowsTheOption) {
  std::string k = R"(
def kernel(a):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[0:96, 0:40], src=a[0:96, 0:40])
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out
)";
  for (bool as_error : {true, false}) {
    auto f = run_checked(k, {128, 64}, as_error);
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].code, "uninit-read");
    EXPECT_EQ(f[0].severity, as_error ? Severity::Error : Severity::Warning);
    EXPECT_EQ(line_of(f[0]), line_in(k, "dma_copy(dst=out"));
    // Unwritten: partitions 96-127 whole and columns 40-63 of the others.
    EXPECT_NE(f[0].message.find("partitions 0-127, elements 0-63"), std::string::npos) << f[0].message;
    EXPECT_NE(f[0].message.find("(" + std::to_string(32 * 64 + 96 * 24) + " of the 8192 elements read)"),
              std::string::npos)
        << f[0].message;
    ASSERT_EQ(f[0].notes.size(), 1u);
    EXPECT_EQ(line_of(f[0].notes[0]), line_in(k, "t = nl.ndarray"));  // the allocation
  }
}

TEST(Shadow, StridedWritesAndReads) {
  // Even columns written (a strided write); reading them back (a strided read whose span has unwritten
  // odd columns: the exact test) is silent, reading the odd ones is a finding.
  std::string k = R"(
def kernel(a):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[:, 0:64:2], src=a[:, 0:32])
    u = nl.ndarray((128, 32), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=u, src=t[:, START:64:2])
    out = nl.ndarray((128, 32), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=u)
    return out
)";
  auto with = [&](const char* start) {
    std::string s = k;
    s.replace(s.find("START"), 5, start);
    return run_checked(s, {128, 32});
  };
  EXPECT_TRUE(with("0").empty());
  auto f = with("1");
  ASSERT_EQ(f.size(), 1u);
  // Reported where the values leave their lanes (the store), naming the first read (the tensor_copy).
  EXPECT_EQ(line_of(f[0]), line_in(k, "tensor_copy"));
  EXPECT_NE(f[0].message.find("elements 1-63, never written (4096 of the 4096"), std::string::npos) << f[0].message;
}

TEST(Shadow, BirthClearsBytesAnEarlierTileWrote) {
  // Each iteration's `t` is a new tile (on whatever bytes the allocator gives it, likely the same):
  // iteration 0 writes it whole, iteration 1 only its first half, and stores it whole.
  std::string k = R"(
def kernel(a):
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    for i in nl.sequential_range(2):
        t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t[:, 0:64 - 32 * i], src=a[:, 0:64 - 32 * i])
        nisa.dma_copy(dst=out, src=t)
    return out
)";
  auto f = run_checked(k);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(line_of(f[0]), line_in(k, "dma_copy(dst=out"));
  EXPECT_NE(f[0].message.find("elements 32-63"), std::string::npos) << f[0].message;
}

TEST(Shadow, BirthClearsWhatTheLastRunWrote) {
  // The written maps are kept per thread between runs: a run writing everything, then a run reading
  // unwritten bytes at the same place, still finds them.
  EXPECT_TRUE(run_checked(R"(
def kernel(a):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out
)")
                  .empty());
  EXPECT_EQ(run_checked(R"(
def kernel(a):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out
)")
                .size(),
            1u);
}

TEST(Shadow, PsumWrittenByMatmulReadUnwrittenOtherwise) {
  std::string k = R"(
def kernel(a):
    s = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=s, src=a)
    acc = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.psum)
    if MM:
        nisa.nc_matmul(dst=acc, stationary=s, moving=s)
    r = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=acc)
    out = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out
)";
  auto with = [&](const char* mm) {
    std::string s = k;
    s.replace(s.find("MM"), 2, mm);
    return run_checked(s, {64, 64});
  };
  EXPECT_TRUE(with("True").empty());  // the matmul's accumulation operand is written, not read
  auto f = with("False");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(line_of(f[0]), line_in(k, "tensor_copy"));
  EXPECT_NE(f[0].message.find("psum tile 'acc' partitions 0-63, elements 0-63"), std::string::npos) << f[0].message;
}

TEST(Shadow, GarbageLanesNeverStoredAreSilent) {
  // Rows 0-99 loaded, the whole tile computed: lanes 100-127 hold garbage that only reaches HBM when
  // stored. Storing rows 0-99 is silent; storing all is the finding at the first read (the exp).
  std::string k = R"(
def kernel(a):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t[0:100, :], src=a[0:100, :])
    e = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.activation(dst=e, op=nl.exp, data=t)
    nisa.tensor_tensor(dst=e, data1=e, data2=e, op=nl.add)
    out = nl.ndarray((ROWS, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=e[0:ROWS, :])
    return out
)";
  auto with = [&](const char* rows, int64_t n) {
    std::string s = k;
    for (size_t p; (p = s.find("ROWS")) != std::string::npos;) s.replace(p, 4, rows);
    return run_checked(s, {n, 64});
  };
  EXPECT_TRUE(with("100", 100).empty());
  auto f = with("128", 128);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(line_of(f[0]), line_in(k, "activation"));
  EXPECT_NE(f[0].message.find("partitions 100-127"), std::string::npos) << f[0].message;
  ASSERT_EQ(f[0].notes.size(), 2u);
  EXPECT_EQ(line_of(f[0].notes[1]), line_in(k, "dma_copy(dst=out"));  // where the garbage leaves its lanes
}
