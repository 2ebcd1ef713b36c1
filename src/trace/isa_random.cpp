// nki.isa random-number instructions: rng, rand2, dropout (VectorE, or GpSimd for rng), the seed/state
// instructions set_rng_seed, rand_set_state, rand_get_state. The generator is documented in
// docs/semantics.md ("Random numbers") and implemented in src/sim/random.cpp.
#include "trace/isa_common.h"
#include "trace/releases.h"

namespace nkic::trace {

namespace {

std::string version(const Ctx& c) { return "NeuronCore-v" + std::to_string(c.tgt().nc_version); }

// engine= of the state instructions: NCv3 GpSimd only, NCv4 GpSimd or Vector. unknown: GpSimd from NKI
// 0.5.0, by the state size before (see below). `first`: the first argument, where a too-old target is
// reported.
Engine state_engine(Ctx& c, size_t first, size_t i, const TensorObj* t) {
  c.needs_nc(first, 3, "on NeuronCore-v2 seed the Vector Engine generator with nisa.set_rng_seed");
  if (c.engine_member(i) == Engine::Vector && c.tgt().nc_version < 4)
    c.fail(i, "the Vector Engine generator needs NeuronCore-v4 (target is " + version(c) + ")",
           "use engine=nisa.engine.gpsimd");
  Engine eng = c.tgt().nc_version >= 4 ? c.engine(i, Engine::Unknown, {Engine::GpSimd, Engine::Vector})
                                       : c.engine(i, Engine::Unknown, {Engine::GpSimd});
  if (eng != Engine::Unknown) return eng;
  // The default engine: from NKI 0.5.0 (and in the default release) GpSimd; before, picked by the state
  // size (engine.unknown: 24 words per lane = the Vector generators on NeuronCore-v4).
  bool v4_state = c.tgt().nc_version >= 4 && c.elems(t) == 24;
  if (c.in.launch.release && *c.in.launch.release < Release::V0_5) return v4_state ? Engine::Vector : Engine::GpSimd;
  if (v4_state)
    c.fail(i, "the default engine is GpSimd (NKI 0.5.0), whose state has 6 words per partition, not 24",
           "pass engine=nisa.engine.vector for the Vector Engine's 24-word state");
  return Engine::GpSimd;
}

// The per-lane XORWOW state tile: uint32, 6 words per partition (GpSimd) or 24 (Vector: 4 generators).
void state_tile(Ctx& c, size_t i, const TensorObj* t, Engine eng) {
  if (eng == Engine::GpSimd)
    c.sbuf_only(i, t);
  else
    c.on_chip(i, t);
  if (c.dtype(t) != DType::UInt32)
    c.fail(i, c.pname(i) + " must be uint32 (XORWOW state words), not " + dt_name(c.dtype(t)));
  int64_t want = eng == Engine::GpSimd ? 6 : 24;
  if (c.elems(t) != want)
    c.fail(i, c.pname(i) + " " + shape_str(*t) + " must have " + std::to_string(want) +
                  " elements per partition (the " + (eng == Engine::GpSimd ? "GpSimd" : "Vector") +
                  " Engine's XORWOW state of each compute lane" +
                  (eng == Engine::GpSimd ? ")" : ": 4 generators x 6 words)"));
}

// rng(dst, engine=engine.unknown, name=None)
#define RNG_PARAMS(X) X(dst, kRequired) X(engine, e.engine_unknown) X(name, kNone)
NKIC_PARAM_POSITIONS(RngParam, RNG_PARAMS);

void rng(Ctx& c) {
  using P = RngParam;
  TensorObj* dst = c.tensor(P::dst);
  if (c.engine_member(P::engine) == Engine::GpSimd && c.tgt().nc_version < 3)
    c.fail(P::engine, "the GpSimd Engine generator needs NeuronCore-v3 or later (target is " + version(c) + ")",
           "use engine=nisa.engine.vector");
  Engine eng = c.engine(P::engine, Engine::Vector, {Engine::Vector, Engine::GpSimd});
  if (eng == Engine::GpSimd)
    c.sbuf_only(P::dst, dst);
  else
    c.on_chip(P::dst, dst);
  if (!is_int(c.dtype(dst)))
    c.fail(P::dst,
           "dst must have an integer dtype (int8, uint8, int16, uint16, int32 or uint32), not " + dt_name(c.dtype(dst)),
           "for uniform floats use nisa.rand2 (NeuronCore-v4) or nl.rand");
  c.emit(Opcode::Rng, {dst}).engine = eng;
}

// rand2(dst, min, max, name=None)
#define RAND2_PARAMS(X) X(dst, kRequired) X(min, kRequired) X(max, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(Rand2Param, RAND2_PARAMS);

void rand2(Ctx& c) {
  using P = Rand2Param;
  c.needs_nc(P::dst, 4, "use nisa.rng or nl.rand");
  TensorObj* dst = c.tensor(P::dst);
  c.on_chip(P::dst, dst);
  DType d = c.dtype(dst);
  if (d == DType::Bool || d == DType::Float8E4M3FN || is_packed(d))
    c.fail(P::dst, "dst cannot be " + dt_name(d) +
                       " (supported: float8_e4m3, float8_e5m2, float16, bfloat16, float32, tfloat32, int8..uint32)");
  int64_t np = c.parts(dst);
  double lo = 0, hi = 0;
  TensorObj* tlo = c.scalar_or_column(P::min, np, &lo);
  TensorObj* thi = c.scalar_or_column(P::max, np, &hi);
  for (auto [i, t] : {std::pair<size_t, TensorObj*>{P::min, tlo}, {P::max, thi}})
    if (t && c.dtype(t) != DType::Float32) c.fail(i, c.pname(i) + " must be a number or a float32 (P, 1) tile");
  if (!tlo && !thi && !(lo < hi))
    c.fail(P::max, "max must be greater than min (" + repr(c.v[P::min]) + " >= " + repr(c.v[P::max]) + ")");
  Instruction& ins = c.emit(Opcode::Rand2, {dst, tlo, thi});
  ins.f0 = lo;
  ins.f1 = hi;
}

// dropout(dst, data, prob, name=None)
#define DROPOUT_PARAMS(X) X(dst, kRequired) X(data, kRequired) X(prob, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(DropoutParam, DROPOUT_PARAMS);

void dropout(Ctx& c) {
  using P = DropoutParam;
  TensorObj *dst = c.tensor(P::dst), *data = c.tensor(P::data);
  c.one_input(P::dst, dst, P::data, data);
  if (c.dtype(dst) != c.dtype(data))
    c.fail(P::dst, "dst dtype " + dt_name(c.dtype(dst)) + " must equal data dtype " + dt_name(c.dtype(data)));
  if (is_packed(c.dtype(data))) c.fail(P::data, "data cannot be a packed x4 dtype (" + dt_name(c.dtype(data)) + ")");
  double p = 0;
  TensorObj* tp = c.scalar_or_column(P::prob, c.parts(data), &p);
  if (tp) {
    c.float_dtype(P::prob, tp);
    if (!is_float(c.dtype(data)) && c.dtype(tp) != DType::Float32)
      c.fail(P::prob, "prob must be a float32 tile when data has an integer dtype, not " + dt_name(c.dtype(tp)));
  } else if (!(p >= 0.0 && p <= 1.0)) {
    c.fail(P::prob, "prob must be a probability in [0, 1], not " + repr(c.v[P::prob]));
  }
  c.emit(Opcode::Dropout, {dst, data, tp}).f0 = p;
}

// set_rng_seed(src_seeds, name=None): seeds the Vector Engine generator of every lane from one 32-bit value.
#define SET_RNG_SEED_PARAMS(X) X(src_seeds, kRequired) X(name, kNone)
NKIC_PARAM_POSITIONS(SetRngSeedParam, SET_RNG_SEED_PARAMS);

void set_rng_seed(Ctx& c) {
  using P = SetRngSeedParam;
  TensorObj* s = c.tensor(P::src_seeds);
  c.on_chip(P::src_seeds, s);
  if (c.parts(s) != 1 || c.elems(s) != 1)
    c.fail(P::src_seeds, "src_seeds " + shape_str(*s) + " must be a [1, 1] tensor (one 32-bit seed)");
  if (size_of(c.dtype(s)) != 4 || is_packed(c.dtype(s)))
    c.fail(P::src_seeds, "src_seeds must have a 32-bit dtype (uint32, int32 or float32), not " + dt_name(c.dtype(s)));
  c.emit(Opcode::SetRngSeed, {s});
}

// rand_set_state(src_seeds, engine=engine.unknown, name=None)
#define RAND_SET_STATE_PARAMS(X) X(src_seeds, kRequired) X(engine, e.engine_unknown) X(name, kNone)
NKIC_PARAM_POSITIONS(RandSetStateParam, RAND_SET_STATE_PARAMS);

void rand_set_state(Ctx& c) {
  using P = RandSetStateParam;
  TensorObj* s = c.tensor(P::src_seeds);
  Engine eng = state_engine(c, P::src_seeds, P::engine, s);
  state_tile(c, P::src_seeds, s, eng);
  c.emit(Opcode::RandSetState, {s}).engine = eng;
}

// rand_get_state(dst, engine=engine.unknown, name=None)
#define RAND_GET_STATE_PARAMS(X) X(dst, kRequired) X(engine, e.engine_unknown) X(name, kNone)
NKIC_PARAM_POSITIONS(RandGetStateParam, RAND_GET_STATE_PARAMS);

void rand_get_state(Ctx& c) {
  using P = RandGetStateParam;
  TensorObj* d = c.tensor(P::dst);
  Engine eng = state_engine(c, P::dst, P::engine, d);
  state_tile(c, P::dst, d, eng);
  if (c.tgt().nc_version < 4 && c.mem(d) != Mem::SBUF)
    c.fail(P::dst, "dst must be in SBUF on NeuronCore-v3 (PSUM needs NeuronCore-v4 and the Vector Engine)");
  c.emit(Opcode::RandGetState, {d}).engine = eng;
}

}  // namespace

void add_isa_random(ModuleObj& m, const IsaEnums& e) {
  add_isa_builtins(m, {
                          {"rng", NKIC_SIGNATURE(RNG_PARAMS), rng},
                          {"rand2", NKIC_SIGNATURE(RAND2_PARAMS), rand2},
                          {"dropout", NKIC_SIGNATURE(DROPOUT_PARAMS), dropout},
                          {"set_rng_seed", NKIC_SIGNATURE(SET_RNG_SEED_PARAMS), set_rng_seed},
                          {"rand_set_state", NKIC_SIGNATURE(RAND_SET_STATE_PARAMS), rand_set_state},
                          {"rand_get_state", NKIC_SIGNATURE(RAND_GET_STATE_PARAMS), rand_get_state},
                      });
}

}  // namespace nkic::trace
