// The execution loop: births (sentinel fill, PSUM state reset), bounds checks, dispatch.
#include "sim/core.h"

#include <algorithm>
#include <cstring>

#include "frontend/diagnostic.h"
#include "ir/verify.h"
#include "sim/exec.h"
#include "sim/numerics.h"

namespace nkic::sim {

namespace {

[[noreturn]] void runtime_error(const Program& p, const Instruction& in, const std::string& msg) {
  Diagnostic d;
  auto stack = p.call_stack(in.loc);
  if (!stack.empty()) {
    d.loc = stack.back();
    stack.pop_back();
    d.stack = std::move(stack);
  }
  d.message = std::string(name_of(in.op)) + ": " + msg;
  UserError e(std::move(d));
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

}  // namespace

void run(const Program& p, const Target& t, const std::vector<HostBuffer>& inputs,
         const std::vector<HostBuffer>& outputs, const Progress& progress) {
  Memory mem(p, t, inputs, outputs);
  ExecContext cx{p, t, mem, {}, {}, {}, {}, {}, {}, {}, {}};
  size_t next_birth = 0;
  for (uint32_t i = 0; i < p.instrs.size(); ++i) {
    while (next_birth < p.births.size() && p.births[next_birth].first == i) birth(p, mem, p.births[next_birth++].second);
    const Instruction& in = p.instrs[i];
    if (progress && (i & 4095) == 0) progress(i, p.instrs.size());
    for (auto& ap : in.ops) {  // checked once per instruction, never inside the hot loops
      std::string why = check_access_pattern(p, ap);
      if (!why.empty()) runtime_error(p, in, why);
      if (p.tensors[ap.tensor].on_chip() && p.tensors[ap.tensor].byte_offset < 0)
        runtime_error(p, in, "tensor '" + p.tensors[ap.tensor].name + "' has no placement");
    }
    try {
      switch (in.op) {
#define X(e, n, eng, roles) \
  case Opcode::e: exec_##e(cx, in); break;
        NKIC_OPCODES(X)
#undef X
      }
    } catch (const ExecError& e) {
      runtime_error(p, in, e.what());
    }
  }
  if (progress) progress(p.instrs.size(), p.instrs.size());
}

}  // namespace nkic::sim
