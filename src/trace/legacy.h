// The Beta 1 language (`neuronxcc.nki`, SDK 2.26's API; ../shared/legacy-spec.md): its own modules, next
// to the 0.3.0 ones, built from these pieces (one concept per file):
//   legacy_modules.cpp   the module objects (neuronxcc, .nki, .language, .isa, .compiler, .typing) and
//                        what they share with 0.3.0 (dtypes, buffers, operators, loops)
//   legacy_language.cpp  nl.* calls that return tiles (load/store with mask=, elementwise, reductions,
//                        matmul/transpose, creation) and operators on tiles
//   legacy_isa.cpp       nisa.* calls in their Beta 1 form: no dst, the result tile returned (dtype=, mask=)
//   legacy_index.cpp     index grids (nl.arange, nl.mgrid), affine index expressions, mask= predicates
//   legacy_alloc.cpp     nl.par_dim and block dimensions, direct allocation (ncc.sbuf/psum.alloc,
//                        mod_alloc, auto_alloc) and its lifetime checks, the ncc decorators
// A kernel is legacy when its module imports `neuronxcc` (Interpreter::legacy()).
#pragma once

#include "trace/interpreter.h"

namespace nkic::trace {

// legacy_modules.cpp: registers the legacy modules in `modules` (by dotted name), sharing the 0.3.0
// language module's constants where Beta 1 has the same ones.
void add_legacy_modules(std::map<std::string, Value>& modules, const Value& language030, const Value& isa030);

// The pieces: each adds its names to the legacy module given (called by add_legacy_modules).
void add_legacy_language(ModuleObj& nl);               // legacy_language.cpp
void add_legacy_isa(ModuleObj& nisa);                  // legacy_isa.cpp
void add_legacy_index(ModuleObj& nl);                  // legacy_index.cpp
void add_legacy_alloc(ModuleObj& nl, ModuleObj& ncc);  // legacy_alloc.cpp

// Block dimensions and direct allocation (legacy_alloc.cpp).
// A shape that may hold one nl.par_dim(n): its sizes, and where the partition dim is (0 without par_dim).
std::vector<int64_t> legacy_shape(Interpreter& in, const Value& shape, Span s, size_t* par_dim_pos = nullptr);
// Calls that allocate tensors the kernel cannot place (TensorE nc_transpose's identity, nl.softmax's
// intermediates, ...) call this first: an error in a kernel that uses direct allocation (`call` names the
// API, `hint` the alternative).
void legacy_hidden_temporaries(Interpreter& in, Span s, const std::string& call, const std::string& hint);
// Whether the kernel declared a tensor with an ncc.sbuf/psum allocator so far.
bool legacy_direct_allocation(Interpreter& in);

// mask= (legacy_index.cpp): a compile-time predicate over index grids, loop variables and program ids,
// comparisons joined by `&`. Each comparison bounds the tile axis its grid varies along.
struct Mask {
  bool off = false;  // the predicate is false for the whole call: the instruction is dropped
  // Per tile axis: the kept index range [lo, hi) (axes past the end, or {0, INT64_MAX}: unbounded).
  std::vector<std::pair<int64_t, int64_t>> bounds;
  bool empty() const { return !off && bounds.empty(); }
};
// Evaluates a mask= argument (None gives an empty Mask). Errors (non-affine, `%`, tensor values, `and`)
// at `s`.
Mask eval_mask(Interpreter& in, const Value& mask, Span s);
// A tile (a tensor view) restricted to the mask's bounds, axis by axis (the view's axis k by bounds[k]).
// Call it on every operand, also with an empty Mask: it reports grid indices out of bounds that the
// mask does not bring into bounds (an index-grid view may be out of bounds until its mask is known).
Value apply_mask(Interpreter& in, const Value& tile, const Mask& m, Span s);

}  // namespace nkic::trace
