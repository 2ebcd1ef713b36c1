// The static checkers of issue #17 (docs/checks.md): passes over a compiled (allocated) Program that
// return findings, each a Diagnostic whose `code` names its check (ir/checks.h). They never throw for a
// buggy kernel: a finding is a result, not an error.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ir/program.h"
#include "support/diagnostic.h"

namespace nkic {

// ---- Exact access-pattern overlap (passes/ap_overlap.cpp) ----

// A half-open byte range [begin, end) of a tensor's flattened storage.
using ByteRange = std::pair<int64_t, int64_t>;

// The bytes an access pattern touches, as sorted, merged ranges; nullopt when that takes more than
// `limit` ranges (a strided pattern over many elements).
std::optional<std::vector<ByteRange>> byte_ranges(const APRef& ap, size_t limit = 4096);
// The smallest range holding every byte the pattern touches (empty pattern: {0, 0}).
ByteRange byte_bounds(const APRef& ap);
// Whether two patterns share a byte (of the same tensor); exact.
bool aps_overlap(const APRef& a, const APRef& b);

// One byte range of one access, for conflict sweeps.
struct Touch {
  int64_t begin = 0, end = 0;
  uint32_t access = 0;  // the caller's index of the access
  bool write = false;
};
// Calls f(x, y) (access indices, x's range starting no later than y's) for each pair of touches that
// overlap and of which at least one writes. Read-read pairs are never visited; a pair of accesses may be
// visited more than once (once per overlapping range pair). f returns false to stop.
template <class F>
void for_each_conflict(std::vector<Touch>& touches, F&& f);

// ---- The checks ----

// affine-dependence: for every affine_range loop (LoopKind::Affine records), two different iterations
// where one writes bytes of a tensor the other reads or writes, except matmul PSUM accumulation and
// in-place DMA accumulation (passes/check_affine.cpp).
std::vector<Diagnostic> check_affine(const Program& p);
// psum-group: nc_matmul accumulation-group misuse (passes/check_psum.cpp). `bank_bytes`: the PSUM bank
// size per partition (2 KiB).
std::vector<Diagnostic> check_psum(const Program& p, int64_t bank_bytes);
// lnc-race: the cores' Programs (LNC2) touch one shared_hbm range, at least one writing, with no
// synchronization ordering them (passes/check_lnc.cpp).
std::vector<Diagnostic> check_lnc(const std::vector<Program>& cores);

// ---- template definition ----

template <class F>
void for_each_conflict(std::vector<Touch>& touches, F&& f) {
  std::sort(touches.begin(), touches.end(), [](const Touch& a, const Touch& b) { return a.begin < b.begin; });
  std::vector<const Touch*> writes, reads;  // touches still open at the sweep position
  auto prune = [](std::vector<const Touch*>& v, int64_t at) {
    std::erase_if(v, [at](const Touch* t) { return t->end <= at; });
  };
  for (const Touch& t : touches) {
    prune(writes, t.begin);
    for (const Touch* w : writes)
      if (!f(w->access, t.access)) return;
    if (t.write) {
      prune(reads, t.begin);
      for (const Touch* r : reads)
        if (!f(r->access, t.access)) return;
      writes.push_back(&t);
    } else {
      reads.push_back(&t);
    }
  }
}

}  // namespace nkic
