// core_barrier and sendrecv: their work happens when every core has reached them (Device::complete
// moves sendrecv's data); when a core then executes its own instruction there is nothing left to do.
#include "sim/exec.h"

namespace nkic::sim {

void exec_CoreBarrier(ExecContext&, const Instruction&) {}
void exec_SendRecv(ExecContext&, const Instruction&) {}

}  // namespace nkic::sim
