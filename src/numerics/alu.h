// ALU semantics: what an operator constant computes on fp32 values (the engines' compute type) and on
// integers of a given width (bitvec and integer arithmetic). The operators themselves are ir/ops.h.
#pragma once

#include <cstdint>

#include "ir/ops.h"

namespace nkic {

// Elementwise fp32 evaluation of an arithmetic ALU operator (the engines compute in fp32). For unary
// operators `b` is ignored.
float apply_alu(AluOp op, float a, float b);
// Exact integer evaluation on values of `bits`-bit integers (bitvec ops work on the raw bit pattern,
// zero-extended to 64 bits; arithmetic ops on the signed/unsigned values).
int64_t apply_alu_int(AluOp op, int64_t a, int64_t b, int bits);

}  // namespace nkic
