// The static checkers (passes/checks.h): the exact access-pattern overlap helper, and each check on
// compiled kernels (bug and correct twin) and on a large hand-built Program (speed).
#include <gtest/gtest.h>

#include <chrono>

#include "api/nkic.h"
#include "passes/checks.h"

using namespace nkic;

namespace {

APRef ap(uint32_t t, int64_t offset, const std::vector<APDim>& dims, DType dt = DType::Float32) {
  return {t, dt, offset, dims};
}

const char* kHeader = "import nki\nimport nki.isa as nisa\nimport nki.language as nl\n";
KernelArg tensor(std::vector<int64_t> shape, DType dt = DType::Float32) {
  return {"", ArgValue::tensor(std::move(shape), dt)};
}

std::vector<Diagnostic> findings(const std::string& body, std::vector<KernelArg> args, Check check, int grid = 0) {
  api::CompileOptions o;
  o.grid = grid;
  auto k = api::compile("k.py", std::string(kHeader) + body, "k", args, o);
  return k->static_findings(CheckSet{}.add(check));
}

TensorDecl decl(const std::string& name, Mem mem, std::vector<int64_t> shape) {
  TensorDecl d;
  d.name = name;
  d.mem = mem;
  d.shape = std::move(shape);
  return d;
}

Instruction instr(Opcode op, int32_t i0 = 0) {
  Instruction in;
  in.op = op;
  in.i0 = i0;
  return in;
}

}  // namespace

TEST(ApOverlap, RangesOfTiles) {
  std::vector<APDim> whole = {{512, 128}, {1, 512}};
  auto r = byte_ranges(ap(0, 0, whole));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->size(), 1u);  // a whole tile is one run of bytes
  EXPECT_EQ((*r)[0], (ByteRange{0, 128 * 512 * 4}));
  std::vector<APDim> cols = {{512, 128}, {1, 64}};
  r = byte_ranges(ap(0, 64, cols));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 128u);
  EXPECT_EQ((*r)[1], (ByteRange{(512 + 64) * 4, (512 + 128) * 4}));
  std::vector<APDim> strided = {{512, 128}, {2, 256}};
  EXPECT_FALSE(byte_ranges(ap(0, 0, strided), 1000));  // 32768 single elements
  EXPECT_EQ(byte_bounds(ap(0, 0, strided)), (ByteRange{0, (127 * 512 + 510 + 1) * 4}));
}

TEST(ApOverlap, ExactOnInterleavedAndReversedPatterns) {
  std::vector<APDim> evens = {{512, 128}, {2, 256}};
  EXPECT_FALSE(aps_overlap(ap(0, 0, evens), ap(0, 1, evens)));  // even vs odd columns
  EXPECT_TRUE(aps_overlap(ap(0, 0, evens), ap(0, 2, evens)));
  EXPECT_FALSE(aps_overlap(ap(0, 0, evens), ap(1, 0, evens)));  // another tensor
  std::vector<APDim> rows0 = {{64, 128}, {1, 64}};
  std::vector<APDim> rev = {{-64, 128}, {-1, 64}};
  EXPECT_TRUE(aps_overlap(ap(0, 0, rows0), ap(0, 128 * 64 - 1, rev)));
  std::vector<APDim> half = {{64, 64}, {1, 64}};
  EXPECT_FALSE(aps_overlap(ap(0, 0, half), ap(0, 64 * 64, half)));  // rows 0-63 vs 64-127
  // A bf16 view of fp32 storage: element 1 of the bf16 view is the upper half of fp32 element 0.
  EXPECT_TRUE(aps_overlap(ap(0, 1, {{1, 1}}, DType::BFloat16), ap(0, 0, {{1, 1}})));
  EXPECT_FALSE(aps_overlap(ap(0, 2, {{1, 1}}, DType::BFloat16), ap(0, 0, {{1, 1}})));
}

