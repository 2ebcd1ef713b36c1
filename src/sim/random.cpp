// The engines' pseudo-random generators (docs/semantics.md, "Random numbers"): rng, rand2, dropout,
// set_rng_seed, rand_set_state, rand_get_state.
//
// Every compute lane has its own XORWOW generators (Marsaglia 2003): GpSimd one,
// VectorE four; element i of a partition's row (free order) draws from VectorE generator i mod 4. A
// 32-bit draw becomes a uniform float in [0, 1) as (r >> 8) * 2^-24. Seeding from a 32-bit seed fills
// each generator's 6 words from splitmix64 keyed by (seed, engine, lane, generator).
#include <cstring>

#include "numerics/numerics.h"
#include "sim/exec.h"
#include "sim/rows.h"

namespace nkic::sim {

namespace {

constexpr uint64_t kVectorKey = 0, kGpSimdKey = 1;

uint64_t splitmix64(uint64_t& z) {
  z += 0x9E3779B97F4A7C15ull;
  uint64_t r = z;
  r = (r ^ (r >> 30)) * 0xBF58476D1CE4E5B9ull;
  r = (r ^ (r >> 27)) * 0x94D049BB133111EBull;
  return r ^ (r >> 31);
}

// The 6 state words of generator `gen` of `lane` of engine `engine` after seeding with `seed`:
// three splitmix64 outputs from the key (seed << 32) | (engine << 16) | (lane << 8) | gen, each giving its
// low then its high 32 bits. An all-zero xorshift part (never seen in practice) becomes x = 1.
void seed_state(uint32_t* s, uint32_t seed, uint64_t engine, uint64_t lane, uint64_t gen) {
  uint64_t z = (uint64_t{seed} << 32) | (engine << 16) | (lane << 8) | gen;
  for (int k = 0; k < 3; ++k) {
    uint64_t r = splitmix64(z);
    s[2 * k] = static_cast<uint32_t>(r);
    s[2 * k + 1] = static_cast<uint32_t>(r >> 32);
  }
  if ((s[0] | s[1] | s[2] | s[3] | s[4]) == 0) s[0] = 1;
}

void seed_vector(RngState& st, uint32_t seed) {
  for (uint64_t lane = 0; lane < 128; ++lane)
    for (uint64_t g = 0; g < 4; ++g) seed_state(st.vec[lane].data() + 6 * g, seed, kVectorKey, lane, g);
}

// XORWOW: state {x, y, z, w, v, d}.
inline uint32_t xorwow(uint32_t* s) {
  uint32_t t = s[0] ^ (s[0] >> 2);
  s[0] = s[1];
  s[1] = s[2];
  s[2] = s[3];
  s[3] = s[4];
  s[4] = (s[4] ^ (s[4] << 4)) ^ (t ^ (t << 1));
  s[5] += 362437u;
  return s[4] + s[5];
}

inline float uniform(uint32_t r) { return static_cast<float>(r >> 8) * 0x1p-24f; }

// The draws of one partition row: n 32-bit values from the engine's generators of lane `lane`, the
// partition index within the operand (not the physical partition: results do not depend on placement).
void draw_row(ExecContext& cx, Engine eng, int64_t lane, int64_t n, uint32_t* out) {
  size_t l = static_cast<size_t>(lane) % 128;
  if (eng == Engine::GpSimd) {
    uint32_t* s = cx.rng.gps[l].data();
    for (int64_t i = 0; i < n; ++i) out[i] = xorwow(s);
    return;
  }
  uint32_t* s = cx.rng.vec[l].data();
  for (int64_t i = 0; i < n; ++i) out[i] = xorwow(s + 6 * (i % 4));
}

PhysView opnd(ExecContext& cx, const Instruction& in, int role) { return cx.mem.view(*cx.prog.role_op(in, role)); }
PhysView opt(ExecContext& cx, const Instruction& in, int role) {
  auto ap = cx.prog.role_op(in, role);
  return ap ? cx.mem.view(*ap) : PhysView{};
}

}  // namespace

RngState::RngState() {
  seed_vector(*this, 0);
  for (uint64_t lane = 0; lane < 128; ++lane) seed_state(gps[lane].data(), 0, kGpSimdKey, lane, 0);
}

void exec_Rng(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0);
  int64_t n = d.free_elems();
  std::vector<uint32_t> r(static_cast<size_t>(n));
  cx.ia.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    draw_row(cx, in.engine, p, n, r.data());
    for (int64_t i = 0; i < n; ++i) cx.ia[i] = wrap_to(d.dtype, static_cast<int64_t>(r[i]));  // the low bits
    store_partition_i64(d, p, cx.ia.data());
  }
}

