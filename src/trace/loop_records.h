// Records the unrolled compile-time loops of a Program (Program::loops) as the specializer runs them.
// Both front doors use it: the C++ interpreter's `for` over a range, and the tracer's range objects.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "ir/program.h"

namespace nkic::trace {

class LoopRecorder {
 public:
  explicit LoopRecorder(Program& p) : program_(p) {}
  // "affine_range", "sequential_range", "static_range", "range" (anything else: Range).
  static LoopKind kind_of(std::string_view name);
  // Opens a loop at location `loc`; returns its record index.
  int32_t open(LoopKind kind, uint32_t loc);
  void next_iteration(int32_t loop);  // before each iteration's body
  void close(int32_t loop);           // after the last iteration (or a break/return/exception)
  int depth() const { return static_cast<int>(open_.size()); }

 private:
  Program& program_;
  std::vector<int32_t> open_;
};

// Opens a loop for the lifetime of a scope: closes it however the scope is left.
class ScopedLoop {
 public:
  ScopedLoop(LoopRecorder& r, LoopKind kind, uint32_t loc) : r_(r), id_(r.open(kind, loc)) {}
  ~ScopedLoop() { r_.close(id_); }
  ScopedLoop(const ScopedLoop&) = delete;
  ScopedLoop& operator=(const ScopedLoop&) = delete;
  void next_iteration() { r_.next_iteration(id_); }

 private:
  LoopRecorder& r_;
  int32_t id_;
};

}  // namespace nkic::trace
