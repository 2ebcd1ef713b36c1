// .npy I/O. bfloat16 and fp8 use ml_dtypes' descriptors ('<V2'-style names are not portable, so we
// write the ml_dtypes type names that numpy resolves once ml_dtypes is imported).
#include "npy.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nkic::cli {

namespace {
struct DescrRow {
  DType dtype;
  const char* descr;
};
constexpr DescrRow kDescrs[] = {
    {DType::Float32, "<f4"}, {DType::Float16, "<f2"}, {DType::Int8, "|i1"},   {DType::UInt8, "|u1"},
    {DType::Int16, "<i2"},   {DType::UInt16, "<u2"},  {DType::Int32, "<i4"},  {DType::UInt32, "<u4"},
    {DType::Bool, "|b1"},    {DType::BFloat16, "bfloat16"}, {DType::Float8E4M3, "float8_e4m3"},
    {DType::Float8E4M3FN, "float8_e4m3fn"}, {DType::Float8E5M2, "float8_e5m2"},
};

std::string field(const std::string& header, const std::string& key) {
  auto k = header.find("'" + key + "'");
  if (k == std::string::npos) throw std::runtime_error("malformed .npy header (no '" + key + "')");
  auto colon = header.find(':', k);
  size_t i = colon + 1;
  while (i < header.size() && header[i] == ' ') ++i;
  if (header[i] == '\'') return header.substr(i + 1, header.find('\'', i + 1) - i - 1);
  if (header[i] == '(') return header.substr(i + 1, header.find(')', i) - i - 1);
  size_t e = header.find_first_of(",}", i);
  return header.substr(i, e - i);
}
}  // namespace

NpyArray read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open '" + path + "'");
  char magic[8];
  f.read(magic, 8);
  if (!f || std::string(magic, 6) != "\x93NUMPY") throw std::runtime_error("'" + path + "' is not a .npy file");
  uint32_t hlen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    f.read(reinterpret_cast<char*>(b), 2);
    hlen = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    f.read(reinterpret_cast<char*>(b), 4);
    hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  }
  std::string header(hlen, '\0');
  f.read(header.data(), hlen);
  NpyArray a;
  std::string descr = field(header, "descr");
  auto strip = [](std::string d) { return !d.empty() && (d[0] == '<' || d[0] == '|' || d[0] == '=') ? d.substr(1) : d; };
  // numpy saves ml_dtypes.bfloat16 arrays as raw 2-byte voids: read those as bfloat16.
  if (strip(descr) == "V2") descr = "bfloat16";
  bool found = false;
  for (auto& r : kDescrs)
    if (strip(descr) == strip(r.descr)) {
      a.dtype = r.dtype;
      found = true;
      break;
    }
  if (!found) throw std::runtime_error("'" + path + "': unsupported dtype '" + descr + "'");
  if (field(header, "fortran_order").find("True") != std::string::npos)
    throw std::runtime_error("'" + path + "': Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  std::stringstream shape(field(header, "shape"));
  std::string tok;
  int64_t n = 1;
  while (std::getline(shape, tok, ',')) {
    if (tok.find_first_not_of(" ") == std::string::npos) continue;
    a.shape.push_back(std::stoll(tok));
    n *= a.shape.back();
  }
  a.data.resize(n * size_of(a.dtype));
  f.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(a.data.size()));
  if (!f) throw std::runtime_error("'" + path + "' is truncated");
  return a;
}

void write_npy(const std::string& path, const NpyArray& a) {
  const char* descr = nullptr;
  for (auto& r : kDescrs)
    if (r.dtype == a.dtype) descr = r.descr;
  if (!descr) throw std::runtime_error("cannot write dtype " + std::string(name_of(a.dtype)) + " to .npy");
  std::string shape;
  for (size_t i = 0; i < a.shape.size(); ++i) shape += std::to_string(a.shape[i]) + (a.shape.size() == 1 || i + 1 < a.shape.size() ? "," : "");
  if (!shape.empty() && shape.back() == ',' && a.shape.size() > 1) shape.pop_back();
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot write '" + path + "'");
  f.write("\x93NUMPY\x01\x00", 8);
  uint16_t hl = static_cast<uint16_t>(header.size());
  char b[2] = {static_cast<char>(hl & 0xff), static_cast<char>(hl >> 8)};
  f.write(b, 2);
  f.write(header.data(), static_cast<std::streamsize>(header.size()));
  f.write(reinterpret_cast<const char*>(a.data.data()), static_cast<std::streamsize>(a.data.size()));
}

}  // namespace nkic::cli
