// The execution loop of one core: births (sentinel fill, PSUM state reset), hardware loops, bounds
// checks, dispatch through the opcode table; and, under LNC2, instructions that wait for the other core.
#include "sim/core.h"

#include <algorithm>
#include <cstring>

#include "ir/verify.h"
#include "numerics/numerics.h"
#include "sim/device.h"
#include "sim/timing.h"
#include "support/diagnostic.h"

namespace nkic::sim {

namespace {

constexpr uint64_t kMaxWhileIterations = 100'000'000;
constexpr size_t kMaxDeferred = 64;  // how far a core runs ahead of an instruction that waits

// Fills `bytes` bytes at p with the w-byte pattern by doubling copies (a few memcpy calls per row).
void fill_pattern(uint8_t* p, int64_t bytes, const uint8_t* pat, int64_t w) {
  if (bytes <= 0) return;
  int64_t done = std::min(w, bytes);
  std::memcpy(p, pat, static_cast<size_t>(done));
  while (done < bytes) {
    int64_t n = std::min(done, bytes - done);
    std::memcpy(p + done, p, static_cast<size_t>(n));
    done += n;
  }
}

void birth(const Program& p, Memory& mem, uint32_t tensor) {
  const TensorDecl& t = p.tensors[tensor];
  uint8_t pat[16];
  numerics::fill_sentinel(t.dtype, pat, 1);  // one element's sentinel bytes
  int64_t w = size_of(t.dtype);
  for (int64_t part = 0; part < t.partitions(); ++part) {
    uint8_t* base = mem.partition_base(t, part);
    fill_pattern(base, t.free_elements() * w, pat, w);
    if (t.mem == Mem::PSUM) {
      int64_t w0 = mem.psum_word_index(base), w1 = mem.psum_word_index(base + t.partition_bytes() + 3);
      std::fill(mem.psum_written.begin() + w0, mem.psum_written.begin() + w1, 0);
    }
  }
}

bool is_control(Opcode op) {
  return op == Opcode::Loop || op == Opcode::EndLoop || op == Opcode::While || op == Opcode::EndWhile;
}

// Instructions a waiting core never runs ahead past: control flow and registers change what runs next.
bool stops_lookahead(const Instruction& in) {
  return is_control(in.op) || in.op == Opcode::RegisterMove || in.op == Opcode::RegisterLoad ||
         in.op == Opcode::RegisterStore || in.op == Opcode::RegisterAlu || (in.flags & kDynamic);
}

}  // namespace

void runtime_error(const Program& p, const Instruction& in, const std::string& msg) {
  UserError e(p.diagnostic_at(in, msg));
  e.kind = "runtime";
  throw e;
}

int64_t control_step(const Program& p, const Instruction& in, uint32_t pc, std::vector<int64_t>& regs,
                     std::vector<int64_t>& stops, std::map<uint32_t, uint64_t>& iterations) {
  switch (in.op) {
    case Opcode::Loop: {
      std::span<const int64_t> v = p.ints(in);  // iv, start, stop, step, start is a register, stop is a register
      int64_t start = v[4] ? regs[static_cast<size_t>(v[1])] : v[1];
      int64_t stop = v[5] ? regs[static_cast<size_t>(v[2])] : v[2];
      regs[static_cast<size_t>(v[0])] = start;
      if (start >= stop) return in.i0 + 1;  // no iteration
      stops.push_back(stop);                // bounds are read once, when the loop starts
      return pc + 1;
    }
    case Opcode::EndLoop: {
      std::span<const int64_t> v = p.ints(p.instrs[static_cast<size_t>(in.i0)]);
      int64_t& iv = regs[static_cast<size_t>(v[0])];
      int64_t next = iv + v[3];
      if (next < stops.back()) {
        iv = next;
        return in.i0 + 1;
      }
      stops.pop_back();
      return pc + 1;
    }
    case Opcode::While: {
      if (regs[static_cast<size_t>(in.f0)] == 0) return in.i0 + 1;
      if (++iterations[pc] > kMaxWhileIterations)
        runtime_error(p, in,
                      "the loop ran " + std::to_string(kMaxWhileIterations) +
                          " iterations: its condition register never became 0");
      return pc + 1;
    }
    case Opcode::EndWhile: return in.i0;  // test the condition again
    default: return -1;
  }
}

Core::Core(const Program& p, const Target& t, int id, std::vector<uint8_t*> hbm)
    : prog_(p), tgt_(t), id_(id), mem_(p, t, std::move(hbm)), cx_{p, t, mem_, {}, {}, {}, {}, {}, {}, {}, {}, {}} {
  cx_.regs.assign(static_cast<size_t>(p.num_registers), 0);
}

void Core::births_at(uint32_t i) {
  if (timing_only_) return;
  auto it = std::lower_bound(prog_.births.begin(), prog_.births.end(), std::make_pair(i, uint32_t{0}));
  for (; it != prog_.births.end() && it->first == i; ++it) birth_of(it->second);
}

void Core::birth_of(uint32_t tensor) {
  birth(prog_, mem_, tensor);
  if (checker_) checker_->born(tensor);
}

// Timing-only runs skip the data: an instruction whose control flow or addresses depend on it is an error.
void Core::check_timing_only(uint32_t i) const {
  const Instruction& in = prog_.instrs[i];
  if (in.op == Opcode::RegisterLoad)
    runtime_error(prog_, in,
                  "timing_only: this register is loaded from memory, so control flow or addresses depend on the data; "
                  "profile without timing_only");
  if (in.flags & kDynamic) {
    for (const DynamicOperand& d : prog_.dynamic_of(i))
      if (d.offset.kind != DynKind::ScalarRegister)
        runtime_error(prog_, in,
                      "timing_only: this DMA's address is read from a tensor, so it depends on the data; profile "
                      "without timing_only");
  }
}

void Core::execute(uint32_t i, uint32_t epoch, Device* dev) {
  const Instruction& in = prog_.instrs[i];
  bool dynamic = in.flags & kDynamic;
  for (size_t k = 0; k < in.num_ops; ++k) {  // checked once per instruction, never inside the hot loops
    APRef ap = prog_.op(in, k);
    if (!dynamic) {  // dynamic operands are checked once their offsets are known
      std::string why = check_access_pattern(prog_, ap);
      if (!why.empty()) runtime_error(prog_, in, why);
    }
    if (prog_.tensors[ap.tensor].on_chip() && prog_.tensors[ap.tensor].byte_offset < 0)
      runtime_error(prog_, in, "tensor '" + prog_.tensors[ap.tensor].name + "' has no placement");
  }
  if (timing_only_) check_timing_only(i);
  bool compute = !timing_only_ || in.op == Opcode::RegisterMove || in.op == Opcode::RegisterAlu;
  bool check = checker_ && !timing_only_;
  if (check) checker_->before(i);
  try {
    if (!compute) {
    } else if (dynamic) {
      exec_dynamic(cx_, in, i);
    } else {
      switch (in.op) {
#define X(e, n, eng, roles, imms, traits) \
  case Opcode::e: exec_##e(cx_, in); break;
        NKIC_OPCODES(X)
#undef X
      }
    }
  } catch (const ExecError& e) {
    runtime_error(prog_, in, e.what());
  }
  if (check) checker_->after(i);
  if (timer_ && !(info(in.op).traits & kSync)) {
    timer_->executed(id_, i, mem_);
  } else if (timer_ && !dev) {  // a synchronization of a core alone completes when it arrives
    timer_->sync_done(id_, i, mem_, timer_->sync_ready(id_, i, mem_), timer_->sync_cost(in.op, 0));
  }  // under a Device, synchronizations are timed when every participant has arrived (Device::complete)
  if (dev) dev->after_execute(*this, i, epoch);
}

void Core::run_alone(const Progress& progress) {
  const Program& p = prog_;
  for (uint32_t i = 0; i < p.instrs.size();) {
    while (next_birth_ < p.births.size() && p.births[next_birth_].first == i) {
      if (!timing_only_) birth_of(p.births[next_birth_].second);
      ++next_birth_;
    }
    const Instruction& in = p.instrs[i];
    if (progress && (i & 4095) == 0) progress(i, p.instrs.size());
    if (is_control(in.op)) {  // a loop instruction moves the program counter
      i = static_cast<uint32_t>(control_step(p, in, i, cx_.regs, loop_stops_, while_iterations_));
      next_birth_ = static_cast<size_t>(
          std::lower_bound(p.births.begin(), p.births.end(), std::make_pair(i, uint32_t{0})) - p.births.begin());
      if (i < p.instrs.size() && p.instrs[i].op == Opcode::While)  // testing again: tensors born at the loop stay
        while (next_birth_ < p.births.size() && p.births[next_birth_].first == i) ++next_birth_;
      continue;
    }
    execute(i, 0, nullptr);
    ++i;
  }
  pc_ = static_cast<uint32_t>(p.instrs.size());
  if (progress) progress(p.instrs.size(), p.instrs.size());
}

std::vector<Core::Region> Core::regions_of(uint32_t i) {
  std::vector<Region> out;
  const Instruction& in = prog_.instrs[i];
  std::span<const OperandSpec> roles = info(in.op).operands();
  bool sync = info(in.op).traits & kSync;
  for (size_t k = 0; k < in.num_ops; ++k) {
    APRef ap = prog_.op(in, k);
    if (!check_access_pattern(prog_, ap).empty()) continue;  // reported when it runs
    PhysView v = mem_.view(ap);
    const uint8_t *lo = v.origin, *hi = v.origin;
    auto extend = [&](int64_t step, int64_t num) { (step < 0 ? lo : hi) += step * (num - 1); };
    extend(v.pstep, v.pnum);
    for (auto& d : v.free) extend(d.step, d.num);
    Access a = Access::ReadWrite;  // a synchronization orders everything that touches its operands
    if (const OperandSpec* role = role_of(in, k); !sync && role) a = role->access;
    out.push_back({lo, hi + size_of(ap.dtype), a != Access::Read});
  }
  auto it = std::lower_bound(prog_.births.begin(), prog_.births.end(), std::make_pair(i, uint32_t{0}));
  for (; it != prog_.births.end() && it->first == i; ++it) {  // a birth writes the tensor's storage
    const TensorDecl& t = prog_.tensors[it->second];
    const uint8_t* base = mem_.partition_base(t, 0);
    int64_t pstep = t.mem == Mem::SBUF ? tgt_.sbuf_partition_bytes : tgt_.psum_partition_bytes;
    out.push_back({base, base + (t.partitions() - 1) * pstep + t.partition_bytes(), true});
  }
  return out;
}

bool Core::conflicts(uint32_t i, const std::vector<Region>& mine) const {
  const Instruction& in = prog_.instrs[i];
  for (const Deferred& d : pending_) {
    if (prog_.instrs[d.instr].engine == in.engine) return true;  // one in-order queue per engine
    for (const Region& a : mine)
      for (const Region& b : d.regions)
        if ((a.write || b.write) && a.lo < b.hi && b.lo < a.hi) return true;
  }
  return false;
}

const Instruction* Core::waiting_at() const {
  if (!pending_.empty()) return &prog_.instrs[pending_.front().instr];
  return pc_ < prog_.instrs.size() ? &prog_.instrs[pc_] : nullptr;
}

bool Core::advance(Device& dev, size_t budget) {
  const Program& p = prog_;
  bool progressed = false;
  size_t ran = 0;
  for (;;) {
    if (ran >= budget) return progressed;
    // 1. The oldest waiting instructions, in order, as far as they can go.
    while (!pending_.empty() && ran < budget) {
      Deferred& d = pending_.front();
      const Instruction& in = p.instrs[d.instr];
      if (!d.born) births_at(d.instr);
      d.born = true;
      if ((info(in.op).traits & kSync) && !dev.arrive(*this, d.instr)) break;
      execute(d.instr, d.epoch, &dev);
      pending_.pop_front();
      progressed = true;
      ++ran;
    }
    if (pc_ >= p.instrs.size() || ran >= budget) return progressed;
    // 2. The next instruction in program order: run it, or let it wait behind what it depends on.
    const Instruction& in = p.instrs[pc_];
    bool sync = info(in.op).traits & kSync;
    if (pending_.empty()) {
      while (next_birth_ < p.births.size() && p.births[next_birth_].first < pc_) ++next_birth_;
      if (is_control(in.op)) {
        uint32_t next = static_cast<uint32_t>(control_step(p, in, pc_, cx_.regs, loop_stops_, while_iterations_));
        next_birth_ = static_cast<size_t>(
            std::lower_bound(p.births.begin(), p.births.end(), std::make_pair(next, uint32_t{0})) - p.births.begin());
        if (next < p.instrs.size() && p.instrs[next].op == Opcode::While)
          while (next_birth_ < p.births.size() && p.births[next_birth_].first == next) ++next_birth_;
        pc_ = next;
        progressed = true;
        continue;
      }
      while (next_birth_ < p.births.size() && p.births[next_birth_].first == pc_) {
        if (!timing_only_) birth_of(p.births[next_birth_].second);
        ++next_birth_;
      }
      if (sync && !dev.arrive(*this, pc_)) {
        pending_.push_back({pc_, epoch_++, regions_of(pc_), true});
        ++pc_;
        progressed = true;
        continue;
      }
      execute(pc_, sync ? epoch_++ : epoch_, &dev);
      ++pc_;
      progressed = true;
      ++ran;
      continue;
    }
    // Something waits: later instructions run ahead only when independent of everything that waits.
    if (stops_lookahead(in) || pending_.size() >= kMaxDeferred) return progressed;
    std::vector<Region> mine = regions_of(pc_);
    if (sync || conflicts(pc_, mine)) {
      pending_.push_back({pc_, sync ? epoch_++ : epoch_, std::move(mine)});
    } else {
      births_at(pc_);
      execute(pc_, epoch_, &dev);
      ++ran;
    }
    while (next_birth_ < p.births.size() && p.births[next_birth_].first <= pc_) ++next_birth_;
    ++pc_;
    progressed = true;
  }
}

}  // namespace nkic::sim