TEST(StaticChecks, AffinePrefixSumIsADependenceSequentialIsNot) {
  std::string body = R"(
def k(a):
    t = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a)
    for i in nl.RANGE(1, 4):
        nisa.tensor_tensor(dst=t[:, i * 64:(i + 1) * 64], data1=t[:, i * 64:(i + 1) * 64],
                           data2=t[:, (i - 1) * 64:i * 64], op=nl.add)
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=t)
    return out
)";
  auto with = [&](const std::string& r) {
    std::string s = body;
    s.replace(s.find("RANGE"), 5, r);
    return findings(s, {tensor({128, 256})}, Check::AffineDependence);
  };
  auto f = with("affine_range");
  ASSERT_EQ(f.size(), 1u) << render(f);
  EXPECT_EQ(f[0].code, "affine-dependence");
  EXPECT_EQ(f[0].loc.span.line, 9u);
  ASSERT_EQ(f[0].notes.size(), 1u);
  EXPECT_EQ(f[0].notes[0].loc.span.line, 9u);
  EXPECT_NE(f[0].message.find("iteration 1 of the affine_range loop at line 8 reads elements of 't' that iteration 0 "
                              "accumulates into"),
            std::string::npos)
      << f[0].message;
  EXPECT_TRUE(with("sequential_range").empty());
}

TEST(StaticChecks, AffineInPlaceAddIsAnAllowedReduction) {
  std::string body = R"(
def k(a):
    acc = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.memset(dst=acc, value=0.0)
    for i in nl.affine_range(4):
        x = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=x, src=a[:, i * 64:(i + 1) * 64])
        nisa.tensor_tensor(dst=acc, data1=acc, data2=x, op=OP)
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=acc)
    return out
)";
  auto with = [&](const std::string& op) {
    std::string s = body;
    s.replace(s.find("OP"), 2, op);
    return findings(s, {tensor({128, 256})}, Check::AffineDependence);
  };
  EXPECT_TRUE(with("nl.add").empty());
  auto f = with("nl.subtract");  // not a reduction the docs allow
  ASSERT_EQ(f.size(), 1u) << render(f);
  EXPECT_NE(f[0].message.find("both write elements of 'acc'"), std::string::npos) << f[0].message;
}

TEST(StaticChecks, AffineDisjointSlicesAndMatmulAccumulationAreNotDependences) {
  auto f = findings(R"(
def k(a, b):
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    for i in nl.affine_range(4):
        t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=t, src=a[:, i * 64:(i + 1) * 64])
        nisa.dma_copy(dst=out[:, i * 64:(i + 1) * 64], src=t)
        u = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=u, src=b)
        nisa.nc_matmul(dst=ps[0:64, :], stationary=t[:, 0:64], moving=u)
    r = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r[0:64, :], src=ps[0:64, :])
    return out
)",
                    {tensor({128, 256}), tensor({128, 512})}, Check::AffineDependence);
  EXPECT_TRUE(f.empty()) << render(f);
}

TEST(StaticChecks, AffineSharedTileWriteWrite) {
  auto f = findings(R"(
def k(a):
    t = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.sbuf)
    out = nl.ndarray((128, 256), dtype=nl.float32, buffer=nl.shared_hbm)
    for i in nl.affine_range(4):
        nisa.dma_copy(dst=t, src=a[:, i * 64:(i + 1) * 64])
        nisa.dma_copy(dst=out[:, i * 64:(i + 1) * 64], src=t)
    return out
)",
                    {tensor({128, 256})}, Check::AffineDependence);
  // The load of iteration 1 overwrites what iteration 0 loaded (write-write), and what iteration 0's
  // store reads (write-read), and iteration 1's store reads iteration 0's load (read-write).
  ASSERT_EQ(f.size(), 3u) << render(f);
  for (auto& d : f) EXPECT_NE(d.message.find("'t'"), std::string::npos);
}

