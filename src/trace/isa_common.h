// Shared machinery of the nki.isa builtins (one isa_<family>.cpp file per engine family): argument
// binding by the exact 0.3.0 signature, the hardware-rule checks every instruction uses, and emission.
//
// Each builtin is a named function `void tensor_copy(Ctx& c)` next to its signature, written once as
// an X-list of (parameter, default):
//
//   // tensor_copy(dst, src, engine=engine.unknown, name=None)
//   #define TENSOR_COPY_PARAMS(X) X(dst, kRequired) X(src, kRequired) X(engine, e.engine_unknown) X(name, kNone)
//   NKIC_PARAM_POSITIONS(TensorCopyParam, TENSOR_COPY_PARAMS);  // TensorCopyParam::dst == 0, ::src == 1, ...
//
// The body addresses its arguments by those positions (c.tensor(P::dst), c.fail(P::engine, ...)), and
// add_isa_<family> registers one row per builtin, {"tensor_copy", NKIC_SIGNATURE(TENSOR_COPY_PARAMS),
// tensor_copy}, so the positions and the bound signature come from the same list. A default may name
// the IsaEnums `e` of add_isa_<family>: the list is expanded there (the positions ignore defaults).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "trace/interpreter.h"

namespace nkic::trace {

// ---- Signatures ----
struct RequiredParam {};
struct NoneDefault {};
inline constexpr RequiredParam kRequired{};
inline constexpr NoneDefault kNone{};
inline Param param(const char* name, RequiredParam) { return {name, true}; }
inline Param param(const char* name, NoneDefault) { return {name, false}; }
inline Param param(const char* name, Value def) { return {name, false, std::move(def)}; }

#define NKIC_PARAM_POSITION(name, def) name,
#define NKIC_PARAM_POSITIONS(Struct, LIST)       \
  struct Struct {                                \
    enum : size_t { LIST(NKIC_PARAM_POSITION) }; \
  }
#define NKIC_PARAM_ENTRY(name, def) param(#name, def),
#define NKIC_SIGNATURE(LIST) \
  std::vector<Param> { LIST(NKIC_PARAM_ENTRY) }

// ---- nki.isa enum classes that trace compares (values as in 0.3.0; make_isa_module builds the members
// from these). nisa.reduce_cmd is ReduceCmd (ir/opcodes.h); nisa.engine maps to Engine (Ctx::engine_member).
enum class DgeMode : int64_t { Unknown = 0, Swdge = 1, Hwdge = 2, None = 3 };
enum class OobMode : int64_t { Error = 0, Skip = 1 };
enum class DmaEngine : int64_t { Dma = 1, GpSimdDma = 2 };

template <class E>
struct IsaEnumClass;  // the nisa class name of E
template <>
struct IsaEnumClass<ReduceCmd> {
  static constexpr const char* name = "reduce_cmd";
};
template <>
struct IsaEnumClass<DgeMode> {
  static constexpr const char* name = "dge_mode";
};
template <>
struct IsaEnumClass<OobMode> {
  static constexpr const char* name = "oob_mode";
};
template <>
struct IsaEnumClass<DmaEngine> {
  static constexpr const char* name = "dma_engine";
};

// The enum members used as parameter defaults.
struct IsaEnums {
  Value engine_unknown, engine_gpsimd, engine_scalar, oob_error, dge_unknown, perf_none, reduce_idle,
      reduce_reset_reduce, dma_engine_dma;
};

// ---- Small shared helpers ----
std::string shape_str(const TensorObj& t);
inline std::string dt_name(DType t) { return std::string(name_of(t)); }
inline void set_reduce_cmd(Instruction& ins, ReduceCmd c) { ins.i0 = static_cast<int32_t>(c); }
inline void set_accumulate(Instruction& ins, Accumulate a) { ins.i0 = static_cast<int32_t>(a); }
// The "needs NeuronCore-v4" hint.
inline constexpr const char* kTrn3Hint = "set NEURON_PLATFORM_TARGET_OVERRIDE=trn3 (or --target trn3)";

// The instruction takes indirect views (kIndirectInstructions; recorded by Ctx::emit).
bool takes_indirect(const std::string& iname);

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
  TensorObj* tensor(size_t i) {
    return expect_tensor(in, v[i], span(i), iname + " " + ps[i].name, false, takes_indirect(iname));
  }
  // An optional tensor argument: nullptr when None.
  TensorObj* opt_tensor(size_t i) { return given(i) ? tensor(i) : nullptr; }
  // A DMA operand: may have a dynamic offset.
  TensorObj* dma_tensor(size_t i) { return expect_tensor(in, v[i], span(i), iname + " " + ps[i].name, true); }
  Mem mem(const TensorObj* t) const { return in.program.tensors[t->ap.tensor].mem; }
  DType dtype(const TensorObj* t) const { return t->ap.dtype; }
  int64_t parts(const TensorObj* t) const { return t->ap.dims[0].num; }
  int64_t elems(const TensorObj* t) const { return t->ap.free_elements(); }

