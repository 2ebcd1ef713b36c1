// World: the ranks of a collective launch, their turn-taking, and nki.collectives (spec §7) moving data
// between them. A collective completes when every core of every rank in its replica group has reached it;
// all of its sources are read before any destination is written (in-place collectives are exact).
#include <algorithm>
#include <cstring>

#include "numerics/alu.h"
#include "numerics/numerics.h"
#include "sim/device.h"

namespace nkic::sim {

namespace {

// One operand of one participant: its view and logical shape (the access pattern's dims).
struct Tile {
  PhysView view;
  std::vector<int64_t> shape;
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

Tile tile_of(Core& core, const Instruction& in, size_t k) {
  APRef ap = core.program().op(in, k);
  Tile t{core.memory().view(ap), {}};
  for (const APDim& d : ap.dims) t.shape.push_back(d.num);
  return t;
}

// A tile's elements in row-major order: raw bytes, or numbers (for reductions).
std::vector<uint8_t> bytes_of(const Tile& t) {
  int64_t w = size_of(t.view.dtype);
  std::vector<uint8_t> out;
  out.reserve(static_cast<size_t>(t.size() * w));
  for (uint8_t* p : element_ptrs(t.view)) out.insert(out.end(), p, p + w);
  return out;
}

void put_bytes(const Tile& t, const uint8_t* src) {
  int64_t w = size_of(t.view.dtype);
  for (uint8_t* p : element_ptrs(t.view)) {
    std::memcpy(p, src, static_cast<size_t>(w));
    src += w;
  }
}

std::vector<double> numbers_of(const Tile& t) {
  std::vector<double> out;
  out.reserve(static_cast<size_t>(t.size()));
  for (uint8_t* p : element_ptrs(t.view))
    out.push_back(is_float(t.view.dtype) ? numerics::load(t.view.dtype, p)
                                         : static_cast<double>(numerics::load_i64(t.view.dtype, p)));
  return out;
}

std::vector<uint8_t> encode(DType dt, const std::vector<double>& v) {
  int64_t w = size_of(dt);
  std::vector<uint8_t> out(v.size() * static_cast<size_t>(w));
  for (size_t i = 0; i < v.size(); ++i) {
    uint8_t* p = out.data() + i * static_cast<size_t>(w);
    if (is_float(dt))
      numerics::store(dt, static_cast<float>(v[i]), p);
    else
      numerics::store_i64(dt, static_cast<int64_t>(v[i]), p);
  }
  return out;
}

// The reduction in the engines' arithmetic: fp32 for floats, exact integers otherwise.
double reduce(AluOp op, DType dt, double a, double b) {
  if (!is_float(dt))
    return static_cast<double>(apply_alu_int(op, static_cast<int64_t>(a), static_cast<int64_t>(b), 64));
  return apply_alu(op, static_cast<float>(a), static_cast<float>(b));
}

// Rows [lo, hi) of dim 0 of a row-major buffer of `shape` with elements of w bytes.
std::vector<uint8_t> rows(const std::vector<uint8_t>& all, const std::vector<int64_t>& shape, int64_t w, int64_t lo,
                          int64_t hi) {
  int64_t row = w;
  for (size_t i = 1; i < shape.size(); ++i) row *= shape[i];
  return {all.begin() + lo * row, all.begin() + hi * row};
}

}  // namespace

void World::run() {
  for (Device* d : ranks_) d->world_ = this;
  for (;;) {
    bool any = false;
    for (Device* d : ranks_)
      if (!d->done()) any = d->step() || any;
    if (std::all_of(ranks_.begin(), ranks_.end(), [](Device* d) { return d->done(); })) break;
    if (!any) deadlock();
  }
  for (Device* d : ranks_) d->world_ = nullptr;
}

void World::deadlock() {
  bool many = ranks_.size() > 1;
  std::vector<Diagnostic> ds;
  for (Device* d : ranks_) {
    std::string others;
    for (Device* o : ranks_)
      if (o != d) others += (others.empty() ? "" : "; ") + o->describe_cores(true);
    d->describe_waiting(ds, others, many);
  }
  UserError e(std::move(ds));
  e.kind = "runtime";
  throw e;
}

void World::arrive(Device& dev, Core& core, uint32_t instr) {
  const Program& p = core.program();
  const Instruction& in = p.instrs[instr];
  CollectiveLayout l = CollectiveLayout::decode(p.ints(in));
  std::vector<int64_t> group;  // the ranks taking part, in group order
  if (l.groups.empty()) {      // collective_permute: every rank of the launch
    for (Device* d : ranks_) group.push_back(d->rank());
  } else {
    for (const auto& g : l.groups)
      if (std::find(g.begin(), g.end(), dev.rank()) != g.end()) group = g;
    if (group.empty())
      runtime_error(p, in,
                    "rank " + std::to_string(dev.rank()) + " is in none of the replica groups of this " +
                        std::string(name_of(static_cast<CollectiveKind>(in.i0))));
  }
  for (int64_t r : group)
    if (r < 0 || r >= static_cast<int64_t>(ranks_.size()))
      runtime_error(p, in,
                    "the replica group names rank " + std::to_string(r) + ", but the launch has " +
                        std::to_string(ranks_.size()) + " ranks");
  int64_t& seq = seq_[{dev.rank(), core.id(), group}];
  auto key = std::make_tuple(group, core.id(), seq++);
  auto& arr = pending_[key];
  if (arr.empty()) arr.resize(group.size());
  size_t pos = static_cast<size_t>(std::find(group.begin(), group.end(), dev.rank()) - group.begin());
  arr[pos] = {&dev, &core, instr};
  if (std::all_of(arr.begin(), arr.end(), [](const Arrival& a) { return a.dev != nullptr; })) {
    std::vector<Arrival> done = std::move(arr);
    pending_.erase(key);
    complete(done);
  }
}

void World::complete(const std::vector<Arrival>& ps) {
  const size_t n = ps.size();
  auto instr = [&](size_t i) -> const Instruction& { return ps[i].core->program().instrs[ps[i].instr]; };
  auto layout = [&](size_t i) { return CollectiveLayout::decode(ps[i].core->program().ints(instr(i))); };
  auto fail = [&](size_t i, const std::string& msg) { runtime_error(ps[i].core->program(), instr(i), msg); };
  auto rank = [&](size_t i) { return std::to_string(ps[i].dev->rank()); };
  auto kind = static_cast<CollectiveKind>(instr(0).i0);
  for (size_t i = 1; i < n; ++i)
    if (static_cast<CollectiveKind>(instr(i).i0) != kind)
      fail(i, "rank " + rank(i) + " calls " + std::string(name_of(static_cast<CollectiveKind>(instr(i).i0))) +
                  " where rank " + rank(0) + " calls " + std::string(name_of(kind)));
  // Operands: srcs, srcs1, dsts, metadata.
  auto src = [&](size_t i, int64_t k) { return tile_of(*ps[i].core, instr(i), static_cast<size_t>(k)); };
  auto src1 = [&](size_t i, int64_t k) {
    return tile_of(*ps[i].core, instr(i), static_cast<size_t>(layout(i).num_srcs + k));
  };
  auto dst = [&](size_t i, int64_t k) {
    CollectiveLayout li = layout(i);
    return tile_of(*ps[i].core, instr(i), static_cast<size_t>(li.num_srcs + li.num_srcs1 + k));
  };
  auto check_size = [&](size_t i, const Tile& t, int64_t want, const char* what) {
    if (t.size() != want)
      fail(i, std::string(what) + " has " + std::to_string(t.size()) + " elements where " + std::to_string(want) +
                  " are expected");
  };
  // The element-wise reduction of operand k over every participant.
  auto reduced = [&](int64_t k, AluOp op) {
    Tile t0 = src(0, k);
    std::vector<double> acc = numbers_of(t0);
    for (size_t i = 1; i < n; ++i) {
      Tile t = src(i, k);
      check_size(i, t, t0.size(), "src");
      std::vector<double> v = numbers_of(t);
      for (size_t e = 0; e < acc.size(); ++e) acc[e] = reduce(op, t0.view.dtype, acc[e], v[e]);
    }
    return acc;
  };
  CollectiveLayout l0 = layout(0);
  AluOp op = instr(0).alu;
  // Every write is staged, then applied: sources are read before any destination changes.
  std::vector<std::pair<Tile, std::vector<uint8_t>>> writes;
  switch (kind) {
    case CollectiveKind::AllReduce:
      for (int64_t k = 0; k < l0.num_srcs; ++k) {
        std::vector<double> acc = reduced(k, op);
        for (size_t i = 0; i < n; ++i) {
          Tile d = dst(i, k);
          check_size(i, d, static_cast<int64_t>(acc.size()), "dst");
          writes.push_back({d, encode(d.view.dtype, acc)});
        }
      }
      break;
    case CollectiveKind::ReduceScatter:
      for (int64_t k = 0; k < l0.num_srcs; ++k) {
        Tile t0 = src(0, k);
        if (t0.shape[0] % static_cast<int64_t>(n) != 0)
          fail(0,
               "src dim 0 (" + std::to_string(t0.shape[0]) + ") does not split over " + std::to_string(n) + " ranks");
        std::vector<double> acc = reduced(k, op);
        int64_t chunk = t0.size() / static_cast<int64_t>(n);
        for (size_t i = 0; i < n; ++i) {
          Tile d = dst(i, k);
          check_size(i, d, chunk, "dst");
          std::vector<double> part(acc.begin() + static_cast<int64_t>(i) * chunk,
                                   acc.begin() + static_cast<int64_t>(i + 1) * chunk);
          writes.push_back({d, encode(d.view.dtype, part)});
        }
      }
      break;
    case CollectiveKind::AllGather:
      for (int64_t k = 0; k < l0.num_srcs; ++k) {
        Tile t0 = src(0, k);
        int64_t c = l0.collective_dim;
        std::vector<std::vector<uint8_t>> parts;
        for (size_t i = 0; i < n; ++i) {
          Tile t = src(i, k);
          if (t.shape != t0.shape || t.view.dtype != t0.view.dtype)
            fail(i, "src differs in shape or dtype from rank " + rank(0) + "'s");
          parts.push_back(bytes_of(t));
        }
        // Concatenation along dim c: `outer` blocks (dims before c) of `inner` bytes (dims from c on) each.
        int64_t outer = 1, inner = size_of(t0.view.dtype);
        for (size_t d = 0; d < t0.shape.size(); ++d) (static_cast<int64_t>(d) < c ? outer : inner) *= t0.shape[d];
        std::vector<uint8_t> all;
        for (int64_t o = 0; o < outer; ++o)
          for (size_t i = 0; i < n; ++i)
            all.insert(all.end(), parts[i].begin() + o * inner, parts[i].begin() + (o + 1) * inner);
        for (size_t i = 0; i < n; ++i) {
          Tile d = dst(i, k);
          check_size(i, d, t0.size() * static_cast<int64_t>(n), "dst");
          if (d.view.dtype != t0.view.dtype) fail(i, "dst dtype differs from src dtype");
          writes.push_back({d, all});
        }
      }
      break;
    case CollectiveKind::AllToAll:
      for (int64_t k = 0; k < l0.num_srcs; ++k) {
        std::vector<Tile> ts;
        std::vector<std::vector<uint8_t>> data;
        for (size_t i = 0; i < n; ++i) {
          ts.push_back(src(i, k));
          if (ts[i].shape != ts[0].shape) fail(i, "src differs in shape from rank " + rank(0) + "'s");
          data.push_back(bytes_of(ts[i]));
        }
        int64_t w = size_of(ts[0].view.dtype);
        if (ts[0].shape[0] % static_cast<int64_t>(n) != 0)
          fail(0, "src dim 0 (" + std::to_string(ts[0].shape[0]) + ") does not split over " + std::to_string(n) +
                      " ranks");
        int64_t chunk = ts[0].shape[0] / static_cast<int64_t>(n);
        for (size_t r = 0; r < n; ++r) {  // receiver r gets chunk r of every sender, in sender order
          std::vector<uint8_t> out;
          for (size_t s = 0; s < n; ++s) {
            auto c =
                rows(data[s], ts[s].shape, w, static_cast<int64_t>(r) * chunk, static_cast<int64_t>(r + 1) * chunk);
            out.insert(out.end(), c.begin(), c.end());
          }
          Tile d = dst(r, k);
          check_size(r, d, ts[0].size(), "dst");
          writes.push_back({d, out});
        }
      }
      break;
    case CollectiveKind::AllToAllV: {
      // metadata (rows x world, one column per global rank): send counts, send displacements, then recv
      // counts (recv_counts_known) and recv displacements (has_rdispls); in elements of the flat buffers.
      int64_t world = static_cast<int64_t>(ranks_.size());
      std::vector<std::vector<double>> meta(n);
      std::vector<int64_t> cols(n);
      std::vector<std::vector<uint8_t>> data(n);
      for (size_t i = 0; i < n; ++i) {
        CollectiveLayout li = layout(i);
        Tile m = tile_of(*ps[i].core, instr(i), static_cast<size_t>(li.num_srcs + li.num_srcs1 + li.num_dsts));
        int64_t need = li.has_rdispls ? 4 : li.recv_counts_known ? 3 : 2;
        if (m.shape.size() != 2 || m.shape[0] < need || m.shape[1] < world)
          fail(i, "metadata_tensor must be (" + std::to_string(need) + ", " + std::to_string(world) +
                      "): rows of send counts, send displacements" + (need > 2 ? ", recv counts" : "") +
                      (need > 3 ? ", recv displacements" : "") + "; a column per rank");
        meta[i] = numbers_of(m);
        cols[i] = m.shape[1];
        data[i] = bytes_of(src(i, 0));
      }
      auto at = [&](size_t i, int64_t row, int64_t col) {
        return static_cast<int64_t>(meta[i][static_cast<size_t>(row * cols[i] + col)]);
      };
      for (size_t r = 0; r < n; ++r) {
        Tile d = dst(r, 0);
        std::vector<uint8_t> out = bytes_of(d);  // elements nobody sends keep their contents
        int64_t w = size_of(d.view.dtype), next = 0, rank_r = ps[r].dev->rank();
        CollectiveLayout lr = layout(r);
        for (size_t s = 0; s < n; ++s) {
          int64_t rank_s = ps[s].dev->rank();
          int64_t count = at(s, 0, rank_r), sdispl = at(s, 1, rank_r);
          if (lr.recv_counts_known && at(r, 2, rank_s) != count)
            fail(r, "expects " + std::to_string(at(r, 2, rank_s)) + " elements from rank " + std::to_string(rank_s) +
                        ", which sends " + std::to_string(count));
          int64_t rdispl = lr.has_rdispls ? at(r, 3, rank_s) : next;
          next = rdispl + count;
          int64_t ssize = static_cast<int64_t>(data[s].size()) / w, dsize = static_cast<int64_t>(out.size()) / w;
          if (count < 0 || sdispl < 0 || sdispl + count > ssize)
            fail(s, "sends elements [" + std::to_string(sdispl) + ", " + std::to_string(sdispl + count) + ") to rank " +
                        std::to_string(rank_r) + ", outside its " + std::to_string(ssize) + "-element src");
          if (rdispl < 0 || rdispl + count > dsize)
            fail(r, "receives elements [" + std::to_string(rdispl) + ", " + std::to_string(rdispl + count) +
                        ") from rank " + std::to_string(rank_s) + ", outside its " + std::to_string(dsize) +
                        "-element dst");
          std::memcpy(out.data() + rdispl * w, data[s].data() + sdispl * w, static_cast<size_t>(count * w));
        }
        writes.push_back({d, out});
      }
      break;
    }
    case CollectiveKind::AllGatherV: {
      // NKI 0.6.0: each sender sends src[send_displ : send_displ + send_count] (metadata rows 0 and 1, column 0)
      // to every rank; dst holds one equal slot per rank of the group (sender position s -> slot s), or the
      // chunk lands at rdispls[sender] (row 3) with has_rdispls. Row 2 (recv_counts_known): expected counts.
      std::vector<std::vector<double>> meta(n);
      std::vector<int64_t> cols(n);
      std::vector<std::vector<uint8_t>> chunk(n);
      for (size_t i = 0; i < n; ++i) {
        CollectiveLayout li = layout(i);
        Tile m = tile_of(*ps[i].core, instr(i), static_cast<size_t>(li.num_srcs + li.num_srcs1 + li.num_dsts));
        std::vector<int64_t> shape = m.shape;
        if (shape.size() == 3 && shape[0] == 1) shape.erase(shape.begin());  // the (1, rows, ranks) SBUF form
        int64_t need = li.has_rdispls ? 4 : li.recv_counts_known ? 3 : 2;
        if (shape.size() != 2 || shape[0] < need || shape[1] < 1)
          fail(i, "metadata_tensor must be (" + std::to_string(need) +
                      ", ranks) (or (1, rows, ranks) in SBUF): send count, send displacement" +
                      (need > 2 ? ", recv counts" : "") + (need > 3 ? ", recv displacements" : ""));
        meta[i] = numbers_of(m);
        cols[i] = shape[1];
        Tile a = src(i, 0);
        std::vector<uint8_t> bytes = bytes_of(a);
        int64_t w = size_of(a.view.dtype), count = static_cast<int64_t>(meta[i][0]),
                displ = static_cast<int64_t>(meta[i][static_cast<size_t>(cols[i])]);
        if (count < 0 || displ < 0 || displ + count > a.size())
          fail(i, "sends elements [" + std::to_string(displ) + ", " + std::to_string(displ + count) +
                      "), outside its " + std::to_string(a.size()) + "-element src");
        chunk[i].assign(bytes.begin() + displ * w, bytes.begin() + (displ + count) * w);
      }
      for (size_t r = 0; r < n; ++r) {
        Tile d = dst(r, 0);
        CollectiveLayout lr = layout(r);
        std::vector<uint8_t> out = bytes_of(d);  // elements nobody sends keep their contents
        int64_t w = size_of(d.view.dtype), dsize = d.size(), slot = dsize / static_cast<int64_t>(n);
        for (size_t s = 0; s < n; ++s) {
          if (src(s, 0).view.dtype != d.view.dtype) fail(s, "src dtype differs from rank " + rank(r) + "'s dst dtype");
          int64_t count = static_cast<int64_t>(chunk[s].size()) / w, col = ps[s].dev->rank();
          if (col >= cols[r]) col = static_cast<int64_t>(s);  // a column per group position when fewer columns
          auto at = [&](int64_t row) {
            return static_cast<int64_t>(meta[r][static_cast<size_t>(row * cols[r] + col)]);
          };
          if (lr.recv_counts_known && at(2) != count)
            fail(r, "expects " + std::to_string(at(2)) + " elements from rank " + rank(s) + ", which sends " +
                        std::to_string(count));
          int64_t rdispl = lr.has_rdispls ? at(3) : static_cast<int64_t>(s) * slot;
          if (rdispl < 0 || rdispl + count > dsize || (!lr.has_rdispls && count > slot))
            fail(r, "receives " + std::to_string(count) + " elements from rank " + rank(s) + " at element " +
                        std::to_string(rdispl) + ", outside its " + std::to_string(dsize) + "-element dst" +
                        (lr.has_rdispls ? "" : " (one slot of " + std::to_string(slot) + " per rank)"));
          std::memcpy(out.data() + rdispl * w, chunk[s].data(), chunk[s].size());
        }
        writes.push_back({d, out});
      }
      break;
    }
    case CollectiveKind::Permute: {
      auto pos = [&](int64_t r) {
        for (size_t i = 0; i < n; ++i)
          if (ps[i].dev->rank() == r) return i;
        return n;
      };
      for (auto [s, t] : l0.pairs) {
        size_t si = pos(s), ti = pos(t);
        if (si == n || ti == n)
          fail(0, "source_target_pairs names rank " + std::to_string(si == n ? s : t) + ", which is not launched");
        Tile a = src(si, 0), d = dst(ti, 0);
        check_size(ti, d, a.size(), "dst");
        if (d.view.dtype != a.view.dtype) fail(ti, "dst dtype differs from the sender's src dtype");
        writes.push_back({d, bytes_of(a)});
      }
      break;
    }
    case CollectiveKind::PermuteImplicit:
    case CollectiveKind::PermuteImplicitReduce:
      for (int64_t ch = 0; ch < l0.num_dsts; ++ch)
        for (size_t s = 0; s < n; ++s) {  // the ring: position s sends to position s + 1
          Tile a = src(s, ch), d = dst((s + 1) % n, ch);
          check_size((s + 1) % n, d, a.size(), "dst");
          if (kind == CollectiveKind::PermuteImplicitReduce) {
            Tile b = src1(s, ch);
            check_size(s, b, a.size(), "srcs1");
            std::vector<double> x = numbers_of(a), y = numbers_of(b);
            for (size_t e = 0; e < x.size(); ++e) x[e] = reduce(op, a.view.dtype, x[e], y[e]);
            writes.push_back({d, encode(d.view.dtype, x)});
          } else {
            if (d.view.dtype != a.view.dtype) fail((s + 1) % n, "dst dtype differs from the sender's src dtype");
            writes.push_back({d, bytes_of(a)});
          }
        }
      break;
  }
  if (!ps[0].dev->timing_only())
    for (auto& [t, bytes] : writes) put_bytes(t, bytes.data());
  double at = 0, moved = 0;  // every participant leaves when the last arrives, plus the transfer
  for (auto& [t, bytes] : writes) moved += static_cast<double>(bytes.size());
  for (const Arrival& a : ps)
    if (Timer* tm = a.dev->timer()) at = std::max(at, tm->sync_ready(a.core->id(), a.instr, a.core->memory()));
  for (const Arrival& a : ps)
    if (Timer* tm = a.dev->timer())
      tm->sync_done(a.core->id(), a.instr, a.core->memory(), at,
                    tm->sync_cost(Opcode::Collective, moved / static_cast<double>(n)));
  for (const Arrival& a : ps) a.dev->complete_collective(a.core->id());
}

}  // namespace nkic::sim
