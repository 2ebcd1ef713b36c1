// core_barrier, sendrecv and the collectives: their work happens when every core taking part has
// reached them (Device::complete moves sendrecv's data, World::complete a collective's); when a core
// then executes its own instruction there is nothing left to do.
#include "sim/exec.h"

namespace nkic::sim {

void exec_CoreBarrier(ExecContext&, const Instruction&) {}
void exec_SendRecv(ExecContext&, const Instruction&) {}
void exec_Collective(ExecContext&, const Instruction&) {}

}  // namespace nkic::sim
