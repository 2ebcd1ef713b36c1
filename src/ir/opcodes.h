// The opcode table: one row per instruction with everything the stages need to know about it: its
// name, default engine, operands (role name, read/write, legal buffers) and immediates (named, typed
// fields of Instruction). The specializer emits by it, the verifier checks by it, the printer prints by
// it and the simulator dispatches on it (exec_<Opcode>, sim/exec.h). Adding an instruction = one row
// here + its binding (trace/isa_*.cpp) + its semantics (sim/) + a test.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "ir/ops.h"

namespace nkic {

enum class Mem : uint8_t { HBM, SBUF, PSUM };
std::string_view name_of(Mem m);

enum class Engine : uint8_t { Tensor, Vector, Scalar, GpSimd, Sync, DMA, Unknown };
std::string_view name_of(Engine e);

// The accumulator command of instructions with a per-lane accumulator (nisa.reduce_cmd; the values are
// the enum's).
enum class ReduceCmd : int32_t { Idle = 0, Reset = 1, Reduce = 2, ResetReduce = 3, LoadReduce = 4 };
std::string_view name_of(ReduceCmd c);
inline bool resets(ReduceCmd c) { return c == ReduceCmd::Reset || c == ReduceCmd::ResetReduce; }
inline bool reduces(ReduceCmd c) { return c == ReduceCmd::Reduce || c == ReduceCmd::ResetReduce; }

// The collective of a Collective instruction (nki.collectives, spec §7).
enum class CollectiveKind : int32_t {
  AllReduce,
  AllGather,
  ReduceScatter,
  AllToAll,
  AllToAllV,
  Permute,
  PermuteImplicit,
  PermuteImplicitReduce,
  AllGatherV,  // NKI 0.6.0
};
std::string_view name_of(CollectiveKind k);
constexpr int32_t kNumCollectiveKinds = 9;

// The integer immediates of a Collective: counts of each operand list, then the replica groups and the
// permutation pairs. Operands: srcs, srcs1, dsts, then the metadata tensor when there is one.
struct CollectiveLayout {
  int64_t num_srcs = 0, num_srcs1 = 0, num_dsts = 0;
  bool has_metadata = false;
  int64_t collective_dim = 0;
  bool recv_counts_known = false, has_rdispls = false;
  std::vector<std::vector<int64_t>> groups;        // rank lists (permute: empty)
  std::vector<std::pair<int64_t, int64_t>> pairs;  // collective_permute (source, target)
  std::vector<int64_t> encode() const;
  static CollectiveLayout decode(std::span<const int64_t> ints);  // throws std::logic_error when malformed
};

// nc_matmul's accumulate flag: Auto accumulates where the PSUM location was written since its birth.
enum class Accumulate : int32_t { Auto = -1, Overwrite = 0, Accumulate = 1 };

// Instruction::flags bits. kDynamic and kOobSkip belong to any DMA instruction; the others are named
// immediates of the rows that use them.
enum : uint8_t { kRev0 = 1, kRev1 = 2, kNegate = 4, kRevPred = 8, kFromReg = 16, kDynamic = 32, kOobSkip = 64 };

// ---- Operands ----
enum class Access : uint8_t { Read, Write, ReadWrite };
enum class Arity : uint8_t { One, Optional, Rest };  // Rest: the remaining operands (last role only)
enum MemSet : uint8_t { kHbm = 1, kSbuf = 2, kPsum = 4, kOnChip = kSbuf | kPsum, kNotPsum = kHbm | kSbuf, kAnyMem = 7 };
inline bool contains(uint8_t mems, Mem m) { return mems >> static_cast<int>(m) & 1; }

struct OperandSpec {
  std::string_view name;
  Access access = Access::Read;
  uint8_t mems = kAnyMem;  // MemSet bits: the buffers this role may be in (any engine the row runs on)
  Arity arity = Arity::One;
};

// ---- Immediates: where each lives in Instruction and how to read it ----
enum class Slot : uint8_t { Alu, Alu1, I0, F0, F1, Flag, Int };
enum class ImmType : uint8_t {
  Alu,         // an operator constant (AluOp)
  ReduceCmd,   // ReduceCmd
  Accumulate,  // Accumulate
  Int,         // a signed integer
  Float,       // a number (fp32 value or integer, as the operand's dtype reads it)
  Bool,        // a flags bit (index = the bit)
  Register,    // a register id (r<N>)
  RegOrInt,    // ints[index] is a register id when ints[aux] != 0, else an integer (loop bounds)
  RegOrFloat,  // register_move's source: register f1 when kFromReg is set, else the immediate f0
  Instr,       // the index of the matching loop instruction
  Ints,        // the integers ints[index:]
  String,      // Program::strings[i0]
  Collective,  // CollectiveKind in i0
};

struct ImmSpec {
  std::string_view name;
  ImmType type;
  Slot slot;
  uint8_t index = 0;        // Flag: the bit; Int: the position in ints()
  uint8_t aux = 0;          // RegOrInt: the position of the is-a-register flag in ints()
  int8_t unless_role = -1;  // a scalar form of an operand role: meaningful only when that operand is absent
};

// Opcode traits (bits).
enum : uint8_t {
  kLaneState = 1,  // keeps per-lane state (accumulator registers, random generators): operands stay at partition 0
  kSync = 2,       // synchronizes the cores of a logical core: completes when every core has reached it
};

constexpr size_t kMaxRoles = 8;  // Instruction::present has one bit per role
constexpr size_t kMaxImms = 10;  // activate2 has 10

struct OpcodeInfo {
  std::string_view name;
  Engine engine;  // the default engine (an instruction may run on another: Instruction::engine)
  std::array<OperandSpec, kMaxRoles> roles;
  std::array<ImmSpec, kMaxImms> imms;
  uint8_t num_roles = 0, num_imms = 0;
  uint8_t traits = 0;

