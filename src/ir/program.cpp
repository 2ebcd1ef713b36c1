// Program helpers and name tables.
#include "ir/program.h"

namespace nkic {

std::string_view name_of(Mem m) {
  switch (m) {
    case Mem::HBM: return "hbm";
    case Mem::SBUF: return "sbuf";
    case Mem::PSUM: return "psum";
  }
  return "?";
}

std::string_view name_of(Engine e) {
  static constexpr std::string_view names[] = {"tensor", "vector", "scalar", "gpsimd", "sync", "dma", "unknown"};
  return names[static_cast<int>(e)];
}

std::string_view name_of(Opcode op) {
  static constexpr std::string_view names[] = {
#define X(e, n, eng, roles) n,
      NKIC_OPCODES(X)
#undef X
  };
  return names[static_cast<int>(op)];
}

Engine default_engine(Opcode op) {
  static constexpr Engine engines[] = {
#define X(e, n, eng, roles) Engine::eng,
      NKIC_OPCODES(X)
#undef X
  };
  return engines[static_cast<int>(op)];
}

std::string_view operand_roles(Opcode op) {
  static constexpr std::string_view roles[] = {
#define X(e, n, eng, r) r,
      NKIC_OPCODES(X)
#undef X
  };
  return roles[static_cast<int>(op)];
}

int Instruction::operand(int r) const {
  if (present == 0) return r < static_cast<int>(ops.size()) ? r : -1;
  if (r >= 16) return -1;
  if (!(present >> r & 1)) return -1;
  return __builtin_popcount(present & ((1u << r) - 1));
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

int64_t AccessPattern::num_elements() const {
  int64_t n = 1;
  for (auto& d : dims) n *= d.num;
  return n;
}

int64_t AccessPattern::free_elements() const {
  int64_t n = 1;
  for (size_t i = 1; i < dims.size(); ++i) n *= dims[i].num;
  return n;
}

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

}  // namespace nkic
