// What the two files of block dimensions and direct allocation share (legacy_alloc.cpp: the allocators
// and the addresses they give; legacy_alloc_blocks.cpp: par_dim, block tensors, the creation calls).
#pragma once

#include "trace/legacy.h"

namespace nkic::trace {

// Per kernel (the ncc module is made per interpreter): whether it uses direct allocation.
struct AllocState : Object {
  bool direct = false;  // a tensor was declared with an ncc.sbuf/psum allocator
  int32_t decls = 0;    // directly allocated declarations so far (TensorDecl::da_decl)
  int force_auto = -1;  // @ncc.force_auto_alloc on the kernel (-1: not read yet)
  std::string hidden;   // the first call that allocated hidden temporaries ("nl.softmax (line 12)")
};
AllocState& alloc_state(Interpreter& in);

// `buffer=` values made by ncc.sbuf/psum.alloc and mod_alloc.
bool is_allocator(const Value& v);
Mem allocator_mem(const Value& alloc);
// Places logical block `idx` (pdim partitions, fdim_bytes per partition) by the allocator: sets `d`'s
// address (program.tensors[tensor]) after checking the start-partition, range and alignment rules
// (errors at `s`, the buffer= argument).
void place_block(Interpreter& in, const Value& alloc, Span s, const std::vector<int64_t>& idx, int64_t pdim,
                 int64_t fdim_bytes, DType dt, uint32_t tensor);
std::string idx_text(const std::vector<int64_t>& idx);  // "(3,)", "(1, 2)", "()"

void add_legacy_blocks(ModuleObj& nl);  // legacy_alloc_blocks.cpp

}  // namespace nkic::trace
