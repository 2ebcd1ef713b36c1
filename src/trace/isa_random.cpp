// nki.isa random-number instructions: rng, rand2, dropout (VectorE, or GpSimd for rng), the seed/state
// instructions set_rng_seed, rand_set_state, rand_get_state. The generator is documented in
// docs/semantics.md ("Random numbers") and implemented in src/sim/random.cpp.
#include "trace/isa_common.h"

namespace nkic::trace {

namespace {

std::string dt_name(DType t) { return std::string(name_of(t)); }
std::string version(const Ctx& c) { return "NeuronCore-v" + std::to_string(c.tgt().nc_version); }

// engine= of the state instructions: NCv3 GpSimd only, NCv4 GpSimd or Vector. unknown: by the state size
// (24 words per lane = the Vector generator on NCv4, otherwise GpSimd).
Engine state_engine(Ctx& c, size_t i, const TensorObj* t) {
  if (c.tgt().nc_version < 3)
    c.fail(0, "needs NeuronCore-v3 or later (target is " + version(c) + ")",
           "on NeuronCore-v2 seed the Vector Engine generator with nisa.set_rng_seed");
  int64_t e = c.enum_value(i, "engine");
  if (e == 5 && c.tgt().nc_version < 4)
    c.fail(i, "the Vector Engine generator needs NeuronCore-v4 (target is " + version(c) + ")",
           "use engine=nisa.engine.gpsimd");
  Engine eng = c.tgt().nc_version >= 4 ? c.engine(i, Engine::Unknown, {Engine::GpSimd, Engine::Vector})
                                       : c.engine(i, Engine::Unknown, {Engine::GpSimd});
  if (eng == Engine::Unknown) eng = c.tgt().nc_version >= 4 && c.elems(t) == 24 ? Engine::Vector : Engine::GpSimd;
  return eng;
}

// The per-lane XORWOW state tile: uint32, 6 words per partition (GpSimd) or 24 (Vector: 4 generators).
void state_tile(Ctx& c, size_t i, const TensorObj* t, Engine eng) {
  if (eng == Engine::GpSimd) c.sbuf_only(i, t);
  else c.on_chip(i, t);
  if (c.dtype(t) != DType::UInt32) c.fail(i, c.pname(i) + " must be uint32 (XORWOW state words), not " + dt_name(c.dtype(t)));
  int64_t want = eng == Engine::GpSimd ? 6 : 24;
  if (c.elems(t) != want)
    c.fail(i, c.pname(i) + " " + shape_str(*t) + " must have " + std::to_string(want) + " elements per partition (the " +
                  (eng == Engine::GpSimd ? "GpSimd" : "Vector") + " Engine's XORWOW state of each compute lane" +
                  (eng == Engine::GpSimd ? ")" : ": 4 generators x 6 words)"));
}

}  // namespace

void add_isa_random(ModuleObj& m, const IsaEnums& e) {
  // rng(dst, engine=engine.unknown, name=None)
  m.ns["rng"] = isa_builtin("rng", {{"dst", true}, {"engine", false, e.engine_unknown}, {"name", false}}, [](Ctx& c) {
    TensorObj* dst = c.tensor(0);
    if (c.enum_value(1, "engine") == 3 && c.tgt().nc_version < 3)
      c.fail(1, "the GpSimd Engine generator needs NeuronCore-v3 or later (target is " + version(c) + ")",
             "use engine=nisa.engine.vector");
    Engine eng = c.engine(1, Engine::Vector, {Engine::Vector, Engine::GpSimd});
    if (eng == Engine::GpSimd) c.sbuf_only(0, dst);
    else c.on_chip(0, dst);
    if (!is_int(c.dtype(dst)))
      c.fail(0, "dst must have an integer dtype (int8, uint8, int16, uint16, int32 or uint32), not " + dt_name(c.dtype(dst)),
             "for uniform floats use nisa.rand2 (NeuronCore-v4) or nl.rand");
    c.emit(Opcode::Rng, {dst}).engine = eng;
  });

  // rand2(dst, min, max, name=None)
  m.ns["rand2"] = isa_builtin("rand2", {{"dst", true}, {"min", true}, {"max", true}, {"name", false}}, [](Ctx& c) {
    if (c.tgt().nc_version < 4)
      c.fail(0, "needs NeuronCore-v4 or later (target is " + version(c) + ")", "use nisa.rng or nl.rand");
    TensorObj* dst = c.tensor(0);
    c.on_chip(0, dst);
    DType d = c.dtype(dst);
    if (d == DType::Bool || d == DType::Float8E4M3FN || is_packed(d))
      c.fail(0, "dst cannot be " + dt_name(d) +
                    " (supported: float8_e4m3, float8_e5m2, float16, bfloat16, float32, tfloat32, int8..uint32)");
    int64_t P = c.parts(dst);
    double lo = 0, hi = 0;
    TensorObj* tlo = c.scalar_or_column(1, P, &lo);
    TensorObj* thi = c.scalar_or_column(2, P, &hi);
    for (auto [i, t] : {std::pair<size_t, TensorObj*>{1, tlo}, {2, thi}})
      if (t && c.dtype(t) != DType::Float32) c.fail(i, c.pname(i) + " must be a number or a float32 (P, 1) tile");
    if (!tlo && !thi && !(lo < hi)) c.fail(2, "max must be greater than min (" + repr(c.v[1]) + " >= " + repr(c.v[2]) + ")");
    Instruction& ins = c.emit(Opcode::Rand2, {dst, tlo, thi});
    ins.f0 = lo;
    ins.f1 = hi;
  });

  // dropout(dst, data, prob, name=None)
  m.ns["dropout"] = isa_builtin("dropout", {{"dst", true}, {"data", true}, {"prob", true}, {"name", false}}, [](Ctx& c) {
    TensorObj *dst = c.tensor(0), *data = c.tensor(1);
    c.on_chip(0, dst);
    c.on_chip(1, data);
    c.same_tile(1, data, 0, dst);
    if (c.dtype(dst) != c.dtype(data))
      c.fail(0, "dst dtype " + dt_name(c.dtype(dst)) + " must equal data dtype " + dt_name(c.dtype(data)));
    if (is_packed(c.dtype(data))) c.fail(1, "data cannot be a packed x4 dtype (" + dt_name(c.dtype(data)) + ")");
    double p = 0;
    TensorObj* tp = c.scalar_or_column(2, c.parts(data), &p);
    if (tp) {
      c.float_dtype(2, tp);
      if (!is_float(c.dtype(data)) && c.dtype(tp) != DType::Float32)
        c.fail(2, "prob must be a float32 tile when data has an integer dtype, not " + dt_name(c.dtype(tp)));
    } else if (!(p >= 0.0 && p <= 1.0)) {
      c.fail(2, "prob must be a probability in [0, 1], not " + repr(c.v[2]));
    }
    c.emit(Opcode::Dropout, {dst, data, tp}).f0 = p;
  });

  // set_rng_seed(src_seeds, name=None): seeds the Vector Engine generator of every lane from one 32-bit value.
  m.ns["set_rng_seed"] = isa_builtin("set_rng_seed", {{"src_seeds", true}, {"name", false}}, [](Ctx& c) {
    TensorObj* s = c.tensor(0);
    c.on_chip(0, s);
    if (c.parts(s) != 1 || c.elems(s) != 1)
      c.fail(0, "src_seeds " + shape_str(*s) + " must be a [1, 1] tensor (one 32-bit seed)");
    if (size_of(c.dtype(s)) != 4 || is_packed(c.dtype(s)))
      c.fail(0, "src_seeds must have a 32-bit dtype (uint32, int32 or float32), not " + dt_name(c.dtype(s)));
    c.emit(Opcode::SetRngSeed, {s});
  });

  // rand_set_state(src_seeds, engine=engine.unknown, name=None)
  m.ns["rand_set_state"] = isa_builtin(
      "rand_set_state", {{"src_seeds", true}, {"engine", false, e.engine_unknown}, {"name", false}}, [](Ctx& c) {
        TensorObj* s = c.tensor(0);
        Engine eng = state_engine(c, 1, s);
        state_tile(c, 0, s, eng);
        c.emit(Opcode::RandSetState, {s}).engine = eng;
      });

  // rand_get_state(dst, engine=engine.unknown, name=None)
  m.ns["rand_get_state"] = isa_builtin(
      "rand_get_state", {{"dst", true}, {"engine", false, e.engine_unknown}, {"name", false}}, [](Ctx& c) {
        TensorObj* d = c.tensor(0);
        Engine eng = state_engine(c, 1, d);
        state_tile(c, 0, d, eng);
        if (c.tgt().nc_version < 4 && c.mem(d) != Mem::SBUF)
          c.fail(0, "dst must be in SBUF on NeuronCore-v3 (PSUM needs NeuronCore-v4 and the Vector Engine)");
        c.emit(Opcode::RandGetState, {d}).engine = eng;
      });
}

}  // namespace nkic::trace
