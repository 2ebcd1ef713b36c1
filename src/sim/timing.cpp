// The timing model (see timing.h).
#include "sim/timing.h"

#include <algorithm>
#include <cmath>

#include "sim/cost.h"

namespace nkic::sim {

namespace {

constexpr int64_t kChunk = 64;  // bytes per dependency cell (the allocator's SBUF alignment)
constexpr int kQuadrant = 32;   // partitions per dependency cell
constexpr size_t kCalendarDepth = 256;
constexpr double kTimeEps = 1e-9;  // ns: intervals closer than this touch

int track_of_engine(Engine e) {
  switch (e) {
    case Engine::Tensor: return static_cast<int>(Track::Tensor);
    case Engine::Vector: return static_cast<int>(Track::Vector);
    case Engine::Scalar: return static_cast<int>(Track::Scalar);
    case Engine::GpSimd: return static_cast<int>(Track::GpSimd);
    default: return static_cast<int>(Track::Sync);
  }
}

// Activation functions every table holds (no table load when switching to them).
bool tableless(AluOp op) { return op == AluOp::Copy || op == AluOp::Bypass; }

}  // namespace

void Timer::Calendar::fill(double ready, double dur, int32_t waited, std::vector<Busy>& out) const {
  double t = ready;
  if (floor > t) {
    t = floor;
    waited = floor_slice;
  }
  auto it = std::lower_bound(busy.begin(), busy.end(), t, [](const Busy& a, double x) { return a.end <= x; });
  // it: the first interval ending after t. Take each gap from t on until `dur` is placed.
  for (double left = dur; left > kTimeEps;) {
    if (it != busy.end() && it->start <= t + kTimeEps) {  // inside (or at) a busy interval: wait for it
      t = std::max(t, it->end);
      waited = it->slice;
      ++it;
      continue;
    }
    double take = it == busy.end() ? left : std::min(left, it->start - t);
    out.push_back({t, t + take, waited});
    left -= take;
    t += take;
  }
  if (dur <= kTimeEps) out.push_back({t, t, waited});
}

void Timer::Calendar::take(double start, double end, int32_t slice) {
  auto it = std::lower_bound(busy.begin(), busy.end(), start, [](const Busy& a, double x) { return a.start < x; });
  bool joins_prev = it != busy.begin() && std::prev(it)->end >= start - kTimeEps;
  bool joins_next = it != busy.end() && it->start <= end + kTimeEps;
  if (joins_prev && joins_next) {  // fills a gap exactly
    std::prev(it)->end = it->end;
    std::prev(it)->slice = it->slice;
    busy.erase(it);
  } else if (joins_prev) {
    std::prev(it)->end = end;
    std::prev(it)->slice = slice;
  } else if (joins_next) {
    it->start = start;
  } else {
    busy.insert(it, {start, end, slice});
  }
  if (busy.size() > kCalendarDepth) {  // forget the oldest: nothing may start before it ends
    if (busy.front().end > floor) floor = busy.front().end, floor_slice = busy.front().slice;
    busy.erase(busy.begin());
  }
}

Timer::Timer(const Target& t, const std::vector<const Program*>& programs, bool keep_slices)
    : tgt_(t), tm_(timing(t.kind)), progs_(programs), keep_slices_(keep_slices) {
  size_t nq = static_cast<size_t>((t.partitions + kQuadrant - 1) / kQuadrant);
  cores_.resize(programs.size());
  rings_.resize(programs.size());
  for (auto& c : cores_) {
    c.last.fill(-1);
    c.sbuf.resize(nq * static_cast<size_t>(t.sbuf_partition_bytes / kChunk));
    c.psum.resize(nq * static_cast<size_t>(t.psum_partition_bytes / kChunk));
  }
  tl_.cores.resize(programs.size());
  tl_.instr_ns.resize(programs.size());
  tl_.instr_runs.resize(programs.size());
  for (size_t c = 0; c < programs.size(); ++c) {
    tl_.instr_ns[c].assign(programs[c]->instrs.size(), 0.0);
    tl_.instr_runs[c].assign(programs[c]->instrs.size(), 0);
  }
  tl_.peak_flops_per_ns = tm_.peak_bf16_flops_per_ns;
  tl_.peak_hbm_bytes_per_ns = tm_.hbm_bytes_per_ns;
}

int Timer::track_of(const Instruction& in) const {
  return track_of_engine(in.engine == Engine::Unknown ? info(in.op).engine : in.engine);
}

void Timer::ranges_of(CoreState& cs, const Program& p, const Instruction& in, const Memory& mem) {
  cs.views.clear();
  cs.ranges.clear();
  bool dynamic = in.flags & kDynamic;
  for (size_t k = 0; k < in.num_ops; ++k) {
    APRef ap = p.op(in, k);
    const TensorDecl& t = p.tensors[ap.tensor];
    PhysView v = mem.view(ap);
    cs.views.push_back(v);
    const OperandSpec* role = role_of(in, k);
    Access a = role ? role->access : Access::ReadWrite;
    Range r{t.mem, 0, 0, 0, 0, nullptr, nullptr, a != Access::Read, a != Access::Write};
    if (dynamic) {  // run-time offsets: the whole tensor
      std::vector<APDim> dims(t.shape.size());
      int64_t stride = 1;
      for (size_t d = t.shape.size(); d-- > 0;) {
        dims[d] = {stride, t.shape[d]};
        stride *= t.shape[d];
      }
      v = mem.view(APRef(ap.tensor, t.dtype, 0, dims));
    }
    int64_t lo = 0, hi = 0;  // byte extent of the free dims from the origin
    for (auto& d : v.free) (d.step < 0 ? lo : hi) += d.step * (d.num - 1);
    hi += size_of(v.dtype);
    if (t.mem == Mem::HBM) {
      int64_t plo = v.pstep < 0 ? v.pstep * (v.pnum - 1) : 0, phi = v.pstep > 0 ? v.pstep * (v.pnum - 1) : 0;
      r.lo = v.origin + plo + lo;
      r.hi = v.origin + phi + hi;
    } else {
      int64_t b = mem.byte_in_partition(v.origin, t.mem);
      r.b0 = b + lo;
      r.b1 = b + hi;
      r.q0 = static_cast<int>(v.lane / kQuadrant);
      r.q1 = static_cast<int>((v.lane + std::max<int64_t>(v.pnum, 1) - 1) / kQuadrant) + 1;
    }
    cs.ranges.push_back(r);
  }
}

double Timer::deps_ready(CoreState& cs, int32_t& waited) const {
  double ready = 0;
  auto see = [&](double t, int32_t s) {
    if (t > ready) {
      ready = t;
      waited = s;
    }
  };
  for (const Range& r : cs.ranges) {
    if (r.mem == Mem::HBM) {
      auto it = hbm_.upper_bound(r.lo);
      if (it != hbm_.begin()) --it;
      for (; it != hbm_.end() && it->first < r.hi; ++it) {
        if (it->second.hi <= r.lo) continue;
        // Read after write and write after read. HBM ranges are bounding boxes of strided accesses, so
        // two writes of neighbouring tiles would look like one range written twice: writes are not
        // ordered after writes (the kernel's stores of disjoint tiles overlap on hardware).
        if (r.read) see(it->second.w, it->second.ws);
        if (r.write) see(it->second.r, it->second.rs);
      }
      continue;
    }
    const std::vector<Cell>& cells = r.mem == Mem::SBUF ? cs.sbuf : cs.psum;
    size_t per_q = cells.size() / 4;
    int64_t c0 = std::max<int64_t>(r.b0, 0) / kChunk, c1 = (std::max(r.b1, r.b0 + 1) - 1) / kChunk;
    c1 = std::min<int64_t>(c1, static_cast<int64_t>(per_q) - 1);
    for (int q = r.q0; q < r.q1 && q < 4; ++q)
      for (int64_t c = c0; c <= c1; ++c) {
        const Cell& x = cells[static_cast<size_t>(q) * per_q + static_cast<size_t>(c)];
        see(x.w, x.ws);
        if (r.write) see(x.r, x.rs);
      }
  }
  return ready;
}

void Timer::commit_deps(CoreState& cs, double read_end, double write_visible, int32_t slice) {
  for (const Range& r : cs.ranges) {
    if (r.mem == Mem::HBM) {
      if (r.lo >= r.hi) continue;
      // Boundaries at lo and hi, then update (a write replaces the range with one segment).
      auto split = [&](const uint8_t* at) {
        auto it = hbm_.upper_bound(at);
        if (it == hbm_.begin()) return;
        --it;
        if (it->first < at && at < it->second.hi) {
          Seg tail = it->second;
          it->second.hi = at;
          hbm_.emplace(at, tail);
        }
      };
      split(r.lo);
      split(r.hi);
      if (r.write) {
        double rr = 0;
        int32_t rs = -1;
        for (auto it = hbm_.lower_bound(r.lo); it != hbm_.end() && it->first < r.hi;) {
          if (it->second.r > rr) rr = it->second.r, rs = it->second.rs;
          it = hbm_.erase(it);
        }
        hbm_.emplace(r.lo, Seg{r.hi, write_visible, std::max(rr, r.read ? read_end : 0.0), slice, r.read ? slice : rs});
      } else {
        const uint8_t* at = r.lo;
        for (auto it = hbm_.lower_bound(r.lo); at < r.hi;) {
          const uint8_t* next = (it != hbm_.end() && it->first < r.hi) ? it->first : r.hi;
          if (at < next) {  // a gap: never accessed before
            it = hbm_.emplace_hint(it, at, Seg{next, 0, read_end, -1, slice});
            ++it;
            at = next;
            continue;
          }
          if (read_end > it->second.r) it->second.r = read_end, it->second.rs = slice;
          at = it->second.hi;
          ++it;
        }
      }
      continue;
    }
    std::vector<Cell>& cells = r.mem == Mem::SBUF ? cs.sbuf : cs.psum;
    size_t per_q = cells.size() / 4;
    int64_t c0 = std::max<int64_t>(r.b0, 0) / kChunk, c1 = (std::max(r.b1, r.b0 + 1) - 1) / kChunk;
    c1 = std::min<int64_t>(c1, static_cast<int64_t>(per_q) - 1);
    for (int q = r.q0; q < r.q1 && q < 4; ++q)
      for (int64_t c = c0; c <= c1; ++c) {
        Cell& x = cells[static_cast<size_t>(q) * per_q + static_cast<size_t>(c)];
        if (r.write) {
          x.w = write_visible;
          x.ws = slice;
        }
        if (r.read && read_end > x.r) {
          x.r = read_end;
          x.rs = slice;
        }
      }
  }
}

int32_t Timer::add_slice(int core, uint32_t instr, int track, double start, double end, int32_t waited) {
  int32_t id = slice_count_++;
  if (keep_slices_) {
    if (tl_.slices.size() < tl_.max_slices)
      tl_.slices.push_back({start, end, instr, static_cast<uint8_t>(core), static_cast<uint8_t>(track), waited});
    else
      tl_.truncated = true;
  }
  return id;
}

void Timer::executed(int core, uint32_t i, const Memory& mem) {
  const Program& p = *progs_[static_cast<size_t>(core)];
  const Instruction& in = p.instrs[i];
  const CostRow& row = cost_row(in.op);
  if (row.formula == Formula::None || row.formula == Formula::Sync) return;  // control; synchronizations: sync_done
  CoreState& cs = cores_[static_cast<size_t>(core)];
  CoreTotals& tot = tl_.cores[static_cast<size_t>(core)];
  ranges_of(cs, p, in, mem);
  ++tot.instructions;
  ++tl_.instr_runs[static_cast<size_t>(core)][i];
  if (row.formula == Formula::Dma) {
    time_dma(core, i, p, in, cs);
    return;
  }
  int track = track_of(in);
  int32_t waited = -1;
  double ready = deps_ready(cs, waited);
  double start = ready;
  if (cs.free[static_cast<size_t>(track)] >= ready) {
    start = cs.free[static_cast<size_t>(track)];
    waited = cs.last[static_cast<size_t>(track)];
  }
  double extra_ns = 0, stationary_extra = 0;
  if (row.formula == Formula::Matmul) {
    const uint8_t* st = cs.views.size() > 1 ? cs.views[1].origin : nullptr;
    if (st != cs.stationary) {  // LoadStationary, hidden behind the previous matmul when back to back
      double ls = stationary_cycles(tm_, p, in);
      bool back_to_back = start == cs.free[static_cast<size_t>(track)] && cs.stationary;
      stationary_extra = back_to_back ? std::max(0.0, ls - cs.last_mm_cycles) : ls;
      cs.stationary = st;
    }
  } else if (track == static_cast<int>(Track::Tensor)) {
    cs.stationary = nullptr;  // a transpose replaces the PE array's contents
  }
  if (in.op == Opcode::Activation && track == static_cast<int>(Track::Scalar) && !tableless(in.alu) &&
      cs.act_table != static_cast<int>(in.alu)) {
    extra_ns += tm_.act_table_load_ns;
    cs.act_table = static_cast<int>(in.alu);
  }
  EngineCost c = engine_cost(tm_, p, in, cs.views.data(), stationary_extra);
  if (row.formula == Formula::Matmul) cs.last_mm_cycles = c.busy_ns * tm_.tensor_ghz - stationary_extra;
  double end = start + c.busy_ns + extra_ns;
  int32_t id = add_slice(core, i, track, start, end, waited);
  cs.free[static_cast<size_t>(track)] = end;
  cs.last[static_cast<size_t>(track)] = id;
  commit_deps(cs, end, end + c.latency_ns, id);
  tot.busy[static_cast<size_t>(track)] += end - start;
  tot.flops += c.flops;
  tot.end = std::max(tot.end, end);
  tl_.instr_ns[static_cast<size_t>(core)][i] += end - start;
}

void Timer::time_dma(int core, uint32_t i, const Program& p, const Instruction& in, CoreState& cs) {
  CoreTotals& tot = tl_.cores[static_cast<size_t>(core)];
  DmaWork w = dma_work(tm_, p, in, cs.views.data());
  int32_t waited = -1;
  double ready = deps_ready(cs, waited);
  if (in.flags & kDynamic) {  // descriptors generated at run time: DGE on the issuing queue
    int track = tgt_.nc_version >= 3 ? static_cast<int>(Track::Sync) : static_cast<int>(Track::GpSimd);
    double s = std::max(ready, cs.free[static_cast<size_t>(track)]);
    if (s > ready) waited = cs.last[static_cast<size_t>(track)];
    int32_t id = add_slice(core, i, track, s, s + tm_.dge_issue_ns, waited);
    cs.free[static_cast<size_t>(track)] = s + tm_.dge_issue_ns;
    cs.last[static_cast<size_t>(track)] = id;
    tot.busy[static_cast<size_t>(track)] += tm_.dge_issue_ns;
    ready = s + tm_.dge_issue_ns;
    waited = id;
  } else {
    ready += tm_.dma_issue_ns;
  }
  double data_ready = ready + tm_.dma_latency_ns;
  double part_bytes = w.bytes / w.rings, part_desc = w.descriptors / w.rings;
  double dur = part_bytes / (tm_.dma_ring_bytes_per_ns * w.efficiency) + part_desc * tm_.dma_descriptor_ns;
  double first = 1e300, end = data_ready;
  auto& rings = rings_[static_cast<size_t>(core)];
  pieces_.clear();
  parts_.clear();
  for (int k = 0; k < w.rings; ++k) {
    int ring = (w.first_ring + k) % kDmaRings;
    size_t from = pieces_.size();
    rings[static_cast<size_t>(ring)].fill(data_ready, dur, waited, pieces_);
    parts_.push_back({ring, from, pieces_.size()});
    first = std::min(first, pieces_[from].start);
    end = std::max(end, pieces_.back().end);
  }
  int32_t hbm_waited = -1;
  double ring_end = end;
  if (w.hbm_bytes > 0) {  // the cores of the device share the HBM bandwidth
    double hbm_dur = w.hbm_bytes / (tm_.hbm_bytes_per_ns * static_cast<double>(cores_.size()));
    hbm_bw_.fill(first, hbm_dur, -1, pieces_);
    parts_.push_back({-1, parts_.back().last, pieces_.size()});
    end = std::max(end, pieces_.back().end);
    hbm_waited = pieces_.back().slice;
  }
  // One slice per piece; the transfer's last piece ends when the whole transfer (and its HBM share) is done.
  int32_t last = -1;
  size_t ring_parts = static_cast<size_t>(w.rings);
  for (size_t k = 0; k < ring_parts; ++k) {
    const Part& pt = parts_[k];
    for (size_t j = pt.first; j < pt.last; ++j) {
      const Calendar::Busy& pc = pieces_[j];
      bool final_piece = k + 1 == ring_parts && j + 1 == pt.last;
      double e = final_piece ? end : pc.end;
      last = add_slice(core, i, static_cast<int>(Track::Dma0) + pt.ring, pc.start, e,
                       final_piece && e > ring_end + kTimeEps && hbm_waited >= 0 ? hbm_waited : pc.slice);
      rings[static_cast<size_t>(pt.ring)].take(pc.start, pc.end, last);
    }
  }
  if (parts_.size() > ring_parts)
    for (size_t j = parts_.back().first; j < parts_.back().last; ++j)
      hbm_bw_.take(pieces_[j].start, pieces_[j].end, last);
  commit_deps(cs, end, end, last);
  cs.dma_spans.push_back({first, end});
  tot.dma_bytes[static_cast<size_t>(w.dir)] += w.bytes;
  tot.end = std::max(tot.end, end);
  tl_.instr_ns[static_cast<size_t>(core)][i] += end - first;
}

double Timer::sync_ready(int core, uint32_t i, const Memory& mem) {
  const Program& p = *progs_[static_cast<size_t>(core)];
  const Instruction& in = p.instrs[i];
  CoreState& cs = cores_[static_cast<size_t>(core)];
  ranges_of(cs, p, in, mem);
  int32_t waited = -1;
  double ready = deps_ready(cs, waited);
  return std::max(ready, cs.free[static_cast<size_t>(track_of(in))]);
}

double Timer::sync_cost(Opcode op, double bytes) const {
  double base = tm_.min_ii / tm_.sync_ghz;  // the semaphore exchange
  if (op == Opcode::SendRecv) return base + tm_.dma_latency_ns + bytes / tm_.sendrecv_bytes_per_ns;
  if (op == Opcode::Collective) return base + tm_.dma_latency_ns + bytes / tm_.collective_bytes_per_ns;
  return base;
}

void Timer::sync_done(int core, uint32_t i, const Memory& mem, double at, double cost_ns) {
  const Program& p = *progs_[static_cast<size_t>(core)];
  const Instruction& in = p.instrs[i];
  CoreState& cs = cores_[static_cast<size_t>(core)];
  CoreTotals& tot = tl_.cores[static_cast<size_t>(core)];
  ranges_of(cs, p, in, mem);
  int track = track_of(in);
  int32_t waited = -1;
  deps_ready(cs, waited);
  double start = std::max(at, cs.free[static_cast<size_t>(track)]), end = start + cost_ns;
  int32_t id = add_slice(core, i, track, start, end, waited);
  cs.free[static_cast<size_t>(track)] = end;
  cs.last[static_cast<size_t>(track)] = id;
  commit_deps(cs, end, end, id);
  ++tot.instructions;
  ++tl_.instr_runs[static_cast<size_t>(core)][i];
  tot.busy[static_cast<size_t>(track)] += cost_ns;
  tot.end = std::max(tot.end, end);
  tl_.instr_ns[static_cast<size_t>(core)][i] += cost_ns;
}

const Timeline& Timer::finish() {
  tl_.latency_ns = 0;
  for (size_t c = 0; c < cores_.size(); ++c) {
    auto& spans = cores_[c].dma_spans;
    std::sort(spans.begin(), spans.end());
    double busy = 0, s = -1, e = -1;
    for (auto& [a, b] : spans) {
      if (a > e) {
        busy += e - s;
        s = a;
        e = b;
      } else {
        e = std::max(e, b);
      }
    }
    busy += e - s;
    tl_.cores[c].busy[static_cast<size_t>(BusyKey::Dma)] = busy;
    tl_.latency_ns = std::max(tl_.latency_ns, tl_.cores[c].end);
  }
  return tl_;
}

}  // namespace nkic::sim