void exec_Rand2(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0);
  bool lo = in.operand(1) >= 0, hi = in.operand(2) >= 0;
  PhysView lv = opt(cx, in, 1), hv = opt(cx, in, 2);
  int64_t n = d.free_elems();
  std::vector<uint32_t> r(static_cast<size_t>(n));
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    float a = lo ? column_value(lv, p) : static_cast<float>(in.f0);
    float b = hi ? column_value(hv, p) : static_cast<float>(in.f1);
    float w = b - a;
    draw_row(cx, Engine::Vector, p, n, r.data());
    for (int64_t i = 0; i < n; ++i) {
      float t = uniform(r[i]) * w;
      cx.a[i] = a + t;
    }
    store_partition(d, p, cx.a.data());
  }
}

// Element i is dropped (set to 0) when its uniform draw u satisfies u < prob; kept elements are copied
// bit for bit (dst and data have the same dtype).
void exec_Dropout(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1);
  bool po = in.operand(2) >= 0;
  PhysView pv = opt(cx, in, 2);
  int64_t n = d.free_elems(), isz = size_of(d.dtype);
  std::vector<uint32_t> r(static_cast<size_t>(n));
  std::vector<uint8_t*> xp = element_ptrs(x), dp = element_ptrs(d);
  std::vector<uint8_t> row(static_cast<size_t>(n * isz));
  uint8_t zero[16];
  numerics::store(d.dtype, 0.f, zero);
  for (int64_t p = 0; p < d.pnum; ++p) {
    float prob = po ? column_value(pv, p) : static_cast<float>(in.f0);
    draw_row(cx, Engine::Vector, p, n, r.data());
    for (int64_t i = 0; i < n; ++i) std::memcpy(row.data() + i * isz, xp[p * n + i], isz);  // in-place safe
    for (int64_t i = 0; i < n; ++i) std::memcpy(dp[p * n + i], uniform(r[i]) < prob ? zero : row.data() + i * isz, isz);
  }
}

void exec_SetRngSeed(ExecContext& cx, const Instruction& in) {
  PhysView s = opnd(cx, in, 0);
  uint32_t seed;
  std::memcpy(&seed, s.origin, 4);  // the raw 32 bits of the [1, 1] element
  seed_vector(cx.rng, seed);
}

void exec_RandSetState(ExecContext& cx, const Instruction& in) {
  PhysView s = opnd(cx, in, 0);
  int64_t n = s.free_elems();
  cx.ia.resize(n);
  for (int64_t p = 0; p < s.pnum; ++p) {
    load_partition_i64(s, p, cx.ia.data());
    size_t lane = static_cast<size_t>(p);
    uint32_t* st = in.engine == Engine::Vector ? cx.rng.vec[lane].data() : cx.rng.gps[lane].data();
    for (int64_t i = 0; i < n; ++i) st[i] = static_cast<uint32_t>(cx.ia[i]);
  }
}

void exec_RandGetState(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0);
  int64_t n = d.free_elems();
  cx.ia.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    size_t lane = static_cast<size_t>(p);
    const uint32_t* st = in.engine == Engine::Vector ? cx.rng.vec[lane].data() : cx.rng.gps[lane].data();
    for (int64_t i = 0; i < n; ++i) cx.ia[i] = st[i];
    store_partition_i64(d, p, cx.ia.data());
  }
}

}  // namespace nkic::sim
