// nki.isa TensorE instructions: nc_matmul, nc_transpose (TensorE or VectorE).
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

// nc_matmul(dst, stationary, moving, is_stationary_onezero=False, is_moving_onezero=False, is_transpose=False,
//           accumulate=None, tile_position=(), tile_size=(), perf_mode=matmul_perf_mode.none, name=None)
// clang-format off
#define NC_MATMUL_PARAMS(X)                                                                          \
  X(dst, kRequired)                                                                                  \
  X(stationary, kRequired)                                                                           \
  X(moving, kRequired)                                                                               \
  X(is_stationary_onezero, Value::boolean(false)) X(is_moving_onezero, Value::boolean(false))        \
      X(is_transpose, Value::boolean(false)) X(accumulate, kNone) X(tile_position, Value::tuple({})) \
          X(tile_size, Value::tuple({})) X(perf_mode, e.perf_none) X(name, kNone)
// clang-format on
NKIC_PARAM_POSITIONS(NcMatmulParam, NC_MATMUL_PARAMS);

void nc_matmul(Ctx& c) {
  using P = NcMatmulParam;
  TensorObj *dst = c.tensor(P::dst), *st = c.tensor(P::stationary), *mv = c.tensor(P::moving);
  if (c.mem(st) != Mem::SBUF)
    c.fail(P::stationary, "stationary must be in SBUF, but it is in " + std::string(name_of(c.mem(st))));
  if (c.mem(mv) != Mem::SBUF)
    c.fail(P::moving, "moving must be in SBUF, but it is in " + std::string(name_of(c.mem(mv))));
  if (c.mem(dst) != Mem::PSUM)
    c.fail(P::dst, "dst must be in PSUM, but it is in " + std::string(name_of(c.mem(dst))),
           "allocate the result with buffer=nl.psum");
  const Target& t = c.tgt();
  int64_t k = st->ap.dims[0].num, mm = st->ap.free_elements(), n = mv->ap.free_elements();
  if (k > t.partitions)
    c.fail(P::stationary, "stationary partition dimension " + std::to_string(k) + " exceeds the maximum of 128");
  if (mv->ap.dims[0].num != k)
    c.fail(P::moving, "moving partition dimension " + std::to_string(mv->ap.dims[0].num) +
                          " must equal the stationary partition dimension " + std::to_string(k) +
                          " (the contraction dimension)");
  if (mm > t.gemm_stationary_fmax)
    c.fail(P::stationary, "stationary free size " + std::to_string(mm) +
                              " exceeds nl.tile_size.gemm_stationary_fmax (" + std::to_string(t.gemm_stationary_fmax) +
                              ")");
  if (n > t.gemm_moving_fmax)
    c.fail(P::moving, "moving free size " + std::to_string(n) + " exceeds nl.tile_size.gemm_moving_fmax (" +
                          std::to_string(t.gemm_moving_fmax) + ")");
  if (dst->ap.dims[0].num != mm || dst->ap.free_elements() != n)
    c.fail(P::dst, "dst " + shape_str(*dst) + " must be [" + std::to_string(mm) + ", " + std::to_string(n) +
                       "] (stationary free size x moving free size)");
  DType dd = c.dtype(dst);
  // Transpose mode (NCv3+) writes 16-bit inputs as 16-bit PSUM output (spec §5.4; nki-library's moe_cte
  // transposes bf16 tiles this way).
  bool transpose16 = c.boolean(P::is_transpose) && t.nc_version >= 3 && dd == c.dtype(st) &&
                     (dd == DType::BFloat16 || dd == DType::Float16);
  if (dd != DType::Float32 && !(dd == DType::BFloat16 && t.nc_version >= 4) && !transpose16)
    c.fail(P::dst,
           "dst must be float32" + std::string(t.nc_version >= 4 ? " or bfloat16" : "") + ", not " + dt_name(dd),
           t.nc_version >= 3 && (dd == DType::BFloat16 || dd == DType::Float16)
               ? "with is_transpose=True a 16-bit stationary may write a PSUM tile of its own dtype"
               : "");
  Accumulate acc = c.accumulate(P::accumulate);
  set_accumulate(c.emit(Opcode::NcMatmul, {dst, st, mv}), acc);
}

// nc_transpose(dst, data, engine=engine.unknown, name=None)
#define NC_TRANSPOSE_PARAMS(X) X(dst, kRequired) X(data, kRequired) X(engine, e.engine_unknown) X(name, kNone)
NKIC_PARAM_POSITIONS(NcTransposeParam, NC_TRANSPOSE_PARAMS);

void nc_transpose(Ctx& c) {
  using P = NcTransposeParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.on_chip(P::dst, dst);
  c.on_chip(P::data, data);
  int64_t np = c.parts(data), F = c.elems(data);
  if (c.parts(dst) != F || c.elems(dst) != np)
    c.fail(P::dst, "dst " + shape_str(*dst) + " must be [" + std::to_string(F) + ", " + std::to_string(np) +
                       "] (data " + shape_str(*data) + " transposed)");
  // A TensorE transpose is an identity matmul, so bf16/fp16 data can also go to an fp32 PSUM tile, exactly
  // (trn1 kernels must do this; docs/semantics.md, "TensorE transposes into fp32 PSUM").
  DType dd = c.dtype(dst), sd = c.dtype(data);
  bool widen = dd == DType::Float32 && (sd == DType::BFloat16 || sd == DType::Float16);
  if (dd != sd && !widen)
    c.fail(P::dst, "dst dtype " + dt_name(dd) + " must equal data dtype " + dt_name(sd),
           sd == DType::BFloat16 || sd == DType::Float16
               ? "a TensorE transpose can also write " + dt_name(sd) + " data to a float32 PSUM tile"
               : "");
  bool fits_vector = np <= 32 && F <= 32;
  Engine def = c.mem(data) == Mem::SBUF && c.mem(dst) == Mem::PSUM ? Engine::Tensor
               : fits_vector                                       ? Engine::Vector
                                                                   : Engine::Tensor;
  Engine eng = c.engine(P::engine, def, {Engine::Tensor, Engine::Vector});
  if (c.in.launch.release && *c.in.launch.release < Release::V0_4) eng = def;  // 0.3.0 ignored engine=
  if (eng == Engine::Tensor) {
    if (c.mem(data) != Mem::SBUF) c.fail(P::data, "data must be in SBUF for a TensorE transpose");
    if (c.mem(dst) != Mem::PSUM) c.fail(P::dst, "dst must be in PSUM for a TensorE transpose", "use buffer=nl.psum");
    if (F > 128) c.fail(P::data, "data free size " + std::to_string(F) + " exceeds 128 for a TensorE transpose");
  } else if (!fits_vector) {
    c.fail(P::data, "data " + shape_str(*data) + " exceeds 32x32, the limit of a VectorE transpose");
  } else if (widen) {
    c.fail(P::dst, "dst dtype " + dt_name(dd) + " must equal data dtype " + dt_name(sd) + " for a VectorE transpose",
           "only a TensorE transpose (data in SBUF, dst in PSUM) writes bfloat16/float16 data to a float32 tile");
  }
  c.emit(Opcode::NcTranspose, {dst, data}).engine = eng;
}

}  // namespace

void add_isa_tensor(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(m, {
                          {"nc_matmul", NKIC_SIGNATURE(NC_MATMUL_PARAMS), nc_matmul},
                          {"nc_transpose", NKIC_SIGNATURE(NC_TRANSPOSE_PARAMS), nc_transpose},
                      });
}

}  // namespace nkic::trace
