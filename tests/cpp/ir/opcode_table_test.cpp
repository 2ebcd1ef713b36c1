// The opcode table drives the printer and the verifier: one instruction of every opcode, with every
// role filled and every immediate set, prints every role and immediate by name and verifies.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "ir/verify.h"

using namespace nkic;

namespace {

// A tensor in the first buffer the role allows (SBUF when it may be on chip).
uint32_t tensor_for(Program& p, const OperandSpec& role) {
  Mem m = contains(role.mems, Mem::SBUF) ? Mem::SBUF : contains(role.mems, Mem::PSUM) ? Mem::PSUM : Mem::HBM;
  TensorDecl t;
  t.name = std::string(role.name) + "_t";
  t.mem = m;
  t.shape = {4, 8};
  p.tensors.push_back(t);
  return static_cast<uint32_t>(p.tensors.size() - 1);
}

// One instruction of `op` with all roles present and distinctive immediates.
Program one_instruction(Opcode op) {
  Program p;
  p.locs.push_back({});
  p.num_registers = 8;
  p.strings.push_back("prefix");
  const OpcodeInfo& row = info(op);
  std::vector<AccessPattern> ops;
  for (const OperandSpec& r : row.operands())
    ops.push_back(AccessPattern{tensor_for(p, r), DType::Float32, 0, {{8, 4}, {1, 8}}});
  Instruction in;
  in.op = op;
  in.engine = row.engine;
  in.alu = AluOp::Multiply;
  in.alu1 = AluOp::Add;
  in.i0 = op == Opcode::DevicePrint ? 0 : 3;  // a register, a reduce_cmd, a string index...
  if (op == Opcode::NcMatmul || op == Opcode::NcMatmulMx) in.i0 = static_cast<int32_t>(Accumulate::Accumulate);
  in.f0 = 2.5;
  in.f1 = 5;
  in.flags = kRev0 | kNegate;
  std::vector<APRef> refs(ops.begin(), ops.end());
  Instruction& e = p.emit(in, refs);
  if (op == Opcode::Collective) {  // one src, one dst, ranks {0, 1}
    in.i0 = static_cast<int32_t>(CollectiveKind::AllReduce);
    CollectiveLayout l;
    l.num_srcs = l.num_dsts = 1;
    l.groups = {{0, 1}};
    e.i0 = in.i0;
    p.set_ints(e, l.encode());
  } else {
    p.set_ints(e, {1, 2, 7, 1, 0, 1, 3, 3});
  }
  return p;
}

}  // namespace

TEST(OpcodeTable, PrinterShowsEveryRoleAndImmediate) {
  for (size_t k = 0; k < kNumOpcodes; ++k) {
    auto op = static_cast<Opcode>(k);
    Program p = one_instruction(op);
    std::string text = print_instruction(p, p.instrs[0]);
    SCOPED_TRACE(text);
    EXPECT_EQ(text.rfind(std::string(name_of(op)) + " engine=", 0), 0u);
    for (const OperandSpec& r : info(op).operands())
      EXPECT_NE(text.find(" " + std::string(r.name) + "="), std::string::npos) << r.name;
    for (const ImmSpec& m : info(op).immediates()) {
      bool shown = text.find(" " + std::string(m.name) + "=") != std::string::npos;
      // A scalar form of an operand role prints only when the operand is absent; here every role is present.
      if (m.unless_role >= 0)
        EXPECT_EQ(text.find(" " + std::string(m.name) + "=" + "2.5"), std::string::npos) << m.name;
      else
        EXPECT_TRUE(shown) << m.name;
    }
  }
}

TEST(OpcodeTable, EveryRowVerifies) {
  for (size_t k = 0; k < kNumOpcodes; ++k) {
    auto op = static_cast<Opcode>(k);
    if (op == Opcode::Loop || op == Opcode::EndLoop || op == Opcode::While || op == Opcode::EndWhile) continue;
    Program p = one_instruction(op);
    EXPECT_NO_THROW(verify(p)) << name_of(op);
  }
}

TEST(OpcodeTable, ScalarFormPrintsWhenTheOperandIsAbsent) {
  Program p;
  p.locs.push_back({});
  TensorDecl t;
  t.name = "x";
  t.shape = {4, 8};
  p.tensors.push_back(t);
  AccessPattern ap{0, DType::Float32, 0, {{8, 4}, {1, 8}}};
  Instruction in;
  in.op = Opcode::TensorScalar;
  in.engine = Engine::Vector;
  in.alu = AluOp::Add;
  in.f0 = 1.5;
  in.present = 0b0011;  // dst, data; operand0/operand1 are scalars
  p.emit(in, {ap, ap});
  std::string text = print_instruction(p, p.instrs[0]);
  EXPECT_NE(text.find(" op0=add operand0=1.5 reverse0=false op1=bypass operand1=0 reverse1=false"), std::string::npos)
      << text;
}

TEST(OpcodeTable, VerifierChecksBuffersAndImmediates) {
  Program p = one_instruction(Opcode::NcMatmul);
  p.tensors[p.op(p.instrs[0], 1).tensor].mem = Mem::HBM;  // stationary must be in SBUF
  try {
    verify(p);
    FAIL() << "expected a verify error";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("stationary is in hbm"), std::string::npos) << e.what();
  }
  Program q = one_instruction(Opcode::Activation);
  q.instrs[0].i0 = 9;  // not a reduce_cmd
  EXPECT_THROW(verify(q), std::logic_error);
  Program r = one_instruction(Opcode::RegisterMove);
  r.instrs[0].i0 = 8;  // registers r0..r7
  EXPECT_THROW(verify(r), std::logic_error);
}

TEST(OpcodeTable, NamesAndEnginesComeFromTheRows) {
  EXPECT_EQ(name_of(Opcode::TensorScalar), "tensor_scalar");
  EXPECT_EQ(default_engine(Opcode::NcMatmul), Engine::Tensor);
  EXPECT_EQ(info(Opcode::DmaCompute).operands().back().arity, Arity::Rest);
  EXPECT_TRUE(info(Opcode::Activation).traits & kLaneState);
  EXPECT_FALSE(info(Opcode::TensorCopy).traits & kLaneState);
  EXPECT_EQ(name_of(ReduceCmd::ResetReduce), "reset_reduce");
}
