// Program printer.
#include "ir/printer.h"

#include <sstream>

namespace nkic {

namespace {
std::string base_name(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

std::string shape_str(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}
}  // namespace

std::string print_access_pattern(const Program& p, const AccessPattern& ap) {
  std::ostringstream os;
  const TensorDecl& t = p.tensors.at(ap.tensor);
  os << name_of(ap.dtype) << "@" << name_of(t.mem) << ":" << t.name << "[" << ap.offset << "][";
  for (size_t i = 0; i < ap.dims.size(); ++i)
    os << (i ? "," : "") << "[" << ap.dims[i].stride << "," << ap.dims[i].num << "]";
  os << "]";
  return os.str();
}

std::string print_instruction(const Program& p, const Instruction& in) {
  std::ostringstream os;
  os << name_of(in.op) << " engine=" << name_of(in.engine);
  static const char* roles[][3] = {{"dst", "src", ""},            // DmaCopy
                                   {"dst", "data1", "data2"},     // TensorTensor
                                   {"dst", "src", ""},            // TensorCopy
                                   {"dst", "stationary", "moving"},  // NcMatmul
                                   {"dst", "", ""}};              // Memset
  for (size_t i = 0; i < in.ops.size(); ++i) {
    const char* role = i < 3 ? roles[static_cast<int>(in.op)][i] : "";
    os << " " << (role[0] ? role : "op") << "=" << print_access_pattern(p, in.ops[i]);
  }
  switch (in.op) {
    case Opcode::TensorTensor: os << " op=" << name_of(in.alu); break;
    case Opcode::NcMatmul:
      os << " accumulate=" << (in.i0 < 0 ? "auto" : in.i0 ? "true" : "false");
      break;
    case Opcode::Memset: os << " value=" << in.f0; break;
    default: break;
  }
  if (in.loc < p.locs.size() && p.locs[in.loc].loc.file)
    os << "  # " << base_name(p.locs[in.loc].loc.file->path()) << ":" << p.locs[in.loc].loc.span.line;
  return os.str();
}

std::string print_program(const Program& p) {
  std::ostringstream os;
  os << "kernel " << p.kernel_name << ": " << p.tensors.size() << " tensors, " << p.instrs.size()
     << " instructions\n";
  for (size_t i = 0; i < p.tensors.size(); ++i) {
    const TensorDecl& t = p.tensors[i];
    os << "  tensor %" << i << " " << t.name << ": " << name_of(t.dtype) << shape_str(t.shape) << " @"
       << name_of(t.mem);
    if (t.role == TensorRole::Input) os << " input " << t.io_index;
    if (t.role == TensorRole::Output) os << " output " << t.io_index;
    if (t.on_chip() && t.byte_offset >= 0)
      os << " at (partition " << t.start_partition << ", byte " << t.byte_offset << ")";
    os << "\n";
  }
  for (size_t i = 0; i < p.instrs.size(); ++i) os << "  " << i << ": " << print_instruction(p, p.instrs[i]) << "\n";
  return os.str();
}

}  // namespace nkic
