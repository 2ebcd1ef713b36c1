// Human-readable dump of a Program (`nkic ir`): tensors, then one instruction per line with engine,
// operands as access patterns `dtype@buffer:name[offset][[stride,num],...]` and the source line.
#pragma once

#include <string>

#include "ir/program.h"

namespace nkic {

std::string print_access_pattern(const Program& p, APRef ap);
std::string print_instruction(const Program& p, const Instruction& in);
std::string print_program(const Program& p);

}  // namespace nkic
