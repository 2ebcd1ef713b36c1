// IR verifier.
#include "ir/verify.h"

#include <stdexcept>

#include "ir/printer.h"

namespace nkic {

std::string check_access_pattern(const Program& p, APRef ap) {
  if (ap.tensor >= p.tensors.size()) return "operand refers to an unknown tensor";
  const TensorDecl& t = p.tensors[ap.tensor];
  if (ap.dims.empty()) return "access pattern has no dimensions";
  int64_t tbytes = t.num_elements() * size_of(t.dtype);
  int64_t isz = size_of(ap.dtype);
  if (tbytes % isz != 0) return "view dtype does not divide the tensor's storage";
  int64_t total = tbytes / isz;  // storage size in view elements
  int64_t lo = ap.offset, hi = ap.offset;
  for (auto& d : ap.dims) {
    if (d.num <= 0) return "access pattern has an empty dimension";
    int64_t span = d.stride * (d.num - 1);
    (span < 0 ? lo : hi) += span;
  }
  if (lo < 0 || hi >= total) return "access pattern reaches outside its tensor";
  if (t.on_chip()) {
    int64_t part = t.partition_bytes() / isz;  // per-partition elements in view dtype
    if (part <= 0) return "on-chip tensor has an empty partition";
    if (ap.dims[0].num > 1 && ap.dims[0].stride != part) return "partition dimension must step whole partitions";
    // The free dims starting at `offset` must stay in one partition.
    int64_t flo = ap.offset % part, fhi = flo;
    for (size_t i = 1; i < ap.dims.size(); ++i) {
      int64_t span = ap.dims[i].stride * (ap.dims[i].num - 1);
      (span < 0 ? flo : fhi) += span;
    }
    if (flo < 0 || fhi >= part) return "free dimensions cross a partition boundary";
  }
  return "";
}

namespace {
constexpr int kNumAluOps = 0
#define X(e, n) +1
    NKIC_ALU_OPS(X)
#undef X
    ;

// The instruction against its row in the opcode table: operands fill the roles (required ones present,
// each in a buffer its role allows) and the immediates hold values of their types.
std::string check_against_table(const Program& p, const Instruction& in) {
  const OpcodeInfo& row = info(in.op);
  std::span<const OperandSpec> roles = row.operands();
  bool rest = !roles.empty() && roles.back().arity == Arity::Rest;
  if (in.engine == Engine::Unknown) return "no engine";
  if (in.present == 0) {
    if (in.num_ops > roles.size() && !rest) return "more operands than the opcode has roles";
  } else if (in.present >> roles.size()) {
    if (!rest) return "an operand for a role the opcode does not have";
  }
  for (size_t r = 0; r < roles.size(); ++r)
    if (roles[r].arity == Arity::One && in.operand(static_cast<int>(r)) < 0)
      return "no operand for role " + std::string(roles[r].name);
  for (size_t k = 0; k < in.num_ops; ++k) {
    const OperandSpec* role = role_of(in, k);
    if (!role) return "an operand for an opcode without operands";
    Mem m = p.tensors[p.op(in, k).tensor].mem;
    if (!contains(role->mems, m))
      return std::string(role->name) + " is in " + std::string(name_of(m)) + ", which the opcode's row does not allow";
  }
  std::span<const int64_t> ints = p.ints(in);
  for (const ImmSpec& m : row.immediates()) {
    if (m.unless_role >= 0 && in.operand(m.unless_role) >= 0) continue;
    auto bad = [&](const std::string& why) { return "immediate " + std::string(m.name) + ": " + why; };
    switch (m.type) {
      case ImmType::Alu:
        if (static_cast<int>(m.slot == Slot::Alu1 ? in.alu1 : in.alu) >= kNumAluOps) return bad("not an operator");
        break;
      case ImmType::ReduceCmd:
        if (in.i0 < 0 || in.i0 > static_cast<int32_t>(ReduceCmd::LoadReduce)) return bad("not a reduce_cmd");
        break;
      case ImmType::Accumulate:
        if (in.i0 < -1 || in.i0 > 1) return bad("not auto/overwrite/accumulate");
        break;
      case ImmType::Register: {
        int64_t r = m.slot == Slot::Int  ? (m.index < ints.size() ? ints[m.index] : -1)
                    : m.slot == Slot::I0 ? in.i0
                                         : static_cast<int64_t>(m.slot == Slot::F1 ? in.f1 : in.f0);
        if (r < 0 || r >= p.num_registers) return bad("register r" + std::to_string(r) + " does not exist");
        break;
      }
      case ImmType::RegOrInt:
        if (m.index >= ints.size() || m.aux >= ints.size()) return bad("missing");
        if (ints[m.aux] && (ints[m.index] < 0 || ints[m.index] >= p.num_registers)) return bad("no such register");
        break;
      case ImmType::RegOrFloat:
        if ((in.flags & kFromReg) && (in.f1 < 0 || in.f1 >= p.num_registers)) return bad("no such register");
        break;
      case ImmType::Int:
      case ImmType::Ints:
        if (m.slot == Slot::Int && m.index > ints.size()) return bad("missing");
        break;
      case ImmType::Collective:
        if (in.i0 < 0 || in.i0 >= kNumCollectiveKinds) return bad("not a collective");
        try {
          CollectiveLayout::decode(ints);
        } catch (const std::logic_error&) {
          return bad("malformed layout");
        }
        break;
      case ImmType::String:
        if (in.i0 < 0 || static_cast<size_t>(in.i0) >= p.strings.size()) return bad("no such string");
        break;
      case ImmType::Float:
      case ImmType::Bool:
      case ImmType::Instr: break;  // any value; loop links are checked below
    }
  }
  return "";
}
}  // namespace

void verify(const Program& p) {
  for (size_t i = 0; i < p.instrs.size(); ++i) {
    const Instruction& in = p.instrs[i];
    auto fail = [&](const std::string& why) {
      throw std::logic_error("IR verify: instruction " + std::to_string(i) + " (" + print_instruction(p, in) +
                             "): " + why);
    };
    if (in.loc >= p.locs.size()) throw std::logic_error("instruction " + std::to_string(i) + " has no location");
    for (size_t k = 0; k < in.num_ops; ++k)
      if (p.op(in, k).tensor >= p.tensors.size()) fail("operand refers to an unknown tensor");
    if (std::string why = check_against_table(p, in); !why.empty()) fail(why);
    if (in.flags & kDynamic) continue;  // dynamic operands are checked when they run (oob_mode)
    for (size_t k = 0; k < in.num_ops; ++k)
      if (std::string why = check_access_pattern(p, p.op(in, k)); !why.empty()) fail(why);
  }
  // Hardware loops are properly nested and their ends point at each other.
  std::vector<uint32_t> open;
  for (uint32_t i = 0; i < p.instrs.size(); ++i) {
    const Instruction& in = p.instrs[i];
    bool begin = in.op == Opcode::Loop || in.op == Opcode::While,
         end = in.op == Opcode::EndLoop || in.op == Opcode::EndWhile;
    if (begin) open.push_back(i);
    if (!end) continue;
    if (open.empty() || static_cast<uint32_t>(in.i0) != open.back() ||
        static_cast<uint32_t>(p.instrs[open.back()].i0) != i ||
        (in.op == Opcode::EndLoop) != (p.instrs[open.back()].op == Opcode::Loop))
      throw std::logic_error("IR verify: instruction " + std::to_string(i) + " closes no matching loop");
    open.pop_back();
  }
  if (!open.empty())
    throw std::logic_error("IR verify: loop at instruction " + std::to_string(open.back()) + " is not closed");
  for (auto t : p.outputs)
    if (t >= p.tensors.size() || p.tensors[t].role == TensorRole::Internal)  // created, or a returned input
      throw std::logic_error("IR verify: bad output tensor");
}

}  // namespace nkic
