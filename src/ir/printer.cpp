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
void print_ints(std::ostringstream& os, std::span<const int64_t> v, size_t from) {
  os << "[";
  for (size_t i = from; i < v.size(); ++i) os << (i > from ? "," : "") << v[i];
  os << "]";
}

// One immediate, as its row in the opcode table describes it.
void print_immediate(std::ostringstream& os, const Program& p, const Instruction& in, const ImmSpec& m) {
  std::span<const int64_t> ints = p.ints(in);
  auto int_at = [&](size_t k) { return k < ints.size() ? ints[k] : int64_t{0}; };
  double f = m.slot == Slot::F1 ? in.f1 : in.f0;
  os << " " << m.name << "=";
  switch (m.type) {
    case ImmType::Alu: os << name_of(m.slot == Slot::Alu1 ? in.alu1 : in.alu); break;
    case ImmType::ReduceCmd: os << name_of(static_cast<ReduceCmd>(in.i0)); break;
    case ImmType::Accumulate:
      os << (in.i0 == static_cast<int32_t>(Accumulate::Auto)         ? "auto"
             : in.i0 == static_cast<int32_t>(Accumulate::Accumulate) ? "true"
                                                                     : "false");
      break;
    case ImmType::Int: os << (m.slot == Slot::Int ? int_at(m.index) : in.i0); break;
    case ImmType::Float: os << f; break;
    case ImmType::Bool: os << ((in.flags & m.index) ? "true" : "false"); break;
    case ImmType::Register:
      os << "r" << (m.slot == Slot::Int ? int_at(m.index) : m.slot == Slot::I0 ? in.i0 : static_cast<int64_t>(f));
      break;
    case ImmType::RegOrInt: os << (int_at(m.aux) ? "r" : "") << int_at(m.index); break;
    case ImmType::RegOrFloat:
      if (in.flags & kFromReg)
        os << "r" << static_cast<int64_t>(in.f1);
      else
        os << static_cast<int64_t>(in.f0);
      break;
    case ImmType::Instr: os << in.i0; break;
    case ImmType::Ints: print_ints(os, ints, m.index); break;
    case ImmType::Collective: os << name_of(static_cast<CollectiveKind>(in.i0)); break;
    case ImmType::String:
      if (in.i0 >= 0 && static_cast<size_t>(in.i0) < p.strings.size())
        os << '"' << p.strings[in.i0] << '"';
      else
        os << "?";
      break;
  }
}

}  // namespace

std::string print_instruction(const Program& p, const Instruction& in) {
  std::ostringstream os;
  os << name_of(in.op) << " engine=" << name_of(in.engine);
  for (size_t k = 0; k < in.num_ops; ++k) {
    const OperandSpec* role = role_of(in, k);
    os << " " << (role ? role->name : "op") << "=" << print_access_pattern(p, p.op(in, k));
  }
  for (const ImmSpec& m : info(in.op).immediates())
    if (m.unless_role < 0 || in.operand(m.unless_role) < 0)  // a scalar operand given as a tile prints as the tile
      print_immediate(os, p, in, m);
  if (in.flags & kOobSkip) os << " oob_mode=skip";
  if (in.flags & kDynamic)
    for (const DynamicOperand& d : p.dynamic) {
      if (d.instr >= p.instrs.size() || &p.instrs[d.instr] != &in) continue;
      const DynamicOffset& o = d.offset;
      os << " "
         << (o.kind == DynKind::Vector     ? "vector_offset"
             : o.kind == DynKind::Indirect ? "indirect"
                                           : "scalar_offset")
         << "(op" << d.operand << ")=";
      if (o.kind == DynKind::Indirect) {  // the data view, then its offsets and partition-group size
        os << print_access_pattern(p, o.data) << "[" << print_access_pattern(p, o.index) << " /" << o.group << "]";
        continue;
      }
      if (o.kind == DynKind::ScalarRegister)
        os << "r" << o.reg;
      else
        os << print_access_pattern(p, o.index);
      os << "*" << o.multiplier;
    }
  if (in.loc < p.locs.size() && p.locs[in.loc].loc.file)
    os << "  # " << base_name(p.locs[in.loc].loc.file->path()) << ":" << p.locs[in.loc].loc.span.line;
  return os.str();
}

std::string print_program(const Program& p) {
  std::ostringstream os;
  os << "kernel " << p.kernel_name << ": " << p.tensors.size() << " tensors, " << p.instrs.size() << " instructions\n";
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
