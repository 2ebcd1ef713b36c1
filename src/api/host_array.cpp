// Host arrays (api/host_array.h).
#include "api/host_array.h"

#include <stdexcept>

#include "numerics/numerics.h"
#include "support/npy.h"

namespace nkic::api {

int64_t HostArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

double HostArray::get(int64_t i) const {
  const uint8_t* p = data.data() + i * size_of(dtype);
  return is_float(dtype) ? numerics::load(dtype, p) : static_cast<double>(numerics::load_i64(dtype, p));
}

void HostArray::set(int64_t i, double v) {
  uint8_t* p = data.data() + i * size_of(dtype);
  if (is_float(dtype))
    numerics::store(dtype, static_cast<float>(v), p);
  else
    numerics::store_i64(dtype, static_cast<int64_t>(v), p);
}

HostArray make_array(std::vector<int64_t> shape, DType dtype) {
  HostArray a{std::move(shape), dtype, {}};
  a.data.assign(static_cast<size_t>(a.size() * size_of(dtype)), 0);
  return a;
}

HostArray read_array(const std::string& path, const DType* as) {
  NpyArray n = read_npy(path);
  auto dt = dtype_from_name(n.dtype);
  if (!dt || is_packed(*dt))
    throw std::runtime_error("'" + path + "': arrays of dtype " + n.dtype + " are not supported");
  HostArray a{std::move(n.shape), *dt, std::move(n.data)};
  if (!as || *as == a.dtype) return a;
  HostArray b = make_array(a.shape, *as);
  for (int64_t i = 0; i < a.size(); ++i) b.set(i, a.get(i));
  return b;
}

void write_array(const std::string& path, const HostArray& a) {
  write_npy(path, NpyArray{std::string(name_of(a.dtype)), a.shape, a.data});
}

}  // namespace nkic::api
