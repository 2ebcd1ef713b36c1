// Sequencer instructions: the register file (register_move/load/store, register_alu). The loop
// instructions move the program counter and are executed by the run loop (core.cpp); their exec_
// functions do nothing.
#include "numerics/numerics.h"
#include "sim/exec.h"

namespace nkic::sim {

namespace {
int64_t& reg(ExecContext& cx, int64_t r) {
  if (r < 0 || r >= static_cast<int64_t>(cx.regs.size()))
    throw ExecError("register r" + std::to_string(r) + " does not exist");
  return cx.regs[static_cast<size_t>(r)];
}
// A 32-bit register value: the low 32 bits, sign-extended (how 32-bit values sit in the 64-bit storage).
int64_t low32(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }
}  // namespace

void exec_RegisterMove(ExecContext& cx, const Instruction& in) {
  reg(cx, in.i0) = (in.flags & kFromReg) ? reg(cx, static_cast<int64_t>(in.f1)) : static_cast<int64_t>(in.f0);
}

// A 32-bit load keeps the bit pattern (uint32 values above 2**31 - 1 read as negative); int64 loads all
// 64 bits (an int64 NkiScalar).
void exec_RegisterLoad(ExecContext& cx, const Instruction& in) {
  PhysView s = cx.mem.view(cx.prog.op(in, 0));
  int64_t v = numerics::load_i64(s.dtype, s.origin);
  reg(cx, in.i0) = s.dtype == DType::Int64 ? v : low32(static_cast<uint64_t>(v));
}

void exec_RegisterStore(ExecContext& cx, const Instruction& in) {
  PhysView d = cx.mem.view(cx.prog.op(in, 0));
  int64_t r = reg(cx, in.i0);
  int64_t v = d.dtype == DType::UInt32 ? static_cast<int64_t>(static_cast<uint32_t>(r)) : r;
  numerics::store_i64(d.dtype, v, d.origin);
}

// NkiScalar arithmetic at the instruction's width: wraps (computed unsigned, where overflow is defined),
// 32-bit results sign-extended; comparisons give 0 or 1.
void exec_RegisterAlu(ExecContext& cx, const Instruction& in) {
  std::span<const int64_t> ints = cx.prog.ints(in);
  if (ints.empty()) throw ExecError("register_alu has no source register");
  bool wide = ints.size() > 1 && ints[1] == 64;
  int64_t sa = reg(cx, ints[0]);
  int64_t sb = (in.flags & kFromReg) ? reg(cx, static_cast<int64_t>(in.f1)) : static_cast<int64_t>(in.f0);
  if (!wide) sa = low32(static_cast<uint64_t>(sa)), sb = low32(static_cast<uint64_t>(sb));
  auto a = static_cast<uint64_t>(sa), b = static_cast<uint64_t>(sb);
  uint64_t r = 0;
  switch (in.alu) {
    case AluOp::Add: r = a + b; break;
    case AluOp::Subtract: r = a - b; break;
    case AluOp::Multiply: r = a * b; break;
    case AluOp::Equal: r = sa == sb; break;
    case AluOp::NotEqual: r = sa != sb; break;
    case AluOp::Less: r = sa < sb; break;
    case AluOp::LessEqual: r = sa <= sb; break;
    case AluOp::Greater: r = sa > sb; break;
    case AluOp::GreaterEqual: r = sa >= sb; break;
    default:
      throw ExecError("register_alu supports add, subtract, multiply and comparisons, not " +
                      std::string(name_of(in.alu)));
  }
  reg(cx, in.i0) = wide ? static_cast<int64_t>(r) : low32(r);
}

void exec_Loop(ExecContext&, const Instruction&) {}
void exec_EndLoop(ExecContext&, const Instruction&) {}
void exec_While(ExecContext&, const Instruction&) {}
void exec_EndWhile(ExecContext&, const Instruction&) {}

}  // namespace nkic::sim
