#include "trace/loop_records.h"

namespace nkic::trace {

LoopKind LoopRecorder::kind_of(std::string_view name) {
  if (name == "affine_range") return LoopKind::Affine;
  if (name == "sequential_range") return LoopKind::Sequential;
  if (name == "static_range") return LoopKind::Static;
  return LoopKind::Range;
}

int32_t LoopRecorder::open(LoopKind kind, uint32_t loc) {
  LoopRecord r;
  r.kind = kind;
  r.loc = loc;
  if (!open_.empty()) {
    r.parent = open_.back();
    const LoopRecord& p = program_.loops[static_cast<size_t>(r.parent)];
    r.parent_iter = static_cast<int32_t>(p.iter_begin.size()) - 1;
  }
  program_.loops.push_back(std::move(r));
  open_.push_back(static_cast<int32_t>(program_.loops.size() - 1));
  return open_.back();
}

void LoopRecorder::next_iteration(int32_t loop) {
  program_.loops[static_cast<size_t>(loop)].iter_begin.push_back(static_cast<uint32_t>(program_.instrs.size()));
}

void LoopRecorder::close(int32_t loop) {
  program_.loops[static_cast<size_t>(loop)].end = static_cast<uint32_t>(program_.instrs.size());
  while (!open_.empty()) {  // inner loops left by an exception close with it
    int32_t top = open_.back();
    open_.pop_back();
    if (top == loop) break;
    program_.loops[static_cast<size_t>(top)].end = static_cast<uint32_t>(program_.instrs.size());
  }
}

}  // namespace nkic::trace