TEST(StaticChecks, PsumReadInTheMiddleOfAGroup) {
  std::string body = R"(
def k(a, b):
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    x = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    y = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    r = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.nc_matmul(dst=ps, stationary=x, moving=y)
    MIDDLE
    nisa.nc_matmul(dst=ps, stationary=x, moving=y)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out
)";
  auto with = [&](const std::string& mid) {
    std::string s = body;
    s.replace(s.find("MIDDLE"), 6, mid);
    return findings(s, {tensor({128, 128}), tensor({128, 512})}, Check::PsumGroup);
  };
  auto f = with("nisa.tensor_copy(dst=r, src=ps)");
  ASSERT_EQ(f.size(), 1u) << render(f);
  EXPECT_EQ(f[0].code, "psum-group");
  EXPECT_EQ(f[0].loc.span.line, 13u);  // the read
  EXPECT_EQ(f[0].notes.at(0).loc.span.line, 14u);
  EXPECT_NE(f[0].message.find("in the middle of an accumulation group"), std::string::npos);
  EXPECT_TRUE(with("pass").empty());
  // A new group (accumulate=False) after the read is fine.
  std::string fresh = body;
  fresh.replace(fresh.find("MIDDLE"), 6, "nisa.tensor_copy(dst=r, src=ps)");
  fresh.replace(fresh.rfind("moving=y)"), 9, "moving=y, accumulate=False)");
  EXPECT_TRUE(findings(fresh, {tensor({128, 128}), tensor({128, 512})}, Check::PsumGroup).empty());
}

TEST(StaticChecks, PsumStaleGroupAndAccumulateOntoNothing) {
  auto f = findings(R"(
def k(a, b):
    out = nl.ndarray((128, 1024), dtype=nl.float32, buffer=nl.shared_hbm)
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    x = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    for n in nl.sequential_range(2):
        y = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
        nisa.dma_copy(dst=y, src=b[:, n * 512:(n + 1) * 512])
        nisa.nc_matmul(dst=ps, stationary=x, moving=y)
        r = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
        nisa.tensor_copy(dst=r, src=ps)
        nisa.dma_copy(dst=out[:, n * 512:(n + 1) * 512], src=r)
    return out
)",
                    {tensor({128, 128}), tensor({128, 1024})}, Check::PsumGroup);
  ASSERT_EQ(f.size(), 1u) << render(f);
  EXPECT_EQ(f[0].loc.span.line, 13u);
  EXPECT_NE(f[0].message.find("earlier accumulation group"), std::string::npos);
  EXPECT_EQ(f[0].notes.at(0).loc.span.line, 15u);

  f = findings(R"(
def k(a, b):
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    x = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    y = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    nisa.nc_matmul(dst=ps, stationary=x, moving=y, accumulate=True)
    r = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out
)",
               {tensor({128, 128}), tensor({128, 512})}, Check::PsumGroup);
  ASSERT_EQ(f.size(), 1u) << render(f);
  EXPECT_NE(f[0].message.find("nothing wrote since its allocation"), std::string::npos);
}

TEST(StaticChecks, PsumInterleavedGroupsInOneBank) {
  std::string body = R"(
def k(a, b):
    ps = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.psum)
    x = nl.ndarray((128, 128), dtype=nl.float32, buffer=nl.sbuf)
    y = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=x, src=a)
    nisa.dma_copy(dst=y, src=b)
    for OUTER in nl.sequential_range(2):
        for INNER in nl.sequential_range(2):
            nisa.nc_matmul(dst=ps[:, n * 256:(n + 1) * 256], stationary=x, moving=y[:, n * 256:(n + 1) * 256])
    r = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.sbuf)
    nisa.tensor_copy(dst=r, src=ps)
    out = nl.ndarray((128, 512), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out, src=r)
    return out
)";
  auto with = [&](const std::string& outer, const std::string& inner) {
    std::string s = body;
    s.replace(s.find("OUTER"), 5, outer);
    s.replace(s.find("INNER"), 5, inner);
    return findings(s, {tensor({128, 128}), tensor({128, 512})}, Check::PsumGroup);
  };
  auto f = with("k", "n");
  ASSERT_EQ(f.size(), 1u) << render(f);
  EXPECT_NE(f[0].message.find("interleaved groups"), std::string::npos);
  EXPECT_TRUE(with("n", "k").empty());
}

