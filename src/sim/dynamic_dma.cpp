// DMA instructions with dynamic operands (`.ap(scalar_offset=...)`, `.ap(vector_offset=...)`): the
// offsets are read from registers or SBUF when the instruction runs, every resolved pattern is
// bounds-checked, and oob_mode decides between an error and skipping the transfer (a row, for
// vector offsets: gather/scatter move one row per index).
#include <algorithm>

#include "ir/verify.h"
#include "numerics/numerics.h"
#include "sim/dma.h"

namespace nkic::sim {

namespace {

// Index w of a vector offset: element w of indices.T.flatten() (column-major over the [P, C] tile).
int64_t read_index(ExecContext& cx, const AccessPattern& index, int64_t w) {
  AccessPattern one = index;
  int64_t P = index.dims[0].num;
  one.offset += (w % P) * index.dims[0].stride;
  if (index.dims.size() > 1) one.offset += (w / P) * index.dims[1].stride;
  for (auto& d : one.dims) d.num = 1;
  PhysView v = cx.mem.view(one);
  return numerics::load_i64(v.dtype, v.origin);
}

void transfer(ExecContext& cx, const Instruction& in, const std::vector<AccessPattern>& ops) {
  switch (in.op) {
    case Opcode::DmaCopy: copy_elements(cx.mem.view(ops[0]), cx.mem.view(ops[1]), cx.a); return;
    case Opcode::DmaCompute: {
      std::vector<PhysView> srcs;
      for (size_t k = 1; k < ops.size(); ++k) srcs.push_back(cx.mem.view(ops[k]));
      dma_compute_views(cx, in.alu, cx.mem.view(ops[0]), srcs);
      return;
    }
    case Opcode::DmaTranspose: {
      std::vector<int64_t> shape;
      for (auto& d : ops[1].dims) shape.push_back(d.num);
      dma_transpose_views(cx.mem.view(ops[0]), cx.mem.view(ops[1]), shape, cx.prog.ints(in));
      return;
    }
    default: throw ExecError("dynamic offsets are only supported on DMA instructions");
  }
}

// True if every pattern is inside its tensor; otherwise throws (oob_mode=error) or returns false.
bool in_bounds(const ExecContext& cx, const Instruction& in, const std::vector<AccessPattern>& ops,
               const std::string& where) {
  for (size_t k = 0; k < ops.size(); ++k) {
    std::string why = check_access_pattern(cx.prog, ops[k]);
    if (why.empty()) continue;
    if (in.flags & kOobSkip) return false;
    const TensorDecl& t = cx.prog.tensors[ops[k].tensor];
    throw ExecError(where + "the dynamic access to tensor '" + t.name + "' is out of bounds (" + why +
                    "); oob_mode=nisa.oob_mode.skip skips such transfers");
  }
  return true;
}

}  // namespace

void exec_dynamic(ExecContext& cx, const Instruction& in, uint32_t index) {
  const Program& p = cx.prog;
  std::vector<AccessPattern> ops;
  for (size_t k = 0; k < in.num_ops; ++k) ops.push_back(p.op(in, k).owned());
  std::vector<const DynamicOffset*> dyn(ops.size(), nullptr);
  auto lo = std::lower_bound(p.dynamic.begin(), p.dynamic.end(), index,
                             [](const DynamicOperand& d, uint32_t i) { return d.instr < i; });
  for (auto it = lo; it != p.dynamic.end() && it->instr == index; ++it) dyn[it->operand] = &it->offset;
  for (const DynamicOffset* d : dyn)
    if (d && d->kind == DynKind::Indirect) return exec_indirect(cx, in, dyn);  // tensor indirection (indirect.cpp)

  bool vector = false;
  for (size_t k = 0; k < ops.size(); ++k) {
    if (!dyn[k]) continue;
    const DynamicOffset& d = *dyn[k];
    if (d.kind == DynKind::Vector) {
      vector = true;
      continue;
    }
    int64_t v = d.kind == DynKind::ScalarRegister ? cx.regs.at(static_cast<size_t>(d.reg)) : read_index(cx, d.index, 0);
    ops[k].offset += v * d.multiplier;
  }
  if (!vector) {
    if (in_bounds(cx, in, ops, "")) transfer(cx, in, ops);
    return;
  }
  // Gather / scatter: one transfer per row; row w of a vector operand starts at offset + index[w] * multiplier.
  int64_t rows = 0;
  for (size_t k = 0; k < ops.size(); ++k)
    if (dyn[k] && dyn[k]->kind == DynKind::Vector) rows = ops[k].dims[0].num;
  std::vector<AccessPattern> row = ops;
  if (in.op == Opcode::DmaTranspose) {  // gather-transpose: src row w becomes dst column w
    for (int64_t w = 0; w < rows; ++w) {
      row[1].offset = ops[1].offset + read_index(cx, dyn[1]->index, w) * dyn[1]->multiplier;
      row[1].dims[0].num = 1;
      row[0].offset = ops[0].offset + w * ops[0].dims[1].stride;
      row[0].dims[1].num = 1;
      if (in_bounds(cx, in, row, "row " + std::to_string(w) + ": "))
        copy_elements(cx.mem.view(row[0]), cx.mem.view(row[1]), cx.a);
    }
    return;
  }
  for (int64_t w = 0; w < rows; ++w) {
    for (size_t k = 0; k < ops.size(); ++k) {
      row[k].offset = ops[k].offset + (dyn[k] && dyn[k]->kind == DynKind::Vector
                                           ? read_index(cx, dyn[k]->index, w) * dyn[k]->multiplier
                                           : w * ops[k].dims[0].stride);
      row[k].dims[0].num = 1;
    }
    if (in_bounds(cx, in, row, "row " + std::to_string(w) + ": ")) transfer(cx, in, row);
  }
}

}  // namespace nkic::sim
