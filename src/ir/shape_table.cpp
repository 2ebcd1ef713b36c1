// Shape interning: an open-addressing hash table of entry ids over the stored shapes.
#include "ir/shape_table.h"

#include <stdexcept>

namespace nkic {

namespace {
uint64_t hash_shape(DType dtype, std::span<const APDim> dims) {
  uint64_t h = static_cast<uint64_t>(dtype) * 0x9E3779B97F4A7C15ull + dims.size();
  for (const APDim& d : dims) {
    h = (h ^ static_cast<uint64_t>(d.stride)) * 0x100000001B3ull;
    h = (h ^ static_cast<uint64_t>(d.num)) * 0x100000001B3ull;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}
}  // namespace

uint32_t ShapeTable::intern(DType dtype, std::span<const APDim> dims) {
  if (dims.size() > UINT16_MAX) throw std::length_error("access pattern has too many dimensions");
  if (2 * (entries_.size() + 1) > slots_.size()) {  // keep the load factor at most 1/2
    std::vector<uint32_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : 2 * old.size(), 0);
    size_t mask = slots_.size() - 1;
    for (uint32_t s : old) {
      if (!s) continue;
      ShapeRef r = (*this)[s - 1];
      size_t i = hash_shape(r.dtype, r.dims) & mask;
      while (slots_[i]) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  size_t mask = slots_.size() - 1;
  for (size_t i = hash_shape(dtype, dims) & mask;; i = (i + 1) & mask) {
    uint32_t s = slots_[i];
    if (!s) {
      entries_.push_back({static_cast<uint32_t>(dims_.size()), static_cast<uint16_t>(dims.size()), dtype});
      dims_.insert(dims_.end(), dims.begin(), dims.end());
      slots_[i] = static_cast<uint32_t>(entries_.size());
      return slots_[i] - 1;
    }
    ShapeRef r = (*this)[s - 1];
    if (r.dtype != dtype || r.dims.size() != dims.size()) continue;
    bool same = true;
    for (size_t k = 0; k < dims.size() && same; ++k)
      same = r.dims[k].stride == dims[k].stride && r.dims[k].num == dims[k].num;
    if (same) return s - 1;
  }
}

}  // namespace nkic