TEST(StaticChecks, PsumDtypeChangeInAGroup) {
  // Hand-built: a bf16 write into an fp32 PSUM tile, then a matmul accumulating onto it as fp32.
  Program p;
  p.locs.push_back({});
  p.tensors = {decl("ps", Mem::PSUM, {128, 512}), decl("s", Mem::SBUF, {128, 512})};
  p.tensors[0].byte_offset = 0;
  p.emit(instr(Opcode::Memset), {ap(0, 0, {{1024, 128}, {1, 1024}}, DType::BFloat16)});
  p.emit(instr(Opcode::NcMatmul, static_cast<int32_t>(Accumulate::Accumulate)),
         {ap(0, 0, {{512, 128}, {1, 512}}), ap(1, 0, {{512, 128}, {1, 128}}), ap(1, 0, {{512, 128}, {1, 512}})});
  auto f = check_psum(p, 2048);
  ASSERT_EQ(f.size(), 1u) << render(f);
  EXPECT_NE(f[0].message.find("as float32, but its elements were last written as bfloat16"), std::string::npos)
      << f[0].message;
}

TEST(StaticChecks, LncRaceNeedsABarrier) {
  std::string body = R"(
def k(a):
    pid = nl.program_id(0)
    other = 1 - pid
    scratch = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    t = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=t, src=a[pid * 64:(pid + 1) * 64, :])
    nisa.dma_copy(dst=scratch[pid * 64:(pid + 1) * 64, :], src=t)
    BARRIER
    u = nl.ndarray((64, 64), dtype=nl.float32, buffer=nl.sbuf)
    nisa.dma_copy(dst=u, src=scratch[other * 64:(other + 1) * 64, :])
    out = nl.ndarray((128, 64), dtype=nl.float32, buffer=nl.shared_hbm)
    nisa.dma_copy(dst=out[pid * 64:(pid + 1) * 64, :], src=u)
    return out
)";
  auto with = [&](const std::string& barrier) {
    std::string s = body;
    s.replace(s.find("BARRIER"), 7, barrier);
    return findings(s, {tensor({128, 64})}, Check::LncRace, 2);
  };
  auto f = with("pass");
  ASSERT_EQ(f.size(), 2u) << render(f);  // each core reads what the other writes
  EXPECT_EQ(f[0].code, "lnc-race");
  EXPECT_EQ(f[0].loc.span.line, 14u);
  EXPECT_EQ(f[0].notes.at(0).loc.span.line, 11u);
  EXPECT_TRUE(with("nisa.core_barrier(scratch, (0, 1))").empty());
}

TEST(StaticChecks, AffineCheckIsFastOnALargeProgram) {
  // 2 x 50000 instructions: an affine loop of 50000 iterations, each loading its own rows of a large
  // input into a tile of its own and storing them to its own rows of the output.
  Program p;
  p.locs.push_back({});
  const int n = 50000;
  p.tensors.push_back(decl("in", Mem::HBM, {n * 4, 512}));
  p.tensors.push_back(decl("out", Mem::HBM, {n * 4, 512}));
  LoopRecord loop;
  loop.kind = LoopKind::Affine;
  for (int i = 0; i < n; ++i) {
    loop.iter_begin.push_back(static_cast<uint32_t>(p.instrs.size()));
    p.tensors.push_back(decl("t", Mem::SBUF, {4, 512}));
    uint32_t t = static_cast<uint32_t>(p.tensors.size() - 1);
    Instruction dma = instr(Opcode::DmaCopy);
    p.emit(dma, {ap(t, 0, {{512, 4}, {1, 512}}), ap(0, i * 2048, {{512, 4}, {1, 512}})});
    p.emit(dma, {ap(1, i * 2048, {{512, 4}, {1, 512}}), ap(t, 0, {{512, 4}, {1, 512}})});
  }
  loop.end = static_cast<uint32_t>(p.instrs.size());
  p.loops.push_back(loop);
  auto t0 = std::chrono::steady_clock::now();
  auto f = check_affine(p);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(f.empty());
  EXPECT_LT(s, 1.0);
  std::printf("check_affine on %zu instructions: %.3f s\n", p.instrs.size(), s);
}
