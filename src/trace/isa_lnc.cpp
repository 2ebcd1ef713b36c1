// nki.isa multi-core synchronization of an LNC2 pair (NeuronCore-v3+): core_barrier, sendrecv. Under
// `kernel[2]` each core's Program holds its own; the Device matches them (sim/device.cpp). Without a
// second core core_barrier has no peer and completes at once, and sendrecv is an error
// (docs/semantics.md, "Two cores").
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

std::string dt_name(DType t) { return std::string(name_of(t)); }

void needs_v3(Ctx& c) {
  if (c.tgt().nc_version < 3)
    c.fail(0, "needs NeuronCore-v3 or later with LNC2 (target is NeuronCore-v" +
                  std::to_string(c.tgt().nc_version) + ")");
}

// A compile-time int argument in {0, 1} (a rank of the LNC2 pair).
int64_t rank(Ctx& c, size_t i) {
  if (!c.v[i].is_int()) c.fail(i, c.pname(i) + " must be a compile-time integer rank (0 or 1), not " + repr(c.v[i]));
  int64_t r = c.v[i].as_int();
  if (r != 0 && r != 1) c.fail(i, c.pname(i) + " must be 0 or 1 (the two cores of an LNC2 pair), not " + std::to_string(r));
  return r;
}

}  // namespace

void add_isa_lnc(ModuleObj& m, const IsaEnums&) {
  Value gpsimd = m.ns["engine"].as<ModuleObj>()->ns["gpsimd"];
  Value dma = m.ns["dma_engine"].as<ModuleObj>()->ns["dma"];

  // core_barrier(data, cores, engine=engine.gpsimd, name=None)
  m.ns["core_barrier"] = isa_builtin(
      "core_barrier", {{"data", true}, {"cores", true}, {"engine", false, gpsimd}, {"name", false}}, [](Ctx& c) {
        needs_v3(c);
        TensorObj* data = c.tensor(0);
        if (c.mem(data) != Mem::HBM)
          c.fail(0, "data must be a shared HBM tensor (the tensor both cores synchronize on), but it is in " +
                        std::string(name_of(c.mem(data))));
        bool ok = false;
        if (c.v[1].k == VK::Tuple || c.v[1].k == VK::List) {
          const auto& it = c.v[1].as<SeqObj>()->items;
          ok = it.size() == 2 && it[0].is_int() && it[1].is_int() && it[0].as_int() == 0 && it[1].as_int() == 1;
        }
        if (!ok) c.fail(1, "cores must be (0, 1) (the two cores of an LNC2 pair), not " + repr(c.v[1]));
        Engine eng = c.engine(2, Engine::GpSimd, {Engine::GpSimd, Engine::Vector, Engine::Scalar, Engine::Sync,
                                                  Engine::Tensor});
        c.emit(Opcode::CoreBarrier, {data}).engine = eng;
      });

  // sendrecv(src, dst, send_to_rank, recv_from_rank, pipe_id, dma_engine=dma_engine.dma, name=None)
  m.ns["sendrecv"] = isa_builtin(
      "sendrecv",
      {{"src", true}, {"dst", true}, {"send_to_rank", true}, {"recv_from_rank", true}, {"pipe_id", true},
       {"dma_engine", false, dma}, {"name", false}},
      [](Ctx& c) {
        needs_v3(c);
        TensorObj *src = c.tensor(0), *dst = c.tensor(1);
        c.sbuf_only(0, src, "sendrecv");
        c.sbuf_only(1, dst, "sendrecv");
        if (c.dtype(src) != c.dtype(dst))
          c.fail(1, "dst dtype " + dt_name(c.dtype(dst)) + " must equal src dtype " + dt_name(c.dtype(src)));
        if (src->shape() != dst->shape())
          c.fail(1, "dst " + shape_str(*dst) + " must have the same shape as src " + shape_str(*src));
        int64_t to = rank(c, 2), from = rank(c, 3);
        int64_t me = c.in.launch.program_id;
        if (c.in.launch.num_programs < 2)
          c.in.error(c.a.call_span,
                     "sendrecv: the instruction exchanges data with the other core of an LNC2 pair, but the kernel "
                     "runs on one core",
                     "launch it on both cores of the pair with kernel[2]", "validation");
        if (to == me) c.fail(2, "send_to_rank must be the other core (" + std::to_string(1 - me) + "): this is core " + std::to_string(me));
        if (from == me) c.fail(3, "recv_from_rank must be the other core (" + std::to_string(1 - me) + "): this is core " + std::to_string(me));
        if (!c.v[4].is_int() || c.v[4].as_int() < 0 || c.v[4].as_int() > INT32_MAX)
          c.fail(4, "pipe_id must be a non-negative compile-time integer, not " + repr(c.v[4]));
        int64_t de = c.enum_value(5, "dma_engine");
        if (de == 2) {  // gpsimd_dma limits (0.3.0)
          if (c.parts(src) % 16 != 0)
            c.fail(0, "with dma_engine.gpsimd_dma the partition count must be a multiple of 16, not " +
                          std::to_string(c.parts(src)));
          int64_t sz = size_of(c.dtype(src)), bytes = c.elems(src) * sz;
          int64_t cap = sz >= 4 ? 1024 : sz == 2 ? 512 : 256;
          if (bytes > cap)
            c.fail(0, "with dma_engine.gpsimd_dma at most " + std::to_string(cap) + " bytes per partition move for " +
                          dt_name(c.dtype(src)) + ", not " + std::to_string(bytes));
        }
        Instruction& ins = c.emit(Opcode::SendRecv, {src, dst});
        ins.engine = de == 2 ? Engine::GpSimd : Engine::DMA;
        ins.i0 = static_cast<int32_t>(c.v[4].as_int());
        c.in.program.set_ints(ins, {to, from});
      });
}

}  // namespace nkic::trace
