// Host arrays for the CLI: kernel inputs and outputs as C-order buffers of an NKI dtype, read from and
// written to .npy files, with element access and dtype conversion through the hardware numerics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace nkic::api {

struct HostArray {
  std::vector<int64_t> shape;
  DType dtype = DType::Float32;
  std::vector<uint8_t> data;

  int64_t size() const;  // elements
  // Element i as a double (floats widened exactly, integers converted) / stored with the dtype's rounding.
  double get(int64_t i) const;
  void set(int64_t i, double v);
};

// A zero-filled array.
HostArray make_array(std::vector<int64_t> shape, DType dtype);
// Reads a .npy file of an NKI dtype, converted to `as` when given. Throws std::runtime_error.
HostArray read_array(const std::string& path, const DType* as = nullptr);
void write_array(const std::string& path, const HostArray& a);

}  // namespace nkic::api
