// Minimal .npy (format 1.0/2.0) reading and writing for the CLI: C-order arrays of NKI dtypes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace nkic::cli {

struct NpyArray {
  std::vector<int64_t> shape;
  DType dtype = DType::Float32;
  std::vector<uint8_t> data;
};

// Throws std::runtime_error with a readable message.
NpyArray read_npy(const std::string& path);
void write_npy(const std::string& path, const NpyArray& a);

}  // namespace nkic::cli
