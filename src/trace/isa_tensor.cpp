// nki.isa TensorE instructions: nc_matmul, nc_transpose (TensorE or VectorE).
#include "trace/isa_common.h"

namespace nkic::trace {

void add_isa_tensor(ModuleObj& m, const IsaEnums& e) {
  m.ns["nc_matmul"] = isa_builtin(
      "nc_matmul",
      {{"dst", true}, {"stationary", true}, {"moving", true}, {"is_stationary_onezero", false, Value::boolean(false)},
       {"is_moving_onezero", false, Value::boolean(false)}, {"is_transpose", false, Value::boolean(false)},
       {"accumulate", false}, {"tile_position", false, Value::tuple({})}, {"tile_size", false, Value::tuple({})},
       {"perf_mode", false, e.perf_none}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *st = c.tensor(1), *mv = c.tensor(2);
        if (c.mem(st) != Mem::SBUF) c.fail(1, "stationary must be in SBUF, but it is in " + std::string(name_of(c.mem(st))));
        if (c.mem(mv) != Mem::SBUF) c.fail(2, "moving must be in SBUF, but it is in " + std::string(name_of(c.mem(mv))));
        if (c.mem(dst) != Mem::PSUM)
          c.fail(0, "dst must be in PSUM, but it is in " + std::string(name_of(c.mem(dst))),
                 "allocate the result with buffer=nl.psum");
        const Target& t = c.tgt();
        int64_t k = st->ap.dims[0].num, mm = st->ap.free_elements(), n = mv->ap.free_elements();
        if (k > t.partitions) c.fail(1, "stationary partition dimension " + std::to_string(k) + " exceeds the maximum of 128");
        if (mv->ap.dims[0].num != k)
          c.fail(2, "moving partition dimension " + std::to_string(mv->ap.dims[0].num) +
                        " must equal the stationary partition dimension " + std::to_string(k) + " (the contraction dimension)");
        if (mm > t.gemm_stationary_fmax)
          c.fail(1, "stationary free size " + std::to_string(mm) + " exceeds nl.tile_size.gemm_stationary_fmax (" +
                        std::to_string(t.gemm_stationary_fmax) + ")");
        if (n > t.gemm_moving_fmax)
          c.fail(2, "moving free size " + std::to_string(n) + " exceeds nl.tile_size.gemm_moving_fmax (" +
                        std::to_string(t.gemm_moving_fmax) + ")");
        if (dst->ap.dims[0].num != mm || dst->ap.free_elements() != n)
          c.fail(0, "dst " + shape_str(*dst) + " must be [" + std::to_string(mm) + ", " + std::to_string(n) +
                        "] (stationary free size x moving free size)");
        DType dd = c.dtype(dst);
        if (dd != DType::Float32 && !(dd == DType::BFloat16 && t.nc_version >= 4))
          c.fail(0, "dst must be float32" + std::string(t.nc_version >= 4 ? " or bfloat16" : "") + ", not " +
                        std::string(name_of(dd)));
        int32_t acc = -1;
        if (!c.v[6].is_none()) acc = c.boolean(6) ? 1 : 0;
        c.emit(Opcode::NcMatmul, {dst, st, mv}).i0 = acc;
      });

  m.ns["nc_transpose"] = isa_builtin(
      "nc_transpose", {{"dst", true}, {"data", true}, {"engine", false, e.engine_unknown}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *data = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, data);
        int64_t P = c.parts(data), F = c.elems(data);
        if (c.parts(dst) != F || c.elems(dst) != P)
          c.fail(0, "dst " + shape_str(*dst) + " must be [" + std::to_string(F) + ", " + std::to_string(P) +
                        "] (data " + shape_str(*data) + " transposed)");
        if (c.dtype(dst) != c.dtype(data))
          c.fail(0, "dst dtype " + std::string(name_of(c.dtype(dst))) + " must equal data dtype " +
                        std::string(name_of(c.dtype(data))));
        bool fits_vector = P <= 32 && F <= 32;
        Engine def = c.mem(data) == Mem::SBUF && c.mem(dst) == Mem::PSUM ? Engine::Tensor
                     : fits_vector                                        ? Engine::Vector
                                                                          : Engine::Tensor;
        Engine eng = c.engine(2, def, {Engine::Tensor, Engine::Vector});
        if (eng == Engine::Tensor) {
          if (c.mem(data) != Mem::SBUF) c.fail(1, "data must be in SBUF for a TensorE transpose");
          if (c.mem(dst) != Mem::PSUM) c.fail(0, "dst must be in PSUM for a TensorE transpose", "use buffer=nl.psum");
          if (F > 128) c.fail(1, "data free size " + std::to_string(F) + " exceeds 128 for a TensorE transpose");
        } else if (!fits_vector) {
          c.fail(1, "data " + shape_str(*data) + " exceeds 32x32, the limit of a VectorE transpose");
        }
        c.emit(Opcode::NcTranspose, {dst, data}).engine = eng;
      });
}

}  // namespace nkic::trace
