// The per-instruction cost formulas. Cycle counts follow the legacy per-instruction estimates of the
// ISA docs (nki-spec.md §5, "Legacy cost") with the performance modes of §9.3; the figures are the
// target's (target/timing.cpp).
#include "sim/cost.h"

#include <algorithm>
#include <cmath>

namespace nkic::sim {

namespace {

using F = Formula;

// One row per opcode, in the order of NKIC_OPCODES (checked below).
struct Row {
  Opcode op;
  CostRow cost;
};
// clang-format off
constexpr Row kRows[] = {
    {Opcode::DmaCopy, {F::Dma, 1, 0}},
    {Opcode::DmaTranspose, {F::Dma, 1, 0}},
    {Opcode::DmaCompute, {F::Dma, 1, 0}},
    {Opcode::TensorTensor, {F::Elementwise, 2, 0}},      // 2N; N with a PSUM input (see elementwise)
    {Opcode::TensorScalar, {F::Elementwise, 1, 0}},
    {Opcode::ScalarTensorTensor, {F::Elementwise, 2, 0}},
    {Opcode::TensorCopy, {F::Elementwise, 1, 0}},
    {Opcode::TensorCopyPredicated, {F::Elementwise, 2, 0}},
    {Opcode::TensorReduce, {F::Elementwise, 1, 0}},
    {Opcode::TensorTensorScan, {F::Elementwise, 2, 0}},
    {Opcode::Reciprocal, {F::Elementwise, 8, 0}},
    {Opcode::Activation, {F::Elementwise, 1, 0}},        // + MIN_II when it writes reduce_res
    {Opcode::NcMatmul, {F::Matmul, 1, 0}},
    {Opcode::NcTranspose, {F::PeTranspose, 1, 0}},       // Elementwise when not on TensorE
    {Opcode::Memset, {F::Elementwise, 1, 0}},
    {Opcode::Iota, {F::GpSimd, 1, 0}},
    {Opcode::AffineSelect, {F::GpSimd, 1, 0}},
    {Opcode::TensorPartitionReduce, {F::GpSimd, 1, 0}},
    {Opcode::BnStats, {F::Elementwise, 1, 0}},
    {Opcode::BnAggr, {F::Elementwise, 13.0 / 3.0, 0}},
    {Opcode::Max8, {F::Elementwise, 1, 0}},
    {Opcode::NcFindIndex8, {F::Elementwise, 1, 0}},
    {Opcode::NcMatchReplace8, {F::Elementwise, 1, 0}},
    {Opcode::SelectReduce, {F::Elementwise, 2, 0}},
    {Opcode::RangeSelect, {F::Elementwise, 1, 0}},
    {Opcode::TensorScalarReduce, {F::Elementwise, 1, 1}},
    {Opcode::TensorScalarCumulative, {F::Elementwise, 1, 0}},
    {Opcode::NcStreamShuffle, {F::Elementwise, 1, 0}},
    {Opcode::LocalGather, {F::GpSimd, 1, 0}},
    {Opcode::NcNGather, {F::GpSimd, 1, 0}},
    {Opcode::DevicePrint, {F::None, 0, 0}},              // a simulator aid: no hardware time
    {Opcode::RegisterMove, {F::Fixed, 64, 0}},
    {Opcode::RegisterLoad, {F::Fixed, 64, 0}},
    {Opcode::RegisterStore, {F::Fixed, 64, 0}},
    {Opcode::Loop, {F::None, 0, 0}},
    {Opcode::EndLoop, {F::None, 0, 0}},
    {Opcode::While, {F::None, 0, 0}},
    {Opcode::EndWhile, {F::None, 0, 0}},
    {Opcode::Exponential, {F::Elementwise, 1, 0}},
    {Opcode::SequenceBounds, {F::GpSimd, 1, 0}},
    {Opcode::NonzeroWithCount, {F::GpSimd, 1, 0}},
    {Opcode::Rng, {F::Elementwise, 1, 0}},
    {Opcode::Rand2, {F::Elementwise, 0.25, 0}},          // 4 x 32 bits per lane per cycle
    {Opcode::Dropout, {F::Elementwise, 1, 0}},
    {Opcode::SetRngSeed, {F::Fixed, 64, 0}},
    {Opcode::RandSetState, {F::Fixed, 64, 0}},
    {Opcode::RandGetState, {F::Fixed, 64, 0}},
    {Opcode::QuantizeMx, {F::Elementwise, 0.25, 0}},     // 4 elements per partition per cycle
    {Opcode::NcMatmulMx, {F::Matmul, 1, 0}},             // 4x K in a bf16 matmul's time
    {Opcode::CoreBarrier, {F::Sync, 0, 0}},
    {Opcode::SendRecv, {F::Sync, 0, 0}},
    {Opcode::Collective, {F::Sync, 0, 0}},
    // NKI 0.4.0-0.5.0
    {Opcode::Activate2, {F::Elementwise, 1, 0}},         // + MIN_II when it writes reduce_res
    // NKI 0.6.0-0.7.0
    {Opcode::TopK, {F::GpSimd, 1, 0}},                   // 4n + k cycles (see engine_cost)
    {Opcode::RegisterAlu, {F::Fixed, 64, 0}},            // NkiScalar arithmetic, a sequencer instruction
};
// clang-format on

constexpr size_t kNumOpcodes = 0
#define X(e, n, eng, roles, imms, traits) +1
    NKIC_OPCODES(X)
#undef X
    ;
static_assert(std::size(kRows) == kNumOpcodes, "every opcode needs a cost row");
constexpr bool rows_in_order() {
  for (size_t i = 0; i < std::size(kRows); ++i)
    if (static_cast<size_t>(kRows[i].op) != i) return false;
  return true;
}
static_assert(rows_in_order(), "cost rows follow the opcode table's order");

bool is16(DType d) { return d == DType::BFloat16 || d == DType::Float16; }
bool is_fp32(DType d) { return d == DType::Float32 || d == DType::TFloat32; }

int64_t inner_step(const PhysView& v) { return v.free.empty() ? size_of(v.dtype) : v.free[v.free.size() - 1].step; }
bool unit_inner(const PhysView& v) {
  if (v.free.empty()) return true;
  const PhysView::Dim& d = v.free[v.free.size() - 1];
  return d.num == 1 || d.step == size_of(v.dtype);
}

// Bytes of the longest contiguous runs of a view and how many there are (the partition dim of an
// on-chip view always starts a new run).
std::pair<double, double> runs(const PhysView& v, bool on_chip) {
  int64_t w = size_of(v.dtype);
  std::vector<PhysView::Dim> dims;
  if (!on_chip) dims.push_back({v.pstep, v.pnum});
  for (auto& d : v.free) dims.push_back(d);
  double total = static_cast<double>(v.free_elems()) * static_cast<double>(v.pnum);
  int64_t run = w;  // bytes
  for (size_t i = dims.size(); i-- > 0;) {
    if (dims[i].num == 1) continue;
    if (dims[i].step != run) break;
    run *= dims[i].num;
  }
  double elems_per_run = static_cast<double>(run / w);
  return {static_cast<double>(run), std::max(1.0, total / elems_per_run)};
}

}  // namespace

const CostRow& cost_row(Opcode op) { return kRows[static_cast<size_t>(op)].cost; }

double clock_ghz(const Timing& tm, Engine e) {
  switch (e) {
    case Engine::Tensor: return tm.tensor_ghz;
    case Engine::Vector: return tm.vector_ghz;
    case Engine::Scalar: return tm.scalar_ghz;
    case Engine::GpSimd: return tm.gpsimd_ghz;
    default: return tm.sync_ghz;
  }
}

double stationary_cycles(const Timing& tm, const Program& p, const Instruction& in) {
  std::optional<APRef> st = p.role_op(in, 1);
  if (!st) return 0;
  double cols = static_cast<double>(st->free_elements());
  double passes = is_fp32(st->dtype) ? tm.fp32_passes : 1;
  return std::ceil(cols * passes / tm.stationary_rate);
}

EngineCost engine_cost(const Timing& tm, const Program& p, const Instruction& in, const PhysView* v,
                       double stationary_extra) {
  const CostRow& row = cost_row(in.op);
  Engine e = in.engine == Engine::Unknown ? info(in.op).engine : in.engine;
  double ghz = clock_ghz(tm, e);
  EngineCost out;
  auto latency = [&](Engine eng) {
    switch (eng) {
      case Engine::Tensor: return tm.tensor_latency;
      case Engine::Vector: return tm.vector_latency;
      case Engine::Scalar: return tm.scalar_latency;
      case Engine::GpSimd: return tm.gpsimd_latency;
      default: return tm.min_ii;
    }
  };
  out.latency_ns = latency(e) / ghz;
  if (row.formula == F::Fixed) {
    out.busy_ns = row.passes / ghz;
    return out;
  }
  if (row.formula == F::Matmul || (row.formula == F::PeTranspose && e == Engine::Tensor)) {
    const PhysView& mov = v[in.op == Opcode::NcTranspose ? 1 : 2];
    double cycles;
    if (in.op == Opcode::NcTranspose) {  // the data streams against an identity: max(P, min(64, F))
      double P = static_cast<double>(mov.pnum), Fr = static_cast<double>(mov.free_elems());
      cycles = std::max(P, std::min<double>(tm.mm_min_moving, Fr)) * (is_fp32(mov.dtype) ? tm.fp32_passes : 1);
    } else {
      const PhysView& st = v[1];
      double N = static_cast<double>(mov.free_elems());
      double passes = (is_fp32(mov.dtype) || is_fp32(st.dtype)) ? tm.fp32_passes : 1;
      cycles = std::max<double>(N, tm.mm_min_moving) * passes + stationary_extra;
      out.flops = 2.0 * static_cast<double>(mov.pnum) * static_cast<double>(st.free_elems()) * N;
    }
    out.busy_ns = cycles / ghz;
    return out;
  }
  // Elementwise and GpSimd: N = elements per partition of the largest operand.
  double N = 0;
  bool psum = false, all_sbuf = true, all16 = true, unit = true, wide = false;
  for (size_t k = 0; k < in.num_ops; ++k) {
    const PhysView& x = v[k];
    const TensorDecl& t = p.tensors[p.operands[in.ops_begin + k].tensor];
    N = std::max(N, static_cast<double>(x.free_elems()));
    psum = psum || t.mem == Mem::PSUM;
    all_sbuf = all_sbuf && t.mem == Mem::SBUF;
    all16 = all16 && is16(x.dtype);
    unit = unit && unit_inner(x);
    wide = wide || std::abs(inner_step(x)) > tm.wide_stride_bytes;
  }
  double passes = row.passes;
  if ((in.op == Opcode::TensorTensor || in.op == Opcode::TensorCopyPredicated) && psum) passes = 1;
  double speedup = 1;
  if (e == Engine::Vector && all16) {
    bool copy_like = in.op == Opcode::TensorCopy || in.op == Opcode::TensorScalar;
    if (copy_like) speedup = (all_sbuf && unit) ? tm.vector_copy_speedup : tm.vector_psum_speedup;
    if (in.op == Opcode::TensorTensor && all_sbuf) speedup = tm.vector_tt_speedup;
  }
  if (e == Engine::Scalar && all16 && (in.op == Opcode::TensorCopy || in.op == Opcode::TensorScalar))
    speedup = tm.scalar_copy_speedup;
  if (in.op == Opcode::Memset && all16 && in.f0 == 0) passes = 0.5;
  double work = N * passes / std::max(speedup, 1.0) * (wide ? 2 : 1);
  if (in.op == Opcode::TopK) work = 4.0 * in.i0 + static_cast<double>(v[0].free_elems());  // nisa.topk: 4n + k
  double cycles;
  if (row.formula == F::GpSimd || e == Engine::GpSimd)
    cycles = tm.gpsimd_startup + work;
  else
    cycles = std::max<double>(tm.min_ii, work + tm.access_startup);
  bool reduces =
      (in.op == Opcode::Activation && in.operand(4) >= 0) || (in.op == Opcode::Activate2 && in.operand(5) >= 0);
  cycles += (row.extra_ii + (reduces ? 1 : 0)) * tm.min_ii;
  out.busy_ns = cycles / ghz;
  return out;
}

DmaWork dma_work(const Timing& tm, const Program& p, const Instruction& in, const PhysView* v) {
  DmaWork w;
  const TensorDecl& dt = p.tensors[p.operands[in.ops_begin].tensor];
  bool dst_hbm = dt.mem == Mem::HBM, src_hbm = true;
  double src_bytes = 0, src_desc = 0;
  const PhysView* sbuf_side = dst_hbm ? nullptr : &v[0];
  for (size_t k = 1; k < in.num_ops; ++k) {
    const TensorDecl& st = p.tensors[p.operands[in.ops_begin + k].tensor];
    src_hbm = st.mem == Mem::HBM;
    if (!src_hbm && !sbuf_side) sbuf_side = &v[k];
    auto [run, n] = runs(v[k], !src_hbm);
    src_bytes += static_cast<double>(v[k].free_elems() * v[k].pnum * size_of(v[k].dtype));
    src_desc = std::max(src_desc, n);
    if (src_hbm) w.hbm_bytes += src_bytes;
  }
  auto [drun, dn] = runs(v[0], !dst_hbm);
  double dst_bytes = static_cast<double>(v[0].free_elems() * v[0].pnum * size_of(v[0].dtype));
  if (dst_hbm) w.hbm_bytes += dst_bytes;
  w.bytes = std::max(src_bytes, dst_bytes);
  w.descriptors = std::max(src_desc, dn);
  w.dir =
      src_hbm ? (dst_hbm ? DmaDir::HbmToHbm : DmaDir::HbmToSbuf) : (dst_hbm ? DmaDir::SbufToHbm : DmaDir::SbufToSbuf);
  if (sbuf_side) {  // each ring serves 8 partitions of the SBUF side
    int per = tm.dma_partitions_per_ring;
    int64_t lane = sbuf_side->lane, n = std::max<int64_t>(sbuf_side->pnum, 1);
    w.first_ring = static_cast<int>(lane / per) % kDmaRings;
    w.rings = static_cast<int>(std::min<int64_t>(kDmaRings, (lane % per + n + per - 1) / per));
  } else {  // HBM to HBM: split by chunks over every ring
    w.first_ring = 0;
    w.rings = static_cast<int>(std::clamp<double>(w.descriptors, 1, kDmaRings));
  }
  if (in.op == Opcode::DmaTranspose)
    w.efficiency = src_hbm ? tm.dma_transpose_hbm_efficiency : tm.dma_transpose_sbuf_efficiency;
  return w;
}

}  // namespace nkic::sim
