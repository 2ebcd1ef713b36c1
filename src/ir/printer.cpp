// Program printer.
#include "ir/printer.h"

#include <algorithm>
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

std::string print_access_pattern(const Program& p, APRef ap) {
  std::ostringstream os;
  const TensorDecl& t = p.tensors.at(ap.tensor);
  os << name_of(ap.dtype) << "@" << name_of(t.mem) << ":" << t.name << "[" << ap.offset << "][";
  for (size_t i = 0; i < ap.dims.size(); ++i)
    os << (i ? "," : "") << "[" << ap.dims[i].stride << "," << ap.dims[i].num << "]";
  os << "]";
  return os.str();
}

namespace {
const char* reduce_cmd_name(int32_t c) {
  static const char* names[] = {"idle", "reset", "reduce", "reset_reduce", "load_reduce"};
  return c >= 0 && c < 5 ? names[c] : "?";
}

void print_ints(std::ostringstream& os, const char* label, std::span<const int64_t> v, size_t from = 0) {
  os << " " << label << "=[";
  for (size_t i = from; i < v.size(); ++i) os << (i > from ? "," : "") << v[i];
  os << "]";
}
}  // namespace

std::string print_instruction(const Program& p, const Instruction& in) {
  std::ostringstream os;
  os << name_of(in.op) << " engine=" << name_of(in.engine);
  // Operands named by the opcode row's roles; absent optional roles are skipped.
  std::vector<std::string> roles;
  {
    std::string_view r = operand_roles(in.op);
    size_t i = 0;
    while (i < r.size()) {
      size_t j = r.find(' ', i);
      if (j == std::string_view::npos) j = r.size();
      roles.emplace_back(r.substr(i, j - i));
      i = j + 1;
    }
  }
  for (size_t i = 0; i < in.num_ops; ++i) {
    std::string role = "op";
    for (size_t r = 0; r < roles.size(); ++r)
      if (in.operand(static_cast<int>(r)) == static_cast<int>(i)) role = roles[r];
    if (role == "op" && !roles.empty() && roles.back().back() == '*') role = roles.back();
    while (!role.empty() && (role.back() == '?' || role.back() == '*')) role.pop_back();
    os << " " << role << "=" << print_access_pattern(p, p.op(in, i));
  }
  auto scalar = [&](const char* name, int role, double v) {
    if (in.operand(role) < 0) os << " " << name << "=" << v;
  };
  auto rev = [&](const char* name, uint8_t bit) {
    if (in.flags & bit) os << " " << name << "=true";
  };
  switch (in.op) {
    case Opcode::TensorTensor:
    case Opcode::TensorPartitionReduce:
    case Opcode::DmaCompute: os << " op=" << name_of(in.alu); break;
    case Opcode::TensorScalar:
      os << " op0=" << name_of(in.alu);
      scalar("operand0", 2, in.f0);
      rev("reverse0", kRev0);
      if (in.alu1 != AluOp::Bypass || in.operand(3) >= 0) {
        os << " op1=" << name_of(in.alu1);
        scalar("operand1", 3, in.f1);
        rev("reverse1", kRev1);
      }
      break;
    case Opcode::ScalarTensorTensor:
      os << " op0=" << name_of(in.alu);
      scalar("operand0", 2, in.f0);
      os << " op1=" << name_of(in.alu1);
      rev("reverse0", kRev0);
      rev("reverse1", kRev1);
      break;
    case Opcode::TensorCopyPredicated:
      scalar("src", 1, in.f0);
      rev("reverse_pred", kRevPred);
      break;
    case Opcode::TensorReduce:
      os << " op=" << name_of(in.alu) << " group=" << in.i0;
      rev("negate", kNegate);
      break;
    case Opcode::TensorTensorScan:
      os << " op0=" << name_of(in.alu) << " op1=" << name_of(in.alu1);
      scalar("initial", 3, in.f0);
      rev("reverse0", kRev0);
      rev("reverse1", kRev1);
      break;
    case Opcode::Activation:
      os << " op=" << name_of(in.alu);
      scalar("bias", 2, in.f1);
      scalar("scale", 3, in.f0);
      if (in.i0 != 0) os << " reduce_op=" << name_of(in.alu1) << " reduce_cmd=" << reduce_cmd_name(in.i0);
      break;
    case Opcode::Exponential:
      scalar("max_value", 2, in.f0);
      os << " reduce_cmd=" << reduce_cmd_name(in.i0) << " reduce_init=" << in.f1;
      break;
    case Opcode::NonzeroWithCount: os << " index_offset=" << in.i0 << " padding_val=" << in.f0; break;
    case Opcode::Rand2:
      scalar("min", 1, in.f0);
      scalar("max", 2, in.f1);
      break;
    case Opcode::Dropout: scalar("prob", 2, in.f0); break;
    case Opcode::NcMatmulMx:
    case Opcode::NcMatmul:
      os << " accumulate=" << (in.i0 < 0 ? "auto" : in.i0 ? "true" : "false");
      break;
    case Opcode::Memset: os << " value=" << in.f0; break;
    case Opcode::DmaTranspose: print_ints(os, "axes", p.ints(in)); break;
    case Opcode::AffineSelect:
      os << " cmp_op=" << name_of(in.alu) << " on_false_value=" << in.f0;
      [[fallthrough]];
    case Opcode::Iota:
      if (auto v = p.ints(in); v.size() >= 2) {
        os << " offset=" << v[0] << " channel_multiplier=" << v[1];
        print_ints(os, "pattern", v, 2);
      }
      break;
    case Opcode::RegisterMove:
      os << " dst=r" << in.i0 << " src=";
      if (in.flags & kFromReg) os << "r" << static_cast<int64_t>(in.f1);
      else os << static_cast<int64_t>(in.f0);
      break;
    case Opcode::RegisterLoad: os << " dst=r" << in.i0; break;
    case Opcode::RegisterStore: os << " src=r" << in.i0; break;
    case Opcode::Loop:
      if (auto v = p.ints(in); v.size() == 6) {
        auto bound = [&](int64_t x, bool reg) { return (reg ? "r" : "") + std::to_string(x); };
        os << " iv=r" << v[0] << " start=" << bound(v[1], v[4]) << " stop=" << bound(v[2], v[5]) << " step=" << v[3];
      }
      os << " end=" << in.i0;
      break;
    case Opcode::While: os << " cond=r" << static_cast<int64_t>(in.f0) << " end=" << in.i0; break;
    case Opcode::EndLoop:
    case Opcode::EndWhile: os << " begin=" << in.i0; break;
    default: break;
  }
  if (in.flags & kOobSkip) os << " oob_mode=skip";
  if (in.flags & kDynamic)
    for (const DynamicOperand& d : p.dynamic) {
      if (d.instr >= p.instrs.size() || &p.instrs[d.instr] != &in) continue;
      const DynamicOffset& o = d.offset;
      os << " " << (o.kind == DynKind::Vector ? "vector_offset" : "scalar_offset") << "(op" << d.operand << ")=";
      if (o.kind == DynKind::ScalarRegister) os << "r" << o.reg;
      else os << print_access_pattern(p, o.index);
      os << "*" << o.multiplier;
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
    if (t.constant >= 0) os << " constant " << t.constant;
    if (t.on_chip() && t.byte_offset >= 0)
      os << " at (partition " << t.start_partition << ", byte " << t.byte_offset << ")";
    os << "\n";
  }
  int depth = 0;  // hardware loop bodies are indented
  for (size_t i = 0; i < p.instrs.size(); ++i) {
    Opcode op = p.instrs[i].op;
    if (op == Opcode::EndLoop || op == Opcode::EndWhile) --depth;
    os << "  " << std::string(2 * std::max(depth, 0), ' ') << i << ": " << print_instruction(p, p.instrs[i]) << "\n";
    if (op == Opcode::Loop || op == Opcode::While) ++depth;
  }
  return os.str();
}

}  // namespace nkic
