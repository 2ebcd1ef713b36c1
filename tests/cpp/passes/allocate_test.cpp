// The allocate pass on Programs built directly: reuse after last use, PSUM bank alignment, capacity.
#include <gtest/gtest.h>

#include "frontend/diagnostic.h"
#include "passes/allocate.h"

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
  for (auto t : ts) in.ops.push_back(whole(p, t));
  p.instrs.push_back(in);
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
