// .npy I/O. numpy saves ml_dtypes arrays (bfloat16, fp8) with their type names as descr, or bfloat16 as
// a raw 2-byte void ('<V2'); both read as those dtypes. We write the ml_dtypes names, which numpy
// resolves once ml_dtypes is imported.
#include "support/npy.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nkic {

namespace {
struct DescrRow {
  const char* name;
  const char* descr;  // as written; read without the byte-order character
  int size;
};
constexpr DescrRow kDescrs[] = {
    {"float64", "<f8", 8},
    {"float32", "<f4", 4},
    {"float16", "<f2", 2},
    {"int64", "<i8", 8},
    {"uint64", "<u8", 8},
    {"int32", "<i4", 4},
    {"uint32", "<u4", 4},
    {"int16", "<i2", 2},
    {"uint16", "<u2", 2},
    {"int8", "|i1", 1},
    {"uint8", "|u1", 1},
    {"bool", "|b1", 1},
    {"bfloat16", "bfloat16", 2},
    {"float8_e4m3", "float8_e4m3", 1},
    {"float8_e4m3fn", "float8_e4m3fn", 1},
    {"float8_e5m2", "float8_e5m2", 1},
};

std::string strip_order(const std::string& d) {
  return !d.empty() && (d[0] == '<' || d[0] == '|' || d[0] == '=') ? d.substr(1) : d;
}

std::string field(const std::string& header, const std::string& key) {
  auto k = header.find("'" + key + "'");
  if (k == std::string::npos) throw std::runtime_error("malformed .npy header (no '" + key + "')");
  size_t i = header.find(':', k) + 1;
  while (i < header.size() && header[i] == ' ') ++i;
  if (i >= header.size()) throw std::runtime_error("malformed .npy header");
  if (header[i] == '\'') return header.substr(i + 1, header.find('\'', i + 1) - i - 1);
  if (header[i] == '(') return header.substr(i + 1, header.find(')', i) - i - 1);
  return header.substr(i, header.find_first_of(",}", i) - i);
}
}  // namespace

int npy_item_size(const std::string& dtype) {
  for (const DescrRow& r : kDescrs)
    if (dtype == r.name) return r.size;
  return 0;
}

NpyArray read_npy(const std::string& path, int64_t max_elements) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("no such file");
  char magic[8];
  f.read(magic, 8);
  if (!f || std::string(magic, 6) != "\x93NUMPY") throw std::runtime_error("not a .npy file");
  unsigned char b[4] = {0, 0, 0, 0};
  f.read(reinterpret_cast<char*>(b), magic[6] == 1 ? 2 : 4);
  uint32_t hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<uint32_t>(b[3]) << 24);
  std::string header(hlen, '\0');
  f.read(header.data(), hlen);
  if (!f) throw std::runtime_error("truncated header");
  std::string descr = field(header, "descr");
  if (!descr.empty() && descr[0] == '>') throw std::runtime_error("big-endian arrays are not supported");
  if (field(header, "fortran_order").find("True") != std::string::npos)
    throw std::runtime_error("Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)");
  NpyArray a;
  std::string d = strip_order(descr) == "V2" ? "bfloat16" : strip_order(descr);
  for (const DescrRow& r : kDescrs)
    if (d == strip_order(r.descr)) a.dtype = r.name;
  if (a.dtype.empty()) throw std::runtime_error("unsupported dtype '" + descr + "'");
  std::stringstream shape(field(header, "shape"));
  std::string tok;
  int64_t n = 1;
  while (std::getline(shape, tok, ',')) {
    if (tok.find_first_not_of(' ') == std::string::npos) continue;
    a.shape.push_back(std::stoll(tok));
    n *= a.shape.back();
  }
  if (n > max_elements)
    throw std::runtime_error("the array has more than " + std::to_string(max_elements) + " elements");
  a.data.resize(static_cast<size_t>(n) * static_cast<size_t>(npy_item_size(a.dtype)));
  f.read(reinterpret_cast<char*>(a.data.data()), static_cast<std::streamsize>(a.data.size()));
  if (!f) throw std::runtime_error("truncated data");
  return a;
}

void write_npy(const std::string& path, const NpyArray& a) {
  const char* descr = nullptr;
  for (const DescrRow& r : kDescrs)
    if (a.dtype == r.name) descr = r.descr;
  if (!descr) throw std::runtime_error("cannot write dtype " + a.dtype + " to .npy");
  std::string shape;
  for (size_t i = 0; i < a.shape.size(); ++i)
    shape += std::to_string(a.shape[i]) + (a.shape.size() == 1 || i + 1 < a.shape.size() ? "," : "");
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  std::ofstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot write '" + path + "'");
  f.write("\x93NUMPY\x01\x00", 8);
  uint16_t hl = static_cast<uint16_t>(header.size());
  char hb[2] = {static_cast<char>(hl & 0xff), static_cast<char>(hl >> 8)};
  f.write(hb, 2);
  f.write(header.data(), static_cast<std::streamsize>(header.size()));
  f.write(reinterpret_cast<const char*>(a.data.data()), static_cast<std::streamsize>(a.data.size()));
}

}  // namespace nkic
