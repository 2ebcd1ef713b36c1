// Program helpers and name tables.
#include "ir/program.h"

#include <algorithm>
#include <stdexcept>

namespace nkic {

int Instruction::operand(int r) const {
  if (present == 0) return r < num_ops ? r : -1;
  if (r >= 8) return -1;
  if (!(present >> r & 1)) return -1;
  return __builtin_popcount(present & ((1u << r) - 1));
}

const OperandSpec* role_of(const Instruction& in, size_t k) {
  std::span<const OperandSpec> roles = info(in.op).operands();
  if (roles.empty()) return nullptr;
  for (size_t r = 0; r < roles.size(); ++r)
    if (in.operand(static_cast<int>(r)) == static_cast<int>(k)) return &roles[r];
  return &roles.back();
}

Instruction& Program::emit(Instruction in, std::span<const APRef> ops) {
  if (ops.size() > UINT8_MAX) throw std::length_error("instruction has more than 255 operands");
  in.ops_begin = static_cast<uint32_t>(operands.size());
  in.num_ops = static_cast<uint8_t>(ops.size());
  for (const APRef& ap : ops) operands.push_back({ap.tensor, shapes.intern(ap.dtype, ap.dims), ap.offset});
  return instrs.push_back(in);
}

void Program::set_ints(Instruction& in, std::span<const int64_t> v) {
  if (v.size() > UINT8_MAX) throw std::length_error("instruction has more than 255 integer immediates");
  in.ints_begin = static_cast<uint32_t>(int_pool.size());
  in.num_ints = static_cast<uint8_t>(v.size());
  int_pool.insert(int_pool.end(), v.begin(), v.end());
}

std::span<const DynamicOperand> Program::dynamic_of(uint32_t instr) const {
  auto lo = std::lower_bound(dynamic.begin(), dynamic.end(), instr,
                             [](const DynamicOperand& d, uint32_t i) { return d.instr < i; });
  auto hi = lo;
  while (hi != dynamic.end() && hi->instr == instr) ++hi;
  return {lo, hi};
}

bool Program::is_dynamic(uint32_t instr, uint32_t operand) const {
  for (const DynamicOperand& d : dynamic_of(instr))
    if (d.operand == operand) return true;
  return false;
}

int64_t TensorDecl::num_elements() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

int64_t TensorDecl::free_elements() const {
  int64_t n = 1;
  for (size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

int64_t APRef::num_elements() const {
  int64_t n = 1;
  for (auto& d : dims) n *= d.num;
  return n;
}

int64_t APRef::free_elements() const {
  int64_t n = 1;
  for (size_t i = 1; i < dims.size(); ++i) n *= dims[i].num;
  return n;
}

int64_t AccessPattern::num_elements() const { return APRef(*this).num_elements(); }
int64_t AccessPattern::free_elements() const { return APRef(*this).free_elements(); }

uint32_t Program::add_loc(Location l, int32_t parent) {
  locs.push_back({std::move(l), parent});
  return static_cast<uint32_t>(locs.size() - 1);
}

std::vector<Location> Program::call_stack(uint32_t loc) const {
  std::vector<Location> out;
  for (int32_t i = static_cast<int32_t>(loc); i >= 0 && i < static_cast<int32_t>(locs.size()); i = locs[i].parent)
    out.insert(out.begin(), locs[i].loc);
  return out;
}

Diagnostic Program::diagnostic_at(const Instruction& in, const std::string& msg, const std::string& hint) const {
  Diagnostic d;
  auto stack = call_stack(in.loc);
  if (!stack.empty()) {
    d.loc = stack.back();
    stack.pop_back();
    d.stack = std::move(stack);
  }
  d.message = std::string(name_of(in.op)) + ": " + msg;
  d.hint = hint;
  return d;
}

}  // namespace nkic
