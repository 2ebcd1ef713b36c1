// Sequencer instructions: the register file (register_move/load/store). The loop instructions move
// the program counter and are executed by the run loop (core.cpp); their exec_ functions do nothing.
#include "numerics/numerics.h"
#include "sim/exec.h"

namespace nkic::sim {

namespace {
int32_t& reg(ExecContext& cx, int64_t r) {
  if (r < 0 || r >= static_cast<int64_t>(cx.regs.size()))
    throw ExecError("register r" + std::to_string(r) + " does not exist");
  return cx.regs[static_cast<size_t>(r)];
}
}  // namespace

void exec_RegisterMove(ExecContext& cx, const Instruction& in) {
  reg(cx, in.i0) = (in.flags & kFromReg) ? reg(cx, static_cast<int64_t>(in.f1)) : static_cast<int32_t>(in.f0);
}

// A register holds 32 bits: loads of 32-bit unsigned values keep their bit pattern.
void exec_RegisterLoad(ExecContext& cx, const Instruction& in) {
  PhysView s = cx.mem.view(cx.prog.op(in, 0));
  int64_t v = numerics::load_i64(s.dtype, s.origin);
  reg(cx, in.i0) = static_cast<int32_t>(static_cast<uint32_t>(v));
}

void exec_RegisterStore(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(cx.prog.op(in, 0));
  int32_t r = reg(cx, in.i0);
  int64_t v = d.dtype == DType::UInt32 ? static_cast<int64_t>(static_cast<uint32_t>(r)) : r;
  numerics::store_i64(d.dtype, v, d.origin);
}

void exec_Loop(ExecContext&, const Instruction&) {}
void exec_EndLoop(ExecContext&, const Instruction&) {}
void exec_While(ExecContext&, const Instruction&) {}
void exec_EndWhile(ExecContext&, const Instruction&) {}

}  // namespace nkic::sim
