// nki.isa OCP microscaling (MX) instructions, NeuronCore-v4 only: quantize_mx (VectorE) and nc_matmul_mx
// (TensorE). Data is x4-packed fp8/fp4 (4 consecutive contraction values per element); one uint8 E8M0
// scale per group of 8 partitions x 4 values. Scale row i (data partitions 8i..8i+7) is partition
// (i // 4) * 32 + i % 4 of the scale tile (docs/semantics.md, "MX").
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

std::string dt_name(DType t) { return std::string(name_of(t)); }

void needs_v4(Ctx& c) {
  if (c.tgt().nc_version < 4)
    c.fail(0, "needs NeuronCore-v4 or later (target is NeuronCore-v" + std::to_string(c.tgt().nc_version) + ")",
           "set NEURON_PLATFORM_TARGET_OVERRIDE=trn3 (or --target trn3)");
}

void sbuf(Ctx& c, size_t i, const TensorObj* t) {
  c.on_chip(i, t);
  if (c.mem(t) != Mem::SBUF) c.fail(i, c.pname(i) + " must be in SBUF, but it is in PSUM");
}

// The scale tile of data with P partitions (multiple of 32) and F x4 elements per partition.
void scale_tile(Ctx& c, size_t i, const TensorObj* s, int64_t P, int64_t F) {
  sbuf(c, i, s);
  if (c.dtype(s) != DType::UInt8) c.fail(i, c.pname(i) + " must be uint8 (E8M0 scale exponents), not " + dt_name(c.dtype(s)));
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

}  // namespace

void add_isa_mx(ModuleObj& m, const IsaEnums&) {
  // quantize_mx(dst, src, dst_scale, name=None)
  m.ns["quantize_mx"] = isa_builtin(
      "quantize_mx", {{"dst", true}, {"src", true}, {"dst_scale", true}, {"name", false}}, [](Ctx& c) {
        needs_v4(c);
        TensorObj *dst = c.tensor(0), *src = c.tensor(1), *sc = c.tensor(2);
        sbuf(c, 1, src);
        if (c.dtype(src) != DType::Float16 && c.dtype(src) != DType::BFloat16)
          c.fail(1, "src must be float16 or bfloat16, not " + dt_name(c.dtype(src)));
        int64_t P = c.parts(src), F = c.elems(src);
        if (P % 32 != 0)
          c.fail(1, "src partition count " + std::to_string(P) + " must be a multiple of 32 (scale groups span 8 partitions of a quadrant)");
        if (F % 4 != 0) c.fail(1, "src free size " + std::to_string(F) + " must be a multiple of 4");
        sbuf(c, 0, dst);
        if (c.dtype(dst) != DType::Float8E5M2x4 && c.dtype(dst) != DType::Float8E4M3FNx4)
          c.fail(0, "dst must be float8_e5m2_x4 or float8_e4m3fn_x4, not " + dt_name(c.dtype(dst)));
        if (c.parts(dst) != P || c.elems(dst) != F / 4)
          c.fail(0, "dst " + shape_str(*dst) + " must have " + std::to_string(P) + " partitions and " +
                        std::to_string(F / 4) + " x4 elements per partition (src free size / 4)");
        scale_tile(c, 2, sc, P, F / 4);
        c.emit(Opcode::QuantizeMx, {dst, src, sc});
      });

  // nc_matmul_mx(dst, stationary, moving, stationary_scale, moving_scale, tile_position=None, tile_size=None,
  //              accumulate=None, name=None)
  m.ns["nc_matmul_mx"] = isa_builtin(
      "nc_matmul_mx",
      {{"dst", true}, {"stationary", true}, {"moving", true}, {"stationary_scale", true}, {"moving_scale", true},
       {"tile_position", false}, {"tile_size", false}, {"accumulate", false}, {"name", false}},
      [](Ctx& c) {
        needs_v4(c);
        TensorObj *dst = c.tensor(0), *st = c.tensor(1), *mv = c.tensor(2), *ss = c.tensor(3), *ms = c.tensor(4);
        sbuf(c, 1, st);
        sbuf(c, 2, mv);
        for (auto [i, t] : {std::pair<size_t, TensorObj*>{1, st}, {2, mv}})
          if (!is_x4(c.dtype(t)))
            c.fail(i, c.pname(i) + " must be float8_e5m2_x4, float8_e4m3fn_x4 or float4_e2m1fn_x4, not " + dt_name(c.dtype(t)),
                   "quantize it with nisa.quantize_mx, or use nisa.nc_matmul for unscaled data");
        int64_t K = c.parts(st), M = c.elems(st), N = c.elems(mv);
        if (K % 32 != 0)
          c.fail(1, "stationary partition count " + std::to_string(K) + " must be a multiple of 32 (the contraction is " +
                        "partitions x 4 values; scale groups span 8 partitions)");
        if (c.parts(mv) != K)
          c.fail(2, "moving partition dimension " + std::to_string(c.parts(mv)) +
                        " must equal the stationary partition dimension " + std::to_string(K) + " (the contraction dimension)");
        if (M % 2 != 0 || M > 128)
          c.fail(1, "stationary free size " + std::to_string(M) + " must be even and at most 128");
        if (c.mem(dst) != Mem::PSUM)
          c.fail(0, "dst must be in PSUM, but it is in " + std::string(name_of(c.mem(dst))), "allocate the result with buffer=nl.psum");
        DType dd = c.dtype(dst);
        if (dd != DType::Float32 && dd != DType::BFloat16) c.fail(0, "dst must be float32 or bfloat16, not " + dt_name(dd));
        int64_t nmax = dd == DType::Float32 ? 512 : 1024;
        if (N > nmax)
          c.fail(2, "moving free size " + std::to_string(N) + " exceeds " + std::to_string(nmax) + " for a " + dt_name(dd) + " dst");
        if (c.parts(dst) != M || c.elems(dst) != N)
          c.fail(0, "dst " + shape_str(*dst) + " must be [" + std::to_string(M) + ", " + std::to_string(N) +
                        "] (stationary free size x moving free size)");
        scale_tile(c, 3, ss, K, M);
        scale_tile(c, 4, ms, K, N);
        // Only row tiling: tile_position (row, 0) and tile_size (rows, 128).
        for (size_t i : {size_t{5}, size_t{6}}) {
          if (!c.given(i)) continue;
          const Value& v = c.v[i];
          bool ok = (v.k == VK::Tuple || v.k == VK::List);
          const std::vector<Value>* it = ok ? &v.as<SeqObj>()->items : nullptr;
          if (ok && it->empty()) continue;
          ok = ok && it->size() == 2 && (*it)[0].is_int() && (*it)[1].is_int();
          if (!ok) c.fail(i, c.pname(i) + " must be a (row, column) pair of integers, not " + repr(v));
          int64_t col = (*it)[1].as_int();
          if (i == 5 && col != 0) c.fail(i, "nc_matmul_mx supports only row tiling: the tile_position column must be 0");
          if (i == 6 && col != 128) c.fail(i, "nc_matmul_mx supports only row tiling: the tile_size column size must be 128");
        }
        int32_t acc = -1;
        if (c.given(7)) acc = c.boolean(7) ? 1 : 0;
        c.emit(Opcode::NcMatmulMx, {dst, st, mv, ss, ms}).i0 = acc;
      });
}

}  // namespace nkic::trace
