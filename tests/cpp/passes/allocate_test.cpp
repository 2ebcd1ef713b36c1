// The allocate pass on Programs built directly: reuse after last use, PSUM bank alignment, capacity.
#include <gtest/gtest.h>

#include <tuple>

#include "passes/allocate.h"
#include "support/diagnostic.h"

using namespace nkic;

namespace {

uint32_t add_tensor(Program& p, Mem mem, std::vector<int64_t> shape, DType dt = DType::Float32) {
  TensorDecl t;
  t.name = "t" + std::to_string(p.tensors.size());
  t.mem = mem;
  t.dtype = dt;
  t.shape = std::move(shape);
  p.tensors.push_back(t);
  return static_cast<uint32_t>(p.tensors.size() - 1);
}

AccessPattern whole(const Program& p, uint32_t t) {
  AccessPattern ap;
  ap.tensor = t;
  ap.dtype = p.tensors[t].dtype;
  ap.dims = {{p.tensors[t].free_elements(), p.tensors[t].partitions()}, {1, p.tensors[t].free_elements()}};
  return ap;
}

void use(Program& p, std::vector<uint32_t> ts) {
  Instruction in;
  in.op = Opcode::TensorCopy;
  in.engine = Engine::Vector;
  std::vector<AccessPattern> aps;
  for (auto t : ts) aps.push_back(whole(p, t));
  std::vector<APRef> refs(aps.begin(), aps.end());
  p.emit(in, refs);
}

}  // namespace

TEST(Allocate, ReusesMemoryAfterLastUse) {
  Program p;
  p.locs.push_back({});
  uint32_t a = add_tensor(p, Mem::SBUF, {128, 1024});
  uint32_t b = add_tensor(p, Mem::SBUF, {128, 1024});
  uint32_t c = add_tensor(p, Mem::SBUF, {128, 1024});
  use(p, {a, b});  // a and b live together
  use(p, {c, c});  // a, b dead: c takes the first slot
  allocate(p, target(TargetKind::Trn2));
  EXPECT_EQ(p.tensors[a].byte_offset, 0);
  EXPECT_EQ(p.tensors[b].byte_offset, 4096);
  EXPECT_EQ(p.tensors[c].byte_offset, 0);
  ASSERT_EQ(p.births.size(), 3u);
  EXPECT_EQ(p.births[2], (std::pair<uint32_t, uint32_t>{1, c}));
}

TEST(Allocate, PsumTensorsStartOnBanks) {
  Program p;
  p.locs.push_back({});
  uint32_t a = add_tensor(p, Mem::PSUM, {128, 10});
  uint32_t b = add_tensor(p, Mem::PSUM, {128, 10});
  use(p, {a, b});
  allocate(p, target(TargetKind::Trn2));
  EXPECT_EQ(p.tensors[a].byte_offset, 0);
  EXPECT_EQ(p.tensors[b].byte_offset, 2048);
}

