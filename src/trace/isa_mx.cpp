// nki.isa OCP microscaling (MX) instructions, NeuronCore-v4 only: quantize_mx (VectorE) and nc_matmul_mx
// (TensorE). Data is x4-packed fp8/fp4 (4 consecutive contraction values per element); one uint8 E8M0
// scale per group of 8 partitions x 4 values. Scale row i (data partitions 8i..8i+7) is partition
// (i // 4) * 32 + i % 4 of the scale tile (docs/semantics.md, "MX").
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

void sbuf(Ctx& c, size_t i, const TensorObj* t) {
  c.on_chip(i, t);
  if (c.mem(t) != Mem::SBUF) c.fail(i, c.pname(i) + " must be in SBUF, but it is in PSUM");
}

// The scale tile of data with P partitions (multiple of 32) and F x4 elements per partition.
void scale_tile(Ctx& c, size_t i, const TensorObj* s, int64_t P, int64_t F) {
  sbuf(c, i, s);
  if (c.dtype(s) != DType::UInt8 && c.dtype(s) != DType::Float8E8M0FNU)
    c.fail(i, c.pname(i) + " must be uint8 or float8_e8m0fnu (E8M0 scale exponents), not " + dt_name(c.dtype(s)));
  int64_t rows = P / 8, sp = c.parts(s);
  int64_t need = ((rows - 1) / 4) * 32 + (rows - 1) % 4 + 1;
  if (P <= 32 ? sp != rows : (sp < need || sp > P))
    c.fail(i, c.pname(i) + " " + shape_str(*s) + " has " + std::to_string(sp) + " partitions, but data with " +
                  std::to_string(P) + " partitions needs " +
                  (P <= 32 ? std::to_string(rows) + " (one scale row per 8 partitions)"
                           : "from " + std::to_string(need) + " to " + std::to_string(P) +
                                 " (scale row i at partition (i // 4) * 32 + i % 4 of each quadrant)"));
  if (c.elems(s) != F)
    c.fail(i, c.pname(i) + " " + shape_str(*s) + " must have " + std::to_string(F) +
                  " elements per partition (one scale per x4 element column)");
}

bool is_x4(DType t) { return is_packed(t); }

// quantize_mx(dst, src, dst_scale, name=None)
#define QUANTIZE_MX_PARAMS(X) X(dst, kRequired) X(src, kRequired) X(dst_scale, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(QuantizeMxParam, QUANTIZE_MX_PARAMS);

void quantize_mx(Ctx& c) {
  using P = QuantizeMxParam;
  c.needs_nc(P::dst, 4, kTrn3Hint);
  TensorObj *dst = c.tensor(P::dst), *src = c.tensor(P::src), *sc = c.tensor(P::dst_scale);
  sbuf(c, P::src, src);
  if (c.dtype(src) != DType::Float16 && c.dtype(src) != DType::BFloat16)
    c.fail(P::src, "src must be float16 or bfloat16, not " + dt_name(c.dtype(src)));
  int64_t np = c.parts(src), F = c.elems(src);
  if (np % 32 != 0)
    c.fail(P::src, "src partition count " + std::to_string(np) +
                       " must be a multiple of 32 (scale groups span 8 partitions of a quadrant)");
  if (F % 4 != 0) c.fail(P::src, "src free size " + std::to_string(F) + " must be a multiple of 4");
  sbuf(c, P::dst, dst);
  if (c.dtype(dst) != DType::Float8E5M2x4 && c.dtype(dst) != DType::Float8E4M3FNx4)
    c.fail(P::dst, "dst must be float8_e5m2_x4 or float8_e4m3fn_x4, not " + dt_name(c.dtype(dst)));
  if (c.parts(dst) != np || c.elems(dst) != F / 4)
    c.fail(P::dst, "dst " + shape_str(*dst) + " must have " + std::to_string(np) + " partitions and " +
                       std::to_string(F / 4) + " x4 elements per partition (src free size / 4)");
  scale_tile(c, P::dst_scale, sc, np, F / 4);
  Instruction& ins = c.emit(Opcode::QuantizeMx, {dst, src, sc});
  // NKI 0.5.0 documents a block scale 2x the OCP reference's (exponent + 1: headroom for rounding the
  // group's largest values); 0.3.0-0.4.0 picked the OCP scale. The default follows 0.7.0.
  ins.i0 = c.in.launch.release && *c.in.launch.release < Release::V0_5 ? 0 : 1;
}

