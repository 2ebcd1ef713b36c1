// nki.isa multi-core synchronization of an LNC2 pair (NeuronCore-v3+): core_barrier, sendrecv. Under
// `kernel[2]` each core's Program holds its own; the Device matches them (sim/device.cpp). Without a
// second core core_barrier has no peer and completes at once, and sendrecv is an error
// (docs/semantics.md, "Two cores").
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

// A compile-time int argument in {0, 1} (a rank of the LNC2 pair).
int64_t rank(Ctx& c, size_t i) {
  if (!c.v[i].is_int()) c.fail(i, c.pname(i) + " must be a compile-time integer rank (0 or 1), not " + repr(c.v[i]));
  int64_t r = c.v[i].as_int();
  if (r != 0 && r != 1)
    c.fail(i, c.pname(i) + " must be 0 or 1 (the two cores of an LNC2 pair), not " + std::to_string(r));
  return r;
}

// core_barrier(data, cores, engine=engine.gpsimd, name=None)
#define CORE_BARRIER_PARAMS(X) X(data, kRequired) X(cores, kRequired) X(engine, e.engine_gpsimd) X(name, kNone)
NKIC_PARAM_POSITIONS(CoreBarrierParam, CORE_BARRIER_PARAMS);

void core_barrier(Ctx& c) {
  using P = CoreBarrierParam;
  c.needs_nc(P::data, 3, "", " with LNC2");
  TensorObj* data = c.tensor(P::data);
  // The docs name a shared HBM tensor; nki-library's moe_cte synchronizes on an SBUF tile too.
  if (c.mem(data) == Mem::PSUM)
    c.fail(P::data, "data must be a shared HBM or SBUF tensor (the tensor the cores synchronize on), not PSUM");
  const Value& cores = c.v[P::cores];
  bool ok = false;
  if (cores.k == VK::Tuple || cores.k == VK::List) {
    const auto& it = cores.as<SeqObj>()->items;
    ok = it.size() == 2 && it[0].is_int() && it[1].is_int() && it[0].as_int() == 0 && it[1].as_int() == 1;
  }
  if (!ok) c.fail(P::cores, "cores must be (0, 1) (the two cores of an LNC2 pair), not " + repr(cores));
  Engine eng = c.engine(P::engine, Engine::GpSimd,
                        {Engine::GpSimd, Engine::Vector, Engine::Scalar, Engine::Sync, Engine::Tensor});
  c.emit(Opcode::CoreBarrier, {data}).engine = eng;
}

// sendrecv(src, dst, send_to_rank, recv_from_rank, pipe_id, dma_engine=dma_engine.dma, name=None)
#define SENDRECV_PARAMS(X)   \
  X(src, kRequired)          \
  X(dst, kRequired)          \
  X(send_to_rank, kRequired) \
  X(recv_from_rank, kRequired) X(pipe_id, kRequired) X(dma_engine, e.dma_engine_dma) X(name, kNone)
NKIC_PARAM_POSITIONS(SendrecvParam, SENDRECV_PARAMS);

void sendrecv(Ctx& c) {
  using P = SendrecvParam;
  c.needs_nc(P::src, 3, "", " with LNC2");
  TensorObj *src = c.tensor(P::src), *dst = c.tensor(P::dst);
  c.sbuf_only(P::src, src, "sendrecv");
  c.sbuf_only(P::dst, dst, "sendrecv");
  if (c.dtype(src) != c.dtype(dst))
    c.fail(P::dst, "dst dtype " + dt_name(c.dtype(dst)) + " must equal src dtype " + dt_name(c.dtype(src)));
  if (src->shape() != dst->shape())
    c.fail(P::dst, "dst " + shape_str(*dst) + " must have the same shape as src " + shape_str(*src));
  int64_t to = rank(c, P::send_to_rank), from = rank(c, P::recv_from_rank);
  int64_t me = c.in.launch.program_id;
  if (c.in.launch.num_programs < 2)
    c.in.error(c.a.call_span,
               "sendrecv: the instruction exchanges data with the other core of an LNC2 pair, but the kernel runs on "
               "one core",
               "launch it on both cores of the pair with kernel[2]", "validation");
  if (to == me)
    c.fail(P::send_to_rank,
           "send_to_rank must be the other core (" + std::to_string(1 - me) + "): this is core " + std::to_string(me));
  if (from == me)
    c.fail(P::recv_from_rank, "recv_from_rank must be the other core (" + std::to_string(1 - me) + "): this is core " +
                                  std::to_string(me));
  const Value& pipe = c.v[P::pipe_id];
  if (!pipe.is_int() || pipe.as_int() < 0 || pipe.as_int() > INT32_MAX)
    c.fail(P::pipe_id, "pipe_id must be a non-negative compile-time integer, not " + repr(pipe));
  bool gpsimd_dma = c.member<DmaEngine>(P::dma_engine) == DmaEngine::GpSimdDma;
  if (gpsimd_dma) {  // gpsimd_dma limits (0.3.0)
    if (c.parts(src) % 16 != 0)
      c.fail(P::src, "with dma_engine.gpsimd_dma the partition count must be a multiple of 16, not " +
                         std::to_string(c.parts(src)));
    int64_t sz = size_of(c.dtype(src)), bytes = c.elems(src) * sz;
    int64_t cap = sz >= 4 ? 1024 : sz == 2 ? 512 : 256;
    if (bytes > cap)
      c.fail(P::src, "with dma_engine.gpsimd_dma at most " + std::to_string(cap) + " bytes per partition move for " +
                         dt_name(c.dtype(src)) + ", not " + std::to_string(bytes));
  }
  Instruction& ins = c.emit(Opcode::SendRecv, {src, dst});
  ins.engine = gpsimd_dma ? Engine::GpSimd : Engine::DMA;
  ins.i0 = static_cast<int32_t>(pipe.as_int());
  c.in.program.set_ints(ins, {to, from});
}

}  // namespace

void add_isa_lnc(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(m, {
                          {"core_barrier", NKIC_SIGNATURE(CORE_BARRIER_PARAMS), core_barrier},
                          {"sendrecv", NKIC_SIGNATURE(SENDRECV_PARAMS), sendrecv},
                      });
}

}  // namespace nkic::trace
