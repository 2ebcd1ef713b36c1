// The simulator's dynamic checks (issue #17, docs/checks.md): reads of on-chip bytes never written since
// their tensor was born (uninit-read), and the first instruction making NaN/Inf from finite inputs
// (nonfinite). One Checker per core; the Core calls it at births and around each instruction it executes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ir/program.h"
#include "sim/memory.h"
#include "support/diagnostic.h"
#include "target/target.h"

namespace nkic::sim {

struct CheckOptions {
  bool uninit = false;           // uninit-read
  bool uninit_is_error = false;  // its findings are errors (else warnings)
  bool nonfinite = false;        // nonfinite
  bool any() const { return uninit || nonfinite; }
};

class Checker {
 public:
  Checker(const Program& p, const Target& t, Memory& mem, CheckOptions o);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // Tensor `tensor` was born: its storage holds nothing written.
  void born(uint32_t tensor);
  // Around instruction i (program index), after its bounds checks.
  void before(uint32_t i);
  void after(uint32_t i);
  const std::vector<Diagnostic>& findings() const { return findings_; }

 private:
  // Lane-local propagation: an elementwise/free-axis instruction reading unwritten partitions leaves the
  // same partitions of its results unwritten instead of reporting; the finding (of the first such read,
  // kept per tensor it reached) is reported when those values leave their lanes (a DMA, a matmul, ...).
  struct Pending {
    Diagnostic d;
    uint32_t loc;  // the reading instruction's
    std::string tensor;
  };
  // The written map's byte for a byte of SBUF/PSUM (nullptr: HBM).
  uint8_t* shadow(const uint8_t* p);
  bool row_written(const PhysView& v, int64_t p);
  bool all_written(const PhysView& v);
  void mark(const PhysView& v);
  void unmark_row(const PhysView& v, int64_t p);
  Diagnostic uninit_finding(const Instruction& in, size_t k, const PhysView& v);
  void report(Pending p);
  std::vector<bool> dynamic_operands(uint32_t i, const Instruction& in) const;

  const Program& prog_;
  const Target& tgt_;
  Memory& mem_;
  CheckOptions opt_;
  uint8_t *sbuf_, *psum_;  // the memories' first bytes
  size_t sbuf_bytes_, psum_bytes_;
  std::vector<uint8_t> wsbuf_, wpsum_;                   // 1 per byte written since its tensor's birth
  std::set<std::pair<uint32_t, std::string>> reported_;  // (instruction loc, tensor name): once each
  std::map<uint32_t, Pending> pending_;                  // by tensor id
  std::vector<uint8_t> poison_;    // this instruction's partitions (view rows) computed from unwritten bytes
  std::optional<Pending> origin_;  // the finding they come from
  // nonfinite: finite inputs before the instruction, and the ReadWrite operands' values then.
  bool nonfinite_armed_ = false;
  bool nonfinite_done_ = false;
  std::vector<std::vector<float>> rw_before_;
  std::vector<float> scratch_;
  std::vector<Diagnostic> findings_;
};

}  // namespace nkic::sim