// nc_matmul_mx(dst, stationary, moving, stationary_scale, moving_scale, tile_position=None, tile_size=None,
//              accumulate=None, name=None)
// clang-format off
#define NC_MATMUL_MX_PARAMS(X)                                                                          \
  X(dst, kRequired)                                                                                     \
  X(stationary, kRequired)                                                                              \
  X(moving, kRequired)                                                                                  \
  X(stationary_scale, kRequired) X(moving_scale, kRequired) X(tile_position, kNone) X(tile_size, kNone) \
      X(accumulate, kNone) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(NcMatmulMxParam, NC_MATMUL_MX_PARAMS);

void nc_matmul_mx(Ctx& c) {
  using P = NcMatmulMxParam;
  c.needs_nc(P::dst, 4, kTrn3Hint);
  TensorObj *dst = c.tensor(P::dst), *st = c.tensor(P::stationary), *mv = c.tensor(P::moving);
  TensorObj *ss = c.tensor(P::stationary_scale), *ms = c.tensor(P::moving_scale);
  sbuf(c, P::stationary, st);
  sbuf(c, P::moving, mv);
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::stationary, st}, {P::moving, mv}})
    if (!is_x4(c.dtype(t)))
      c.fail(i,
             c.pname(i) + " must be float8_e5m2_x4, float8_e4m3fn_x4 or float4_e2m1fn_x4, not " + dt_name(c.dtype(t)),
             "quantize it with nisa.quantize_mx, or use nisa.nc_matmul for unscaled data");
  int64_t K = c.parts(st), M = c.elems(st), N = c.elems(mv);
  if (K % 32 != 0)
    c.fail(P::stationary, "stationary partition count " + std::to_string(K) +
                              " must be a multiple of 32 (the contraction is " +
                              "partitions x 4 values; scale groups span 8 partitions)");
  if (c.parts(mv) != K)
    c.fail(P::moving, "moving partition dimension " + std::to_string(c.parts(mv)) +
                          " must equal the stationary partition dimension " + std::to_string(K) +
                          " (the contraction dimension)");
  if (M % 2 != 0 || M > 128)
    c.fail(P::stationary, "stationary free size " + std::to_string(M) + " must be even and at most 128");
  if (c.mem(dst) != Mem::PSUM)
    c.fail(P::dst, "dst must be in PSUM, but it is in " + std::string(name_of(c.mem(dst))),
           "allocate the result with buffer=nl.psum");
  DType dd = c.dtype(dst);
  if (dd != DType::Float32 && dd != DType::BFloat16)
    c.fail(P::dst, "dst must be float32 or bfloat16, not " + dt_name(dd));
  int64_t nmax = dd == DType::Float32 ? 512 : 1024;
  if (N > nmax)
    c.fail(P::moving, "moving free size " + std::to_string(N) + " exceeds " + std::to_string(nmax) + " for a " +
                          dt_name(dd) + " dst");
  if (c.parts(dst) != M || c.elems(dst) != N)
    c.fail(P::dst, "dst " + shape_str(*dst) + " must be [" + std::to_string(M) + ", " + std::to_string(N) +
                       "] (stationary free size x moving free size)");
  scale_tile(c, P::stationary_scale, ss, K, M);
  scale_tile(c, P::moving_scale, ms, K, N);
  // Only row tiling: tile_position (row, 0) and tile_size (rows, 128).
  for (size_t i : {size_t{P::tile_position}, size_t{P::tile_size}}) {
    if (!c.given(i)) continue;
    const Value& v = c.v[i];
    bool ok = (v.k == VK::Tuple || v.k == VK::List);
    const std::vector<Value>* it = ok ? &v.as<SeqObj>()->items : nullptr;
    if (ok && it->empty()) continue;
    ok = ok && it->size() == 2 && (*it)[0].is_int() && (*it)[1].is_int();
    if (!ok) c.fail(i, c.pname(i) + " must be a (row, column) pair of integers, not " + repr(v));
    int64_t col = (*it)[1].as_int();
    if (i == P::tile_position && col != 0)
      c.fail(i, "nc_matmul_mx supports only row tiling: the tile_position column must be 0");
    if (i == P::tile_size && col != 128)
      c.fail(i, "nc_matmul_mx supports only row tiling: the tile_size column size must be 128");
  }
  Accumulate acc = c.accumulate(P::accumulate);
  set_accumulate(c.emit(Opcode::NcMatmulMx, {dst, st, mv, ss, ms}), acc);
}

}  // namespace

void add_isa_mx(ModuleObj& m, const IsaEnums&) {
  add_isa_builtins(m, {
                          {"quantize_mx", NKIC_SIGNATURE(QUANTIZE_MX_PARAMS), quantize_mx},
                          {"nc_matmul_mx", NKIC_SIGNATURE(NC_MATMUL_MX_PARAMS), nc_matmul_mx},
                      });
}

}  // namespace nkic::trace