TEST(Allocate, OverCapacityListsLargestLiveTensors) {
  Program p;
  p.locs.push_back({});
  std::vector<uint32_t> ts;
  for (int i = 0; i < 4; ++i) ts.push_back(add_tensor(p, Mem::SBUF, {128, 16000}));
  use(p, ts);
  try {
    allocate(p, target(TargetKind::Trn2));
    FAIL() << "expected a capacity error";
  } catch (const UserError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("capacity exceeded"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'t0' (64000 B"), std::string::npos) << msg;
  }
}

namespace {

AccessPattern rows(const Program& p, uint32_t t, int64_t p0, int64_t n) {
  AccessPattern ap = whole(p, t);
  ap.offset = p0 * p.tensors[t].free_elements();
  ap.dims[0].num = n;
  return ap;
}

void use_aps(Program& p, Opcode op, Engine eng, std::vector<AccessPattern> aps) {
  Instruction in;
  in.op = op;
  in.engine = eng;
  in.present = static_cast<uint8_t>((1u << aps.size()) - 1);
  std::vector<APRef> refs(aps.begin(), aps.end());
  p.emit(in, refs);
}

// allocate, then the placement rules that need its addresses (the pipeline's next pass).
std::string error_of(Program& p) {
  try {
    allocate(p, target(TargetKind::Trn2));
    check_placement(p, target(TargetKind::Trn2));
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST(Allocate, LegalStartPartitions) {
  EXPECT_EQ(legal_start_partitions(128, 128), (std::vector<int32_t>{0}));
  EXPECT_EQ(legal_start_partitions(65, 128), (std::vector<int32_t>{0}));
  EXPECT_EQ(legal_start_partitions(64, 128), (std::vector<int32_t>{0, 64}));
  EXPECT_EQ(legal_start_partitions(33, 128), (std::vector<int32_t>{0, 64}));
  EXPECT_EQ(legal_start_partitions(32, 128), (std::vector<int32_t>{0, 32, 64, 96}));
  EXPECT_EQ(legal_start_partitions(1, 128), (std::vector<int32_t>{0, 32, 64, 96}));
}

TEST(Allocate, SmallPartitionTensorsShareBytesInOtherQuadrants) {
  Program p;
  p.locs.push_back({});
  uint32_t a = add_tensor(p, Mem::SBUF, {32, 256});
  uint32_t b = add_tensor(p, Mem::SBUF, {32, 256});
  uint32_t c = add_tensor(p, Mem::SBUF, {64, 256});
  uint32_t d = add_tensor(p, Mem::SBUF, {1, 256});
  uint32_t e = add_tensor(p, Mem::SBUF, {128, 16});
  use(p, {a, b, c, d, e});  // all live together
  allocate(p, target(TargetKind::Trn2));
  auto at = [&](uint32_t t) {
    return std::pair<int32_t, int64_t>{p.tensors[t].start_partition, p.tensors[t].byte_offset};
  };
  EXPECT_EQ(at(a), (std::pair<int32_t, int64_t>{0, 0}));
  EXPECT_EQ(at(b), (std::pair<int32_t, int64_t>{32, 0}));
  EXPECT_EQ(at(c), (std::pair<int32_t, int64_t>{64, 0}));    // 33-64 partitions: start 0 or 64
  EXPECT_EQ(at(d), (std::pair<int32_t, int64_t>{0, 1024}));  // every quadrant's bytes [0, 1024) are taken
  EXPECT_EQ(at(e), (std::pair<int32_t, int64_t>{0, 2048}));
}

TEST(Allocate, PsumQuadrantsKeepBankBoundaries) {
  Program p;
  p.locs.push_back({});
  std::vector<uint32_t> ts;
  for (int i = 0; i < 5; ++i) ts.push_back(add_tensor(p, Mem::PSUM, {32, 512}));
  use(p, ts);
  allocate(p, target(TargetKind::Trn2));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(p.tensors[ts[i]].start_partition, 32 * i);
    EXPECT_EQ(p.tensors[ts[i]].byte_offset, 0);
  }
  EXPECT_EQ(p.tensors[ts[4]].start_partition, 0);
  EXPECT_EQ(p.tensors[ts[4]].byte_offset, 2048);
}

TEST(Allocate, AutomaticTensorsAvoidExplicitOnesForTheirWholeLiveRange) {
  Program p;
  p.locs.push_back({});
  uint32_t a = add_tensor(p, Mem::SBUF, {128, 256});
  uint32_t u = add_tensor(p, Mem::SBUF, {128, 256});
  p.tensors[u].user_address = true;
  p.tensors[u].start_partition = 0;
  p.tensors[u].byte_offset = 0;
  use(p, {a, a});  // a is born first ...
  use(p, {u, a});  // ... and is still live when u (explicit, at byte 0) is
  allocate(p, target(TargetKind::Trn2));
  EXPECT_EQ(p.tensors[a].byte_offset, 1024);
  EXPECT_EQ(p.tensors[u].byte_offset, 0);
}

TEST(Allocate, OverlappingExplicitTensorsAreAnError) {
  Program p;
  p.locs.push_back({});
  uint32_t u = add_tensor(p, Mem::SBUF, {32, 256});
  uint32_t v = add_tensor(p, Mem::SBUF, {32, 256});
  uint32_t w = add_tensor(p, Mem::SBUF, {32, 256});
  for (auto [t, part, off] : {std::tuple<uint32_t, int, int>{u, 0, 0}, {v, 32, 0}, {w, 0, 1024}}) {
    p.tensors[t].user_address = true;
    p.tensors[t].start_partition = part;
    p.tensors[t].byte_offset = off;
  }
  use(p, {u, v, w});
  EXPECT_EQ(error_of(p), "(no error)");  // v: another quadrant; w: bytes [1024, 2048) after u's [0, 1024)
  p.tensors[w].byte_offset = 1020;
  std::string err = error_of(p);
  EXPECT_NE(err.find("tensor 't2' at address=(0, 1020) overlaps tensor 't0' at address=(0, 0)"), std::string::npos)
      << err;
  EXPECT_NE(err.find("note: 't0' is declared here"), std::string::npos) << err;
}

TEST(Placement, ComputeOperandsStartAtQuadrantBoundaries) {
  Program p;
  p.locs.push_back({});
  uint32_t t = add_tensor(p, Mem::SBUF, {128, 64});
  use_aps(p, Opcode::TensorCopy, Engine::Vector, {rows(p, t, 32, 32), rows(p, t, 64, 64)});
  use_aps(p, Opcode::DmaCopy, Engine::DMA, {rows(p, t, 5, 1), rows(p, t, 7, 1)});  // DMA: any partition
  EXPECT_EQ(error_of(p), "(no error)");
  use_aps(p, Opcode::TensorCopy, Engine::Vector, {rows(p, t, 0, 1), rows(p, t, 5, 1)});
  std::string err = error_of(p);
  EXPECT_NE(
      err.find("tensor_copy: src starts at partition 5 ('t0' is at partition 0, the view starts 5 partitions into "
               "it); compute instructions access partitions starting at a quadrant boundary"),
      std::string::npos)
      << err;
}

TEST(Placement, StreamShuffleActiveQuadrants) {
  Program p;
  p.locs.push_back({});
  uint32_t t = add_tensor(p, Mem::SBUF, {128, 64});
  use_aps(p, Opcode::NcStreamShuffle, Engine::Vector, {rows(p, t, 96, 1), rows(p, t, 32, 32)});  // 32 active
  use_aps(p, Opcode::NcStreamShuffle, Engine::Vector, {rows(p, t, 64, 64), rows(p, t, 0, 40)});  // 64 active
  use_aps(p, Opcode::NcStreamShuffle, Engine::Vector, {rows(p, t, 0, 96), rows(p, t, 0, 70)});   // 96 active
  EXPECT_EQ(error_of(p), "(no error)");
  Program q = p;
  use_aps(q, Opcode::NcStreamShuffle, Engine::Vector, {rows(q, t, 32, 33), rows(q, t, 0, 32)});
  std::string err = error_of(q);
  EXPECT_NE(err.find("nc_stream_shuffle: dst starts at partition 32"), std::string::npos) << err;
  EXPECT_NE(err.find("a shuffle of 64 active partitions must start at partition 0 or 64"), std::string::npos) << err;
  use_aps(p, Opcode::NcStreamShuffle, Engine::Vector, {rows(p, t, 0, 32), rows(p, t, 64, 64)});
  EXPECT_EQ(error_of(p), "(no error)");
  use_aps(p, Opcode::NcStreamShuffle, Engine::Vector, {rows(p, t, 0, 32), rows(p, t, 32, 96)});
  err = error_of(p);
  EXPECT_NE(err.find("src starts at partition 32"), std::string::npos) << err;
  EXPECT_NE(err.find("96 active partitions must start at partition 0"), std::string::npos) << err;
}

TEST(AllocationReport, RotatingBuffers) {
  Program p;
  p.kernel_name = "k";
  p.locs.push_back({});
  uint32_t a = add_tensor(p, Mem::SBUF, {128, 64});
  std::vector<uint32_t> loop;
  for (int i = 0; i < 6; ++i) {
    loop.push_back(add_tensor(p, Mem::SBUF, {128, 64}));
    p.tensors.back().loc = 1;  // same declaration site
  }
  p.locs.push_back({});
  for (size_t i = 0; i < loop.size(); ++i) use(p, {a, loop[i], loop[i >= 2 ? i - 2 : i]});  // 3 live at once
  allocate(p, target(TargetKind::Trn2));
  std::string r = allocation_report(p);
  EXPECT_NE(r.find("  SBUF t0: partitions [0, 128) x bytes [0, 256)\n"), std::string::npos) << r;
  EXPECT_NE(r.find("  SBUF t1: 3 buffers x 256 B, 6 instances\n"
                   "    partitions [0, 128) x bytes [256, 512)\n"
                   "    partitions [0, 128) x bytes [512, 768)\n"
                   "    partitions [0, 128) x bytes [768, 1024)\n"),
            std::string::npos)
      << r;
}

TEST(Allocate, LaneStateOperandsStayAtPartitionZero) {
  // Accumulator registers and random generators are per physical lane: their operands are not moved
  // to other quadrants (lane i stays the tile's partition i).
  Program p;
  p.locs.push_back({});
  uint32_t a = add_tensor(p, Mem::SBUF, {64, 64});
  uint32_t b = add_tensor(p, Mem::SBUF, {64, 64});
  uint32_t c = add_tensor(p, Mem::SBUF, {64, 64});
  use(p, {a, a});
  use_aps(p, Opcode::Activation, Engine::Scalar, {whole(p, b), whole(p, a)});
  use(p, {c, a});
  allocate(p, target(TargetKind::Trn2));
  EXPECT_EQ(p.tensors[a].start_partition, 0);
  EXPECT_EQ(p.tensors[b].start_partition, 0);
  EXPECT_EQ(p.tensors[b].byte_offset, 256);
  EXPECT_EQ(p.tensors[c].start_partition, 64);  // not a lane-state operand: the other half
  EXPECT_EQ(p.tensors[c].byte_offset, 0);
}
