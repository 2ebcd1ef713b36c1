// Interned access-pattern shapes: a dtype with its dims (stride, num), stored once per distinct shape
// and named by a dense id. Programs repeat a few shapes over many operands.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ir/dtype.h"

namespace nkic {

struct APDim {
  int64_t stride;  // in elements of the access pattern's dtype
  int64_t num;
};

struct ShapeRef {
  DType dtype;
  std::span<const APDim> dims;  // valid until the next intern()
};

class ShapeTable {
 public:
  // The id of (dtype, dims), adding it if new.
  uint32_t intern(DType dtype, std::span<const APDim> dims);
  ShapeRef operator[](uint32_t id) const {
    const Entry& e = entries_[id];
    return {e.dtype, {dims_.data() + e.begin, e.rank}};
  }
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint32_t begin;  // into dims_
    uint16_t rank;
    DType dtype;
  };
  std::vector<APDim> dims_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> slots_;  // open addressing: entry id + 1 (0: empty); a power-of-two size
};

}  // namespace nkic
