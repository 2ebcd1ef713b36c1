// .npy files (format 1.0/2.0): C-order arrays named by their NumPy dtype ("float32", "int64",
// "bfloat16", "float8_e4m3", ...). Used by nl.shared_constant("file.npy") and the CLI's --arg/--out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nkic {

struct NpyArray {
  std::string dtype;  // NumPy name: float64, float32, float16, int64 ... bool, bfloat16, float8_*
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // little-endian, row-major
};

// Bytes per element of a dtype name this reader knows, or 0.
int npy_item_size(const std::string& dtype);

// Throws std::runtime_error with a readable reason (no such file, not a .npy file, big-endian,
// Fortran order, unsupported dtype, truncated, more than max_elements elements).
NpyArray read_npy(const std::string& path, int64_t max_elements = INT64_MAX);
void write_npy(const std::string& path, const NpyArray& a);

}  // namespace nkic
