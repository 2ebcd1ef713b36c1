// What each instruction family's file implements: one exec_<Opcode> function per table row.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/program.h"
#include "sim/memory.h"

namespace nkic::sim {

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
};

// A data-dependent error found while executing (an index out of range...): the run loop reports it at
// the instruction's source line.
struct ExecError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

#define X(e, n, eng, roles) void exec_##e(ExecContext& cx, const Instruction& in);
NKIC_OPCODES(X)
#undef X

}  // namespace nkic::sim
