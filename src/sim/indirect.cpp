// Compute instructions with indirect operands (NKI 0.5.0 tensor indirection, `t.indirect(index)`; see
// DynKind::Indirect in ir/program.h): each indirect operand is gathered into a dense scratch tile, the
// instruction runs on the scratch (Memory::redirects), and a written operand is scattered back after it.
#include <cstring>

#include "ir/verify.h"
#include "numerics/numerics.h"
#include "sim/exec.h"

namespace nkic::sim {

namespace {

struct IndirectOperand {
  size_t k = 0;  // operand position
  PhysView data;
  std::vector<int64_t> offsets;  // per partition: num_elem element offsets into data's free dims
  std::vector<uint8_t> scratch;
  int64_t P = 0, n = 0, esz = 0;
};

// Byte offset of element j of v's free dims flattened row-major.
int64_t free_byte(const PhysView& v, int64_t j) {
  int64_t b = 0;
  for (size_t d = v.free.size(); d-- > 0;) {
    b += (j % v.free[d].num) * v.free[d].step;
    j /= v.free[d].num;
  }
  return b;
}

void run(ExecContext& cx, const Instruction& in) {
  switch (in.op) {
#define X(e, n, eng, roles, imms, traits) \
  case Opcode::e: exec_##e(cx, in); break;
    NKIC_OPCODES(X)
#undef X
  }
}

// The redirects live for one instruction, even when it throws.
struct RedirectScope {
  Memory& m;
  ~RedirectScope() { m.redirects.clear(); }
};

// Reads the offsets of operand x (partition p of group p / G uses index rows g*G .. g*G+G-1, or rows
// 0..G-1 when the index tile has exactly G rows) and checks them against the data view.
void read_offsets(ExecContext& cx, const DynamicOffset& d, IndirectOperand& x) {
  const Program& p = cx.prog;
  if (std::string why = check_access_pattern(p, d.index); !why.empty())
    throw ExecError("the index tile of an indirect view is out of bounds: " + why);
  PhysView iv = cx.mem.view(d.index);
  if (iv.lane % 32 != 0)
    throw ExecError(
        "the index tile of an indirect view must start on a quadrant (partition 0, 32, 64 or 96), not "
        "partition " +
        std::to_string(iv.lane));
  int64_t G = d.group, rows = d.index.dims[0].num, F = x.data.free_elems();
  x.offsets.resize(static_cast<size_t>(x.P * x.n));
  for (int64_t q = 0; q < x.P; ++q) {
    int64_t base = rows == G ? 0 : q / G * G;
    for (int64_t i = 0; i < x.n; ++i) {
      int64_t r = base + i % G, c = i / G;
      int64_t v = numerics::load_i64(iv.dtype, iv.origin + r * iv.pstep + free_byte(iv, c));
      if (v < 0 || v >= F)
        throw ExecError("indirect offset " + std::to_string(v) + " (index[" + std::to_string(r) + ", " +
                        std::to_string(c) + "]) is out of range: the indexed view of '" +
                        p.tensors[d.data.tensor].name + "' has " + std::to_string(F) + " elements per partition");
      x.offsets[static_cast<size_t>(q * x.n + i)] = v;
    }
  }
}

}  // namespace

void exec_indirect(ExecContext& cx, const Instruction& in, const std::vector<const DynamicOffset*>& dyn) {
  const Program& p = cx.prog;
  std::vector<IndirectOperand> ops;
  for (size_t k = 0; k < dyn.size(); ++k) {
    if (!dyn[k]) continue;
    const DynamicOffset& d = *dyn[k];
    if (d.kind != DynKind::Indirect) throw ExecError("a compute instruction cannot take a DMA's dynamic offset");
    if (std::string why = check_access_pattern(p, d.data); !why.empty())
      throw ExecError("the view an indirect operand indexes is out of bounds: " + why);
    APRef op = p.op(in, k);
    IndirectOperand x;
    x.k = k;
    x.data = cx.mem.view(d.data);
    x.P = op.dims[0].num;
    x.n = op.dims[1].num;
    x.esz = size_of(op.dtype);
    read_offsets(cx, d, x);
    x.scratch.resize(static_cast<size_t>(x.P * x.n * x.esz));
    for (int64_t q = 0; q < x.P; ++q)  // gather (a written operand too: instructions may read their dst)
      for (int64_t i = 0; i < x.n; ++i)
        std::memcpy(x.scratch.data() + (q * x.n + i) * x.esz,
                    x.data.origin + q * x.data.pstep + free_byte(x.data, x.offsets[static_cast<size_t>(q * x.n + i)]),
                    static_cast<size_t>(x.esz));
    ops.push_back(std::move(x));
  }
  RedirectScope scope{cx.mem};
  for (IndirectOperand& x : ops) {
    APRef op = p.op(in, x.k);
    for (size_t j = 0; j < in.num_ops; ++j) {  // redirects match by pattern: another operand must differ
      APRef o = p.op(in, j);
      if (j != x.k && !dyn[j] && o.tensor == op.tensor && o.offset == op.offset && o.dims.data() == op.dims.data())
        throw ExecError(
            "nkic cannot run an instruction whose indirect operand has the same pattern as another operand");
    }
    PhysView tile;
    tile.origin = x.scratch.data();
    tile.pstep = x.n * x.esz;
    tile.pnum = x.P;
    tile.lane = x.data.lane;  // the engine lanes are the data's partitions
    tile.dtype = op.dtype;
    tile.free.push_back({x.esz, x.n});
    cx.mem.redirects.push_back({op.tensor, op.offset, op.dims.data(), tile});
  }
  run(cx, in);
  for (IndirectOperand& x : ops) {  // scatter the written operands (a repeated offset: the last column wins)
    const OperandSpec* role = role_of(in, x.k);
    if (role && role->access == Access::Read) continue;
    for (int64_t q = 0; q < x.P; ++q)
      for (int64_t i = 0; i < x.n; ++i)
        std::memcpy(x.data.origin + q * x.data.pstep + free_byte(x.data, x.offsets[static_cast<size_t>(q * x.n + i)]),
                    x.scratch.data() + (q * x.n + i) * x.esz, static_cast<size_t>(x.esz));
  }
}

}  // namespace nkic::sim
