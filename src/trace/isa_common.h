// Shared machinery of the nki.isa builtins (one isa_<family>.cpp file per engine family): argument
// binding by the exact 0.3.0 signature, the hardware-rule checks every instruction uses, and emission.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "trace/interpreter.h"

namespace nkic::trace {

std::string shape_str(const TensorObj& t);

// The enum members used as parameter defaults.
struct IsaEnums {
  Value engine_unknown, oob_error, dge_unknown, perf_none, reduce_idle, reduce_reset_reduce;
};

// One call of an ISA builtin: the bound arguments and the checks.
struct Ctx {
  Interpreter& in;
  CallArgs& a;
  const std::string& iname;
  const std::vector<Param>& ps;
  std::vector<Value> v;

  std::string pname(size_t i) const { return ps[i].name; }
  Span span(size_t i) const { return in.arg_span(a, ps, i); }
  const Target& tgt() const { return in.tgt; }
  [[noreturn]] void fail(size_t i, const std::string& msg, const std::string& hint = "") {
    in.error(span(i), iname + ": " + msg, hint, "validation");
  }
  bool given(size_t i) const { return !v[i].is_none(); }
  TensorObj* tensor(size_t i) { return expect_tensor(in, v[i], span(i), iname + " " + ps[i].name); }
  // A DMA operand: may have a dynamic offset.
  TensorObj* dma_tensor(size_t i) { return expect_tensor(in, v[i], span(i), iname + " " + ps[i].name, true); }
  Mem mem(const TensorObj* t) const { return in.program.tensors[t->ap.tensor].mem; }
  DType dtype(const TensorObj* t) const { return t->ap.dtype; }
  int64_t parts(const TensorObj* t) const { return t->ap.dims[0].num; }
  int64_t elems(const TensorObj* t) const { return t->ap.free_elements(); }

  // SBUF or PSUM, partition dim within the target's partitions.
  void on_chip(size_t i, const TensorObj* t);
  // GpSimd operands: SBUF only.
  void sbuf_only(size_t i, const TensorObj* t, const char* engine = "GpSimd");
  // Same partition count and elements per partition (free dims are a flat stream).
  void same_tile(size_t i, const TensorObj* t, size_t j, const TensorObj* u);
  void not_both_psum(size_t i, const TensorObj* t, size_t j, const TensorObj* u);
  // The rule of the two-input compute instructions: dst and both inputs on chip, input `a` shaped like
  // dst and like input `b` (same P, same elements per partition), and the inputs not both in PSUM.
  void two_inputs(size_t d, const TensorObj* dst, size_t a, const TensorObj* ta, size_t b, const TensorObj* tb);
  // A (P, 1) tile on chip.
  void column(size_t i, const TensorObj* t, int64_t P);
  // A compile-time number or a (P, 1) tile: returns the tile (nullptr for a number stored in *num).
  TensorObj* scalar_or_column(size_t i, int64_t P, double* num, bool allow_tile = true);
  // An operator constant allowed for `uses` (a mask of OpUse bits, any of them).
  AluOp op(size_t i, uint8_t uses, const char* what);
  // An enum member of class `cls` (raw ints are rejected, as in 0.3.0).
  int64_t enum_value(size_t i, const char* cls);
  bool boolean(size_t i);
  // engine= : unknown keeps the opcode's default; otherwise one of `allowed`.
  Engine engine(size_t i, Engine def, std::initializer_list<Engine> allowed);
  // Integer immediates are 32-bit words in the ISA: a compile-time int argument must lie in
  // [-2^31, 2^31-1] (signed fields: iota/affine_select offsets, multipliers, steps) or, for scalar
  // operands, [-2^31, 2^32-1] (read as int32 or uint32 depending on the tile). Returns the value.
  int64_t int32_imm(size_t i, int64_t x, const std::string& what, bool allow_uint32 = false);
  // The check above for a scalar-operand argument when it holds a compile-time int (floats pass).
  void scalar_imm(size_t i);
  void float_dtype(size_t i, const TensorObj* t);
  void int_dtype(size_t i, const TensorObj* t);

  // Appends the instruction; operands by role (nullptr for an absent optional role).
  Instruction& emit(Opcode op, std::initializer_list<const TensorObj*> roles);
};

Value isa_builtin(std::string name, std::vector<Param> params, std::function<void(Ctx&)> body);

// Families (isa_<family>.cpp).
void add_isa_vector(ModuleObj& m, const IsaEnums& e);
void add_isa_scalar(ModuleObj& m, const IsaEnums& e);
void add_isa_gpsimd(ModuleObj& m, const IsaEnums& e);
void add_isa_tensor(ModuleObj& m, const IsaEnums& e);
void add_isa_dma(ModuleObj& m, const IsaEnums& e);
void add_isa_vector_select(ModuleObj& m, const IsaEnums& e);
void add_isa_extra(ModuleObj& m, const IsaEnums& e);   // exponential, sequence_bounds, nonzero_with_count
void add_isa_random(ModuleObj& m, const IsaEnums& e);  // rng, rand2, dropout, set_rng_seed, rand_*_state
void add_isa_mx(ModuleObj& m, const IsaEnums& e);      // quantize_mx, nc_matmul_mx
void add_isa_lnc(ModuleObj& m, const IsaEnums& e);     // core_barrier, sendrecv

}  // namespace nkic::trace
