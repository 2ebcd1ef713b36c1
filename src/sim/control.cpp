// Sequencer instructions: the register file (register_move/load/store, register_alu). The loop
// instructions move the program counter and are executed by the run loop (core.cpp); their exec_
// functions do nothing.
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

// NkiScalar arithmetic: int32 wraps (computed in uint32, where overflow is defined).
void exec_RegisterAlu(ExecContext& cx, const Instruction& in) {
  std::span<const int64_t> ints = cx.prog.ints(in);
  if (ints.empty()) throw ExecError("register_alu has no source register");
  auto a = static_cast<uint32_t>(reg(cx, ints[0]));
  auto b =
      static_cast<uint32_t>((in.flags & kFromReg) ? reg(cx, static_cast<int64_t>(in.f1)) : static_cast<int32_t>(in.f0));
  uint32_t r = 0;
  switch (in.alu) {
    case AluOp::Add: r = a + b; break;
    case AluOp::Subtract: r = a - b; break;
    case AluOp::Multiply: r = a * b; break;
    default: throw ExecError("register_alu supports add, subtract and multiply, not " + std::string(name_of(in.alu)));
  }
  reg(cx, in.i0) = static_cast<int32_t>(r);
}

void exec_Loop(ExecContext&, const Instruction&) {}
void exec_EndLoop(ExecContext&, const Instruction&) {}
void exec_While(ExecContext&, const Instruction&) {}
void exec_EndWhile(ExecContext&, const Instruction&) {}

}  // namespace nkic::sim
