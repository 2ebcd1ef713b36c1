// What each instruction family's file implements: one exec_<Opcode> function per table row.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/program.h"
#include "sim/memory.h"

namespace nkic::sim {

// The engines' pseudo-random generators: per compute lane, XORWOW states of 6 words {x, y, z, w, v, d}
// (docs/semantics.md, "Random numbers"). VectorE has 4 generators per lane, GpSimd one. The constructor
// seeds both as `seed 0` would (src/sim/random.cpp).
struct RngState {
  std::array<std::array<uint32_t, 24>, 128> vec;
  std::array<std::array<uint32_t, 6>, 128> gps;
  RngState();
};

struct ExecContext {
  const Program& prog;
  const Target& tgt;
  Memory& mem;
  std::vector<float> a, b, c;  // scratch rows, reused across instructions
  std::vector<int64_t> ia, ib, ic;
  // Engine accumulator registers, one per compute lane (physical partition); they persist across
  // instructions (spec §5.0). ScalarE's are shared by activation / activation_reduce.
  std::array<float, 128> act_acc{};
  std::array<float, 128> vec_acc{};
  std::vector<int64_t> regs;  // the sequencer registers (Program::num_registers); 32-bit values sign-extended
  RngState rng{};             // the random generators' state, persisting across instructions for the run
};

// A data-dependent error found while executing (an index out of range...): the run loop reports it at
// the instruction's source line.
struct ExecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

#define X(e, n, eng, roles, imms, traits) void exec_##e(ExecContext& cx, const Instruction& in);
NKIC_OPCODES(X)
#undef X

// TensorE results to PSUM (tensor_engine.cpp): the M x N fp32 result C, followed by N floats of scratch,
// accumulated as `accumulate` says (Auto: where the location was written since its birth).
void write_psum(ExecContext& cx, const PhysView& d, float* C, int64_t M, int64_t N, Accumulate accumulate);

// An instruction flagged kDynamic (instruction `index` of the program): operands with run-time offsets.
void exec_dynamic(ExecContext& cx, const Instruction& in, uint32_t index);
// A compute instruction with indirect operands (dyn[k]: operand k's dynamic offset, or nullptr).
void exec_indirect(ExecContext& cx, const Instruction& in, const std::vector<const DynamicOffset*>& dyn);

}  // namespace nkic::sim