  std::span<const OperandSpec> operands() const { return {roles.data(), num_roles}; }
  std::span<const ImmSpec> immediates() const { return {imms.data(), num_imms}; }
};

// Row builders (constexpr, for the table below).
namespace opdesc {
constexpr OperandSpec W(std::string_view n, uint8_t m) { return {n, Access::Write, m, Arity::One}; }
constexpr OperandSpec R(std::string_view n, uint8_t m) { return {n, Access::Read, m, Arity::One}; }
constexpr OperandSpec RW(std::string_view n, uint8_t m) { return {n, Access::ReadWrite, m, Arity::One}; }
constexpr OperandSpec Opt(OperandSpec s) { return {s.name, s.access, s.mems, Arity::Optional}; }
constexpr OperandSpec Rest(OperandSpec s) { return {s.name, s.access, s.mems, Arity::Rest}; }

constexpr ImmSpec Op(std::string_view n) { return {n, ImmType::Alu, Slot::Alu}; }
constexpr ImmSpec Op1(std::string_view n) { return {n, ImmType::Alu, Slot::Alu1}; }
constexpr ImmSpec Cmd() { return {"reduce_cmd", ImmType::ReduceCmd, Slot::I0}; }
constexpr ImmSpec Acc() { return {"accumulate", ImmType::Accumulate, Slot::I0}; }
constexpr ImmSpec I0(std::string_view n) { return {n, ImmType::Int, Slot::I0}; }
constexpr ImmSpec F0(std::string_view n, int8_t unless = -1) { return {n, ImmType::Float, Slot::F0, 0, 0, unless}; }
constexpr ImmSpec F1(std::string_view n, int8_t unless = -1) { return {n, ImmType::Float, Slot::F1, 0, 0, unless}; }
constexpr ImmSpec Flag(std::string_view n, uint8_t bit) { return {n, ImmType::Bool, Slot::Flag, bit}; }
constexpr ImmSpec RegI0(std::string_view n) { return {n, ImmType::Register, Slot::I0}; }
constexpr ImmSpec RegF0(std::string_view n) { return {n, ImmType::Register, Slot::F0}; }
constexpr ImmSpec IntAt(std::string_view n, uint8_t k) { return {n, ImmType::Int, Slot::Int, k}; }
constexpr ImmSpec RegAt(std::string_view n, uint8_t k) { return {n, ImmType::Register, Slot::Int, k}; }
constexpr ImmSpec RegOrIntAt(std::string_view n, uint8_t k, uint8_t flag) {
  return {n, ImmType::RegOrInt, Slot::Int, k, flag};
}
constexpr ImmSpec IntsFrom(std::string_view n, uint8_t k) { return {n, ImmType::Ints, Slot::Int, k}; }
constexpr ImmSpec Match(std::string_view n) { return {n, ImmType::Instr, Slot::I0}; }
constexpr ImmSpec Str(std::string_view n) { return {n, ImmType::String, Slot::I0}; }
constexpr ImmSpec RegOrImm(std::string_view n) { return {n, ImmType::RegOrFloat, Slot::F0}; }
constexpr ImmSpec Kind() { return {"kind", ImmType::Collective, Slot::I0}; }
}  // namespace opdesc

// X(enumerator, name, default engine, (operand roles, in operand order), (immediates), traits).
// Roles: W/R/RW(name, buffers), Opt(...) optional (Instruction::present), Rest(...) variadic.
#define NKIC_OPCODES(X)                                                                                                \
  X(DmaCopy, "dma_copy", DMA, (W("dst", kNotPsum), R("src", kNotPsum)), (), 0)                                         \
  X(DmaTranspose, "dma_transpose", DMA, (W("dst", kNotPsum), R("src", kNotPsum)), (IntsFrom("axes", 0)), 0)            \
  X(DmaCompute, "dma_compute", DMA, (W("dst", kNotPsum), Rest(R("srcs", kNotPsum))),                                   \
    (Op("reduce_op"), IntsFrom("scales", 0)), 0)                                                                       \
  X(TensorTensor, "tensor_tensor", Vector, (W("dst", kOnChip), R("data1", kOnChip), R("data2", kOnChip)), (Op("op")),  \
    0)                                                                                                                 \
  X(TensorScalar, "tensor_scalar", Vector,                                                                             \
    (W("dst", kOnChip), R("data", kOnChip), Opt(R("operand0", kOnChip)), Opt(R("operand1", kOnChip))),                 \
    (Op("op0"), F0("operand0", 2), Flag("reverse0", kRev0), Op1("op1"), F1("operand1", 3), Flag("reverse1", kRev1)),   \
    0)                                                                                                                 \
  X(ScalarTensorTensor, "scalar_tensor_tensor", Vector,                                                                \
    (W("dst", kOnChip), R("data", kOnChip), Opt(R("operand0", kOnChip)), R("operand1", kOnChip)),                      \
    (Op("op0"), F0("operand0", 2), Flag("reverse0", kRev0), Op1("op1"), Flag("reverse1", kRev1)), 0)                   \
  X(TensorCopy, "tensor_copy", Vector, (W("dst", kOnChip), R("src", kOnChip)), (), 0)                                  \
  X(TensorCopyPredicated, "tensor_copy_predicated", Vector,                                                            \
    (RW("dst", kOnChip), Opt(R("src", kOnChip)), R("predicate", kOnChip)),                                             \
    (F0("src", 1), Flag("reverse_pred", kRevPred)), 0)                                                                 \
  X(TensorReduce, "tensor_reduce", Vector, (W("dst", kOnChip), R("data", kOnChip)),                                    \
    (Op("op"), I0("group"), Flag("negate", kNegate)), 0)                                                               \
  X(TensorTensorScan, "tensor_tensor_scan", Vector,                                                                    \
    (W("dst", kOnChip), R("data0", kOnChip), R("data1", kOnChip), Opt(R("initial", kOnChip))),                         \
    (Op("op0"), Op1("op1"), F0("initial", 3), Flag("reverse0", kRev0), Flag("reverse1", kRev1)), 0)                    \
  X(Reciprocal, "reciprocal", Vector, (W("dst", kOnChip), R("data", kOnChip)), (), 0)                                  \
  X(Activation, "activation", Scalar,                                                                                  \
    (W("dst", kOnChip), R("data", kOnChip), Opt(R("bias", kOnChip)), Opt(R("scale", kOnChip)),                         \
     Opt(W("reduce_res", kOnChip))),                                                                                   \
    (Op("op"), F1("bias", 2), F0("scale", 3), Op1("reduce_op"), Cmd()), kLaneState)                                    \
  X(NcMatmul, "nc_matmul", Tensor, (RW("dst", kPsum), R("stationary", kSbuf), R("moving", kSbuf)), (Acc()), 0)         \
  X(NcTranspose, "nc_transpose", Tensor, (W("dst", kOnChip), R("data", kOnChip)), (), 0)                               \
  X(Memset, "memset", Vector, (W("dst", kOnChip)), (F0("value")), 0)                                                   \
  X(Iota, "iota", GpSimd, (W("dst", kSbuf)),                                                                           \
    (IntAt("offset", 0), IntAt("channel_multiplier", 1), IntsFrom("pattern", 2)), 0)                                   \
  X(AffineSelect, "affine_select", GpSimd, (W("dst", kSbuf), R("on_true", kSbuf)),                                     \
    (Op("cmp_op"), F0("on_false_value"), IntAt("offset", 0), IntAt("channel_multiplier", 1), IntsFrom("pattern", 2)),  \
    0)                                                                                                                 \
  X(TensorPartitionReduce, "tensor_partition_reduce", GpSimd, (W("dst", kSbuf), R("data", kSbuf)), (Op("op")), 0)      \
  X(BnStats, "bn_stats", Vector, (W("dst", kOnChip), R("data", kOnChip)), (), 0)                                       \
  X(BnAggr, "bn_aggr", Vector, (W("dst", kOnChip), R("data", kOnChip)), (), 0)                                         \
  X(Max8, "max8", Vector, (W("dst", kOnChip), R("src", kOnChip)), (), 0)                                               \
  X(NcFindIndex8, "nc_find_index8", Vector, (W("dst", kOnChip), R("data", kOnChip), R("vals", kOnChip)), (), 0)        \
  X(NcMatchReplace8, "nc_match_replace8", Vector,                                                                      \
    (W("dst", kOnChip), R("data", kOnChip), R("vals", kOnChip), Opt(W("dst_idx", kOnChip))), (F0("imm")), 0)           \
  X(SelectReduce, "select_reduce", Vector,                                                                             \
    (W("dst", kOnChip), R("predicate", kOnChip), R("on_true", kOnChip), Opt(R("on_false", kOnChip)),                   \
     Opt(W("reduce_res", kOnChip))),                                                                                   \
    (Op("reduce_op"), Cmd(), F0("on_false", 3), Flag("reverse_pred", kRevPred)), kLaneState)                           \
  X(RangeSelect, "range_select", Vector,                                                                               \
    (W("dst", kOnChip), R("on_true", kOnChip), R("bound0", kOnChip), R("bound1", kOnChip),                             \
     Opt(W("reduce_res", kOnChip))),                                                                                   \
    (Op("comp_op0"), Op1("comp_op1"), Cmd(), F0("on_false_value"), F1("range_start")), kLaneState)                     \
  X(TensorScalarReduce, "tensor_scalar_reduce", Vector,                                                                \
    (W("dst", kOnChip), R("data", kOnChip), Opt(R("operand0", kOnChip)), Opt(W("reduce_res", kOnChip)),                \
     Opt(R("reduce_init", kOnChip))),                                                                                  \
    (Op("op0"), Op1("reduce_op"), F0("operand0", 2), Cmd(), F1("reduce_init", 4), Flag("reduce_res_negate", kNegate)), \
    kLaneState)                                                                                                        \
  X(TensorScalarCumulative, "tensor_scalar_cumulative", Vector,                                                        \
    (W("dst", kOnChip), R("src", kOnChip), Opt(R("imm0", kOnChip)), Opt(R("imm1", kOnChip))),                          \
    (Op("op0"), Op1("op1"), F0("imm0", 2), F1("imm1", 3), Cmd()), kLaneState)                                          \
  X(NcStreamShuffle, "nc_stream_shuffle", Vector, (W("dst", kOnChip), R("src", kOnChip)), (IntsFrom("mask", 0)), 0)    \
  X(LocalGather, "local_gather", GpSimd, (W("dst", kSbuf), R("src_buffer", kSbuf), R("index", kSbuf)),                 \
    (I0("num_elem_per_idx"), IntAt("num_valid_indices", 0)), 0)                                                        \
  X(NcNGather, "nc_n_gather", GpSimd, (W("dst", kSbuf), R("data", kSbuf), R("indices", kSbuf)), (), 0)                 \
  X(DevicePrint, "device_print", Sync, (R("src", kNotPsum)), (Str("prefix")), 0)                                       \
  /* Registers and dynamic control flow (sequencer instructions; register ids index the register file). */             \
  X(RegisterMove, "register_move", Sync, (), (RegI0("dst"), RegOrImm("src")), 0)                                       \
  X(RegisterLoad, "register_load", Sync, (R("src", kAnyMem)), (RegI0("dst")), 0)                                       \
  X(RegisterStore, "register_store", Sync, (W("dst", kAnyMem)), (RegI0("src")), 0)                                     \
  X(Loop, "loop", Sync, (),                                                                                            \
    (RegAt("iv", 0), RegOrIntAt("start", 1, 4), RegOrIntAt("stop", 2, 5), IntAt("step", 3), Match("end")), 0)          \
  X(EndLoop, "end_loop", Sync, (), (Match("begin")), 0)                                                                \
  X(While, "while", Sync, (), (RegF0("cond"), Match("end")), 0)                                                        \
  X(EndWhile, "end_while", Sync, (), (Match("begin")), 0)                                                              \
  /* Late 0.3.0 ISA: VectorE exp and the GpSimd scans (trace/isa_extra.cpp, sim/extra.cpp). */                         \
  X(Exponential, "exponential", Vector,                                                                                \
    (W("dst", kOnChip), R("src", kOnChip), Opt(R("max_value", kOnChip)), Opt(W("reduce_res", kOnChip))),               \
    (F0("max_value", 2), F1("reduce_init"), Cmd()), kLaneState)                                                        \
  X(SequenceBounds, "sequence_bounds", GpSimd, (W("dst", kSbuf), R("segment_ids", kSbuf)), (), 0)                      \
  X(NonzeroWithCount, "nonzero_with_count", GpSimd, (W("dst", kSbuf), R("src", kSbuf)),                                \
    (I0("index_offset"), F0("padding_val")), 0)                                                                        \
  /* Random numbers (trace/isa_random.cpp, sim/random.cpp); engine = the generator used. */                            \
  X(Rng, "rng", Vector, (W("dst", kOnChip)), (), kLaneState)                                                           \
  X(Rand2, "rand2", Vector, (W("dst", kOnChip), Opt(R("min", kOnChip)), Opt(R("max", kOnChip))),                       \
    (F0("min", 1), F1("max", 2)), kLaneState)                                                                          \
  X(Dropout, "dropout", Vector, (W("dst", kOnChip), R("data", kOnChip), Opt(R("prob", kOnChip))), (F0("prob", 2)),     \
    kLaneState)                                                                                                        \
  X(SetRngSeed, "set_rng_seed", Vector, (R("src_seeds", kOnChip)), (), kLaneState)                                     \
  X(RandSetState, "rand_set_state", GpSimd, (R("src_seeds", kOnChip)), (), kLaneState)                                 \
  X(RandGetState, "rand_get_state", GpSimd, (W("dst", kOnChip)), (), kLaneState)                                       \
  /* OCP MX (NeuronCore-v4; trace/isa_mx.cpp, sim/mx.cpp). */                                                          \
  X(QuantizeMx, "quantize_mx", Vector, (W("dst", kSbuf), R("src", kOnChip), W("dst_scale", kSbuf)),                    \
    (I0("scale_exp_offset")), 0)                                                                                       \
  X(NcMatmulMx, "nc_matmul_mx", Tensor,                                                                                \
    (RW("dst", kPsum), R("stationary", kSbuf), R("moving", kSbuf), R("stationary_scale", kSbuf),                       \
     R("moving_scale", kSbuf)),                                                                                        \
    (Acc()), 0)                                                                                                        \
  /* LNC2 synchronization between the two cores of a logical core (trace/isa_lnc.cpp, sim/device.cpp). */              \
  X(CoreBarrier, "core_barrier", GpSimd, (R("data", kNotPsum)), (), kSync) /* engine = the blocking queue */           \
  X(SendRecv, "sendrecv", DMA, (R("src", kSbuf), W("dst", kSbuf)),                                                     \
    (I0("pipe_id"), IntAt("send_to_rank", 0), IntAt("recv_from_rank", 1)), kSync) /* engine = the DMA used */          \
  /* nki.collectives across ranks (trace/builtins_collectives.cpp, sim/world.cpp): operands are the srcs, the  */      \
  /* second srcs (permute_implicit_reduce), the dsts and the metadata tensor; ints: see CollectiveLayout.      */      \
  X(Collective, "collective", Sync, (Rest(RW("tensors", kNotPsum))), (Kind(), Op("op"), IntsFrom("layout", 0)), kSync) \
  /* NKI 0.4.0-0.5.0 */                                                                                                \
  /* activate2 (trace/isa_activate2.cpp, sim/activate2.cpp): op0/op1 are ints[0..1] (AluOp values), relu_param  */     \
  /* the bits of a double in ints[2] (both float slots hold imm0/imm1).                                          */    \
  X(Activate2, "activate2", Scalar,                                                                                    \
    (W("dst", kOnChip), R("data", kOnChip), Opt(R("imm0", kOnChip)), Opt(R("imm1", kOnChip)),                          \
     Opt(R("relu_param", kOnChip)), Opt(W("reduce_res", kOnChip))),                                                    \
    (Op("op"), F0("imm0", 2), F1("imm1", 3), IntAt("op0", 0), IntAt("op1", 1), IntAt("relu_param_bits", 2),            \
     Flag("reverse0", kRev0), Flag("reverse1", kRev1), Op1("reduce_op"), Cmd()),                                       \
    kLaneState)                                                                                                        \
  /* NKI 0.6.0-0.7.0 */                                                                                                \
  /* topk: per 16-partition group, the k largest of n snake elements (trace/isa_topk.cpp, sim/topk.cpp). */            \
  X(TopK, "topk", GpSimd, (W("val_dst", kSbuf), W("idx_dst", kSbuf), R("src", kSbuf)), (I0("n"), IntAt("sorted", 0)),  \
    0)                                                                                                                 \
  /* NkiScalar arithmetic: dst = src op operand (add/subtract/multiply wrapping at `width` bits, 32 or 64; */          \
  /* comparisons give 0/1); the source register is ints[0], the width ints[1], the operand a register      */          \
  /* (kFromReg: f1) or an immediate (f0) (trace/scalars.cpp).                                              */          \
  X(RegisterAlu, "register_alu", Sync, (),                                                                             \
    (RegI0("dst"), RegAt("src", 0), IntAt("width", 1), RegOrImm("operand"), Op("op")), 0)

enum class Opcode : uint8_t {
#define X(e, n, eng, roles, imms, traits) e,
  NKIC_OPCODES(X)
#undef X
};
constexpr size_t kNumOpcodes = 0
#define X(e, n, eng, roles, imms, traits) +1
    NKIC_OPCODES(X)
#undef X
    ;

const OpcodeInfo& info(Opcode op);
std::string_view name_of(Opcode op);
Engine default_engine(Opcode op);

}  // namespace nkic