  // The target is NeuronCore-v`version` or later (reported at argument i): "needs NeuronCore-vN or
  // later<with> (target is NeuronCore-vM)".
  void needs_nc(size_t i, int version, const std::string& hint = "", const char* with = "");
  // SBUF or PSUM, partition dim within the target's partitions.
  void on_chip(size_t i, const TensorObj* t);
  // GpSimd operands: SBUF only.
  void sbuf_only(size_t i, const TensorObj* t, const char* engine = "GpSimd");
  // Same partition count and elements per partition (free dims are a flat stream).
  void same_tile(size_t i, const TensorObj* t, size_t j, const TensorObj* u);
  void not_both_psum(size_t i, const TensorObj* t, size_t j, const TensorObj* u);
  // The rule of the one-input compute instructions: dst and the input `s` on chip, dst shaped like it.
  void one_input(size_t d, const TensorObj* dst, size_t s, const TensorObj* src);
  // The rule of the two-input compute instructions: dst and both inputs on chip, input `a` shaped like
  // dst and like input `b` (same P, same elements per partition), and the inputs not both in PSUM.
  void two_inputs(size_t d, const TensorObj* dst, size_t a, const TensorObj* ta, size_t b, const TensorObj* tb);
  // `np` partitions and `k` elements per partition ("... (why)" in the message when given).
  void partitions_by(size_t i, const TensorObj* t, int64_t np, int64_t k, const std::string& why = "");
  // A (P, 1) tile on chip.
  void column(size_t i, const TensorObj* t, int64_t P);
  // A compile-time number or a (P, 1) tile: returns the tile (nullptr for a number stored in *num).
  TensorObj* scalar_or_column(size_t i, int64_t P, double* num, bool allow_tile = true);
  // An operator constant allowed for `uses` (a mask of OpUse bits, any of them).
  AluOp op(size_t i, uint8_t uses, const char* what);
  // An enum member of class `cls` (raw ints are rejected, as in 0.3.0).
  int64_t enum_value(size_t i, const char* cls);
  // The member of nisa enum E (ReduceCmd, DgeMode, OobMode, DmaEngine).
  template <class E>
  E member(size_t i) {
    return static_cast<E>(enum_value(i, IsaEnumClass<E>::name));
  }
  // A nisa.engine member as an Engine (nisa.engine.unknown: Engine::Unknown).
  Engine engine_member(size_t i);
  bool boolean(size_t i);
  // accumulate= of the matmuls: None is Auto, else True/False.
  Accumulate accumulate(size_t i);
  // engine= : unknown keeps the opcode's default; otherwise one of `allowed`.
  Engine engine(size_t i, Engine def, std::initializer_list<Engine> allowed);
  // Integer immediates are 32-bit words in the ISA: a compile-time int argument must lie in
  // [-2^31, 2^31-1] (signed fields: iota/affine_select offsets, multipliers, steps) or, for scalar
  // operands, [-2^31, 2^32-1] (read as int32 or uint32 depending on the tile). Returns the value.
  int64_t int32_imm(size_t i, int64_t x, const std::string& what, bool allow_uint32 = false);
  // A compile-time int argument; int32_arg: one that is also a signed 32-bit immediate.
  int64_t integer(size_t i) { return expect_int(in, v[i], span(i), iname + " " + ps[i].name); }
  int64_t int32_arg(size_t i) { return int32_imm(i, integer(i), pname(i)); }
  // The check above for a scalar-operand argument when it holds a compile-time int (floats pass).
  void scalar_imm(size_t i);
  void float_dtype(size_t i, const TensorObj* t);
  // A parameter that release `r` added: an error when the selected release is older (call it when the
  // argument was passed, i.e. differs from its default).
  void since(size_t i, Release r);
  void int_dtype(size_t i, const TensorObj* t);

  // Appends the instruction; operands by role (nullptr for an absent optional role).
  Instruction& emit(Opcode op, std::initializer_list<const TensorObj*> roles);
};

Value isa_builtin(std::string name, std::vector<Param> params, std::function<void(Ctx&)> body);

// One row of a family's registration table.
struct IsaBuiltin {
  const char* name;
  std::vector<Param> params;
  void (*body)(Ctx&);
};
void add_isa_builtins(ModuleObj& m, const std::vector<IsaBuiltin>& rows);

// Families (isa_<family>.cpp).
void add_isa_vector(ModuleObj& m, const IsaEnums& e);
void add_isa_scalar(ModuleObj& m, const IsaEnums& e);
void add_isa_gpsimd(ModuleObj& m, const IsaEnums& e);
void add_isa_tensor(ModuleObj& m, const IsaEnums& e);
void add_isa_dma(ModuleObj& m, const IsaEnums& e);
void add_isa_vector_select(ModuleObj& m, const IsaEnums& e);
void add_isa_extra(ModuleObj& m, const IsaEnums& e);      // exponential, sequence_bounds, nonzero_with_count
void add_isa_random(ModuleObj& m, const IsaEnums& e);     // rng, rand2, dropout, set_rng_seed, rand_*_state
void add_isa_mx(ModuleObj& m, const IsaEnums& e);         // quantize_mx, nc_matmul_mx
void add_isa_lnc(ModuleObj& m, const IsaEnums& e);        // core_barrier, sendrecv
void add_isa_activate2(ModuleObj& m, const IsaEnums& e);  // activate2 (NKI 0.4.0)
void add_isa_topk(ModuleObj& m, const IsaEnums& e);
// engine= of activation / activate2 (NKI 0.7.0; isa_scalar.cpp): the engine, checked (`reduces`: the
// call uses the ScalarE accumulator; dst is argument 0, the input argument `data`).
Engine activation_engine(Ctx& c, size_t i, bool reduces, size_t data);  // topk (NKI 0.6.0)

}  // namespace nkic::trace
