// The execution loop: births (sentinel fill, PSUM state reset), bounds checks, dispatch.
#include "sim/core.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "support/diagnostic.h"
#include "ir/verify.h"
#include "sim/exec.h"
#include "numerics/numerics.h"

namespace nkic::sim {

namespace {

[[noreturn]] void runtime_error(const Program& p, const Instruction& in, const std::string& msg) {
  UserError e(p.diagnostic_at(in, msg));
  e.kind = "runtime";
  throw e;
}

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

// The hardware loops: Loop/EndLoop (dynamic_range) and While/EndWhile (`while reg:`).
class ControlFlow {
 public:
  ControlFlow(const Program& p, std::vector<int32_t>& regs) : p_(p), regs_(regs) {}

  // For a control instruction at `pc`: the next program counter (-2: error, see `error`). Other
  // instructions: -1 (run it and go on).
  int64_t step(const Instruction& in, uint32_t pc) {
    switch (in.op) {
      case Opcode::Loop: {
        std::span<const int64_t> v = p_.ints(in);  // iv, start, stop, step, start is a register, stop is a register
        int64_t start = v[4] ? regs_[static_cast<size_t>(v[1])] : v[1];
        int64_t stop = v[5] ? regs_[static_cast<size_t>(v[2])] : v[2];
        regs_[static_cast<size_t>(v[0])] = static_cast<int32_t>(start);
        if (start >= stop) return in.i0 + 1;  // no iteration
        stops_.push_back(stop);  // bounds are read once, when the loop starts
        return pc + 1;
      }
      case Opcode::EndLoop: {
        std::span<const int64_t> v = p_.ints(p_.instrs[static_cast<size_t>(in.i0)]);
        int32_t& iv = regs_[static_cast<size_t>(v[0])];
        int64_t next = static_cast<int64_t>(iv) + v[3];
        if (next < stops_.back()) {
          iv = static_cast<int32_t>(next);
          return in.i0 + 1;
        }
        stops_.pop_back();
        return pc + 1;
      }
      case Opcode::While: {
        if (regs_[static_cast<size_t>(in.f0)] == 0) return in.i0 + 1;
        if (++iterations_[pc] > kMaxWhileIterations) {
          error = "the loop ran " + std::to_string(kMaxWhileIterations) +
                  " iterations: its condition register never became 0";
          return -2;
        }
        return pc + 1;
      }
      case Opcode::EndWhile: return in.i0;  // test the condition again
      default: return -1;
    }
  }
  std::string error;

 private:
  static constexpr uint64_t kMaxWhileIterations = 100'000'000;
  const Program& p_;
  std::vector<int32_t>& regs_;
  std::vector<int64_t> stops_;
  std::map<uint32_t, uint64_t> iterations_;
};

}  // namespace

void run(const Program& p, const Target& t, const std::vector<HostBuffer>& inputs,
         const std::vector<HostBuffer>& outputs, const Progress& progress) {
  Memory mem(p, t, inputs, outputs);
  ExecContext cx{p, t, mem, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  cx.regs.assign(static_cast<size_t>(p.num_registers), 0);
  ControlFlow flow(p, cx.regs);
  size_t next_birth = 0;
  for (uint32_t i = 0; i < p.instrs.size();) {
    while (next_birth < p.births.size() && p.births[next_birth].first == i) birth(p, mem, p.births[next_birth++].second);
    const Instruction& in = p.instrs[i];
    if (progress && (i & 4095) == 0) progress(i, p.instrs.size());
    if (int64_t next = flow.step(in, i); next >= 0) {  // a loop instruction moved the program counter
      if (next == -2) runtime_error(p, in, flow.error);
      i = static_cast<uint32_t>(next);
      next_birth = static_cast<size_t>(
          std::lower_bound(p.births.begin(), p.births.end(), std::make_pair(i, uint32_t{0})) - p.births.begin());
      if (p.instrs[i].op == Opcode::While)  // testing the condition again: tensors born at the loop stay
        while (next_birth < p.births.size() && p.births[next_birth].first == i) ++next_birth;
      continue;
    }
    bool dynamic = in.flags & kDynamic;
    for (size_t k = 0; k < in.num_ops; ++k) {  // checked once per instruction, never inside the hot loops
      APRef ap = p.op(in, k);
      if (!dynamic) {  // dynamic operands are checked once their offsets are known
        std::string why = check_access_pattern(p, ap);
        if (!why.empty()) runtime_error(p, in, why);
      }
      if (p.tensors[ap.tensor].on_chip() && p.tensors[ap.tensor].byte_offset < 0)
        runtime_error(p, in, "tensor '" + p.tensors[ap.tensor].name + "' has no placement");
    }
    try {
      if (dynamic) {
        exec_dynamic(cx, in, i);
      } else {
        switch (in.op) {
#define X(e, n, eng, roles, imms, traits) \
  case Opcode::e: exec_##e(cx, in); break;
          NKIC_OPCODES(X)
#undef X
        }
      }
    } catch (const ExecError& e) {
      runtime_error(p, in, e.what());
    }
    ++i;
  }
  if (progress) progress(p.instrs.size(), p.instrs.size());
}

}  // namespace nkic::sim
