// The opcode table (ir/opcodes.h), built at compile time from NKIC_OPCODES.
#include "ir/opcodes.h"

#include <stdexcept>

namespace nkic {

namespace {
using namespace opdesc;

template <class T, size_t N>
struct List {
  std::array<T, N> items{};
  uint8_t n = 0;
};
template <class... A>
constexpr List<OperandSpec, kMaxRoles> roles(A... a) {
  List<OperandSpec, kMaxRoles> l;
  ((l.items[l.n++] = a), ...);
  return l;
}
template <class... A>
constexpr List<ImmSpec, kMaxImms> imms(A... a) {
  List<ImmSpec, kMaxImms> l;
  ((l.items[l.n++] = a), ...);
  return l;
}
constexpr OpcodeInfo row(std::string_view name, Engine e, List<OperandSpec, kMaxRoles> r, List<ImmSpec, kMaxImms> i,
                         uint8_t traits) {
  return {name, e, r.items, i.items, r.n, i.n, traits};
}

#define NKIC_UNPAREN(...) __VA_ARGS__
constexpr OpcodeInfo kTable[] = {
#define X(e, n, eng, r, i, t) row(n, Engine::eng, roles(NKIC_UNPAREN r), imms(NKIC_UNPAREN i), t),
    NKIC_OPCODES(X)
#undef X
};
#undef NKIC_UNPAREN

// Rows are well formed: a variadic role comes last; an immediate's scalar form names an existing role.
constexpr bool well_formed(const OpcodeInfo& r) {
  for (uint8_t k = 0; k < r.num_roles; ++k)
    if (r.roles[k].arity == Arity::Rest && k + 1 != r.num_roles) return false;
  for (uint8_t k = 0; k < r.num_imms; ++k)
    if (r.imms[k].unless_role >= static_cast<int8_t>(r.num_roles)) return false;
  return true;
}
constexpr bool all_well_formed() {
  for (const OpcodeInfo& r : kTable)
    if (!well_formed(r)) return false;
  return true;
}
static_assert(all_well_formed(), "an opcode row is malformed");
static_assert(std::size(kTable) == kNumOpcodes);
}  // namespace

const OpcodeInfo& info(Opcode op) { return kTable[static_cast<size_t>(op)]; }
std::string_view name_of(Opcode op) { return info(op).name; }
Engine default_engine(Opcode op) { return info(op).engine; }

std::string_view name_of(Mem m) {
  switch (m) {
    case Mem::HBM: return "hbm";
    case Mem::SBUF: return "sbuf";
    case Mem::PSUM: return "psum";
  }
  return "?";
}

std::string_view name_of(Engine e) {
  static constexpr std::string_view names[] = {"tensor", "vector", "scalar", "gpsimd", "sync", "dma", "unknown"};
  return names[static_cast<int>(e)];
}

std::string_view name_of(CollectiveKind k) {
  static constexpr std::string_view names[] = {"all_reduce",
                                               "all_gather",
                                               "reduce_scatter",
                                               "all_to_all",
                                               "all_to_all_v",
                                               "collective_permute",
                                               "collective_permute_implicit",
                                               "collective_permute_implicit_reduce",
                                               "all_gather_v"};
  auto i = static_cast<size_t>(k);
  return i < std::size(names) ? names[i] : "?";
}

std::vector<int64_t> CollectiveLayout::encode() const {
  std::vector<int64_t> v = {num_srcs,
                            num_srcs1,
                            num_dsts,
                            has_metadata,
                            collective_dim,
                            (recv_counts_known ? 1 : 0) | (has_rdispls ? 2 : 0),
                            static_cast<int64_t>(groups.size())};
  for (const auto& g : groups) {
    v.push_back(static_cast<int64_t>(g.size()));
    v.insert(v.end(), g.begin(), g.end());
  }
  v.push_back(static_cast<int64_t>(pairs.size()));
  for (auto [a, b] : pairs) v.insert(v.end(), {a, b});
  return v;
}

CollectiveLayout CollectiveLayout::decode(std::span<const int64_t> v) {
  size_t i = 0;
  auto next = [&]() {
    if (i >= v.size()) throw std::logic_error("malformed collective layout");
    return v[i++];
  };
  CollectiveLayout l;
  l.num_srcs = next();
  l.num_srcs1 = next();
  l.num_dsts = next();
  l.has_metadata = next() != 0;
  l.collective_dim = next();
  int64_t flags = next();
  l.recv_counts_known = flags & 1;
  l.has_rdispls = flags & 2;
  for (int64_t g = next(); g > 0; --g) {
    std::vector<int64_t> ranks(static_cast<size_t>(next()));
    for (auto& r : ranks) r = next();
    l.groups.push_back(std::move(ranks));
  }
  for (int64_t p = next(); p > 0; --p) {
    int64_t a = next();
    l.pairs.push_back({a, next()});
  }
  return l;
}

std::string_view name_of(ReduceCmd c) {
  static constexpr std::string_view names[] = {"idle", "reset", "reduce", "reset_reduce", "load_reduce"};
  auto i = static_cast<size_t>(c);
  return i < std::size(names) ? names[i] : "?";
}

}  // namespace nkic
