// IR verifier.
#include "ir/verify.h"

#include <stdexcept>

#include "ir/printer.h"

namespace nkic {

std::string check_access_pattern(const Program& p, APRef ap) {
  if (ap.tensor >= p.tensors.size()) return "operand refers to an unknown tensor";
  const TensorDecl& t = p.tensors[ap.tensor];
  if (ap.dims.empty()) return "access pattern has no dimensions";
  int64_t tbytes = t.num_elements() * size_of(t.dtype);
  int64_t isz = size_of(ap.dtype);
  if (tbytes % isz != 0) return "view dtype does not divide the tensor's storage";
  int64_t total = tbytes / isz;  // storage size in view elements
  int64_t lo = ap.offset, hi = ap.offset;
  for (auto& d : ap.dims) {
    if (d.num <= 0) return "access pattern has an empty dimension";
    int64_t span = d.stride * (d.num - 1);
    (span < 0 ? lo : hi) += span;
  }
  if (lo < 0 || hi >= total) return "access pattern reaches outside its tensor";
  if (t.on_chip()) {
    int64_t part = t.partition_bytes() / isz;  // per-partition elements in view dtype
    if (part <= 0) return "on-chip tensor has an empty partition";
    if (ap.dims[0].num > 1 && ap.dims[0].stride != part) return "partition dimension must step whole partitions";
    // The free dims starting at `offset` must stay in one partition.
    int64_t flo = ap.offset % part, fhi = flo;
    for (size_t i = 1; i < ap.dims.size(); ++i) {
      int64_t span = ap.dims[i].stride * (ap.dims[i].num - 1);
      (span < 0 ? flo : fhi) += span;
    }
    if (flo < 0 || fhi >= part) return "free dimensions cross a partition boundary";
  }
  return "";
}

void verify(const Program& p) {
  for (size_t i = 0; i < p.instrs.size(); ++i) {
    const Instruction& in = p.instrs[i];
    if (in.loc >= p.locs.size()) throw std::logic_error("instruction " + std::to_string(i) + " has no location");
    if (in.flags & kDynamic) continue;  // dynamic operands are checked when they run (oob_mode)
    for (size_t k = 0; k < in.num_ops; ++k) {
      std::string why = check_access_pattern(p, p.op(in, k));
      if (!why.empty())
        throw std::logic_error("IR verify: instruction " + std::to_string(i) + " (" + print_instruction(p, in) +
                               "): " + why);
    }
  }
  // Hardware loops are properly nested and their ends point at each other.
  std::vector<uint32_t> open;
  for (uint32_t i = 0; i < p.instrs.size(); ++i) {
    const Instruction& in = p.instrs[i];
    bool begin = in.op == Opcode::Loop || in.op == Opcode::While, end = in.op == Opcode::EndLoop || in.op == Opcode::EndWhile;
    if (begin) open.push_back(i);
    if (!end) continue;
    if (open.empty() || static_cast<uint32_t>(in.i0) != open.back() ||
        static_cast<uint32_t>(p.instrs[open.back()].i0) != i ||
        (in.op == Opcode::EndLoop) != (p.instrs[open.back()].op == Opcode::Loop))
      throw std::logic_error("IR verify: instruction " + std::to_string(i) + " closes no matching loop");
    open.pop_back();
  }
  if (!open.empty()) throw std::logic_error("IR verify: loop at instruction " + std::to_string(open.back()) + " is not closed");
  for (auto t : p.outputs)
    if (t >= p.tensors.size() || p.tensors[t].role == TensorRole::Internal)  // created, or a returned input
      throw std::logic_error("IR verify: bad output tensor");
}

}  // namespace nkic
