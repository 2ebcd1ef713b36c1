// IR printing and verification.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "ir/verify.h"

using namespace nkic;

TEST(Printer, AccessPatternFormat) {
  Program p;
  TensorDecl t;
  t.name = "x";
  t.mem = Mem::SBUF;
  t.shape = {128, 512};
  p.tensors.push_back(t);
  AccessPattern ap{0, DType::Float32, 8, {{512, 64}, {2, 100}}};
  EXPECT_EQ(print_access_pattern(p, ap), "float32@sbuf:x[8][[512,64],[2,100]]");
  EXPECT_EQ(check_access_pattern(p, ap), "");
}

TEST(Verify, RejectsOutOfBoundsAndPartitionCrossing) {
  Program p;
  TensorDecl t;
  t.name = "x";
  t.mem = Mem::SBUF;
  t.shape = {4, 8};
  p.tensors.push_back(t);
  EXPECT_NE(check_access_pattern(p, AccessPattern{0, DType::Float32, 0, {{8, 5}, {1, 8}}}), "");  // 5 partitions
  EXPECT_NE(check_access_pattern(p, AccessPattern{0, DType::Float32, 4, {{8, 4}, {1, 8}}}), "");  // crosses a partition
  EXPECT_NE(check_access_pattern(p, AccessPattern{0, DType::Float32, 0, {{4, 4}, {1, 4}}}), "");  // partition stride
  EXPECT_EQ(check_access_pattern(p, AccessPattern{0, DType::Float32, 4, {{8, 4}, {1, 4}}}), "");
  Instruction in;
  in.op = Opcode::Memset;
  AccessPattern bad{0, DType::Float32, 0, {{8, 4}, {1, 9}}};
  p.locs.push_back({});
  p.emit(in, {bad});
  EXPECT_THROW(verify(p), std::logic_error);
}
