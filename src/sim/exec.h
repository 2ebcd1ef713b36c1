// What each instruction family's file implements: one exec_<Opcode> function per table row.
#pragma once

#include <vector>

#include "ir/program.h"
#include "sim/memory.h"

namespace nkic::sim {

struct ExecContext {
  const Program& prog;
  const Target& tgt;
  Memory& mem;
  std::vector<float> a, b, c;  // scratch rows, reused across instructions
};

#define X(e, n, eng) void exec_##e(ExecContext& cx, const Instruction& in);
NKIC_OPCODES(X)
#undef X

}  // namespace nkic::sim
