// The Program: what the specializer emits and the simulator runs. Tensors (HBM/SBUF/PSUM) and a flat
// list of instructions whose operands are access patterns into those tensors.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/opcodes.h"
#include "ir/ops.h"
#include "ir/shape_table.h"
#include "support/chunked_vector.h"
#include "support/diagnostic.h"
#include "support/source.h"

namespace nkic {

enum class TensorRole : uint8_t { Internal, Input, Output };

struct TensorDecl {
  std::string name;
  Mem mem = Mem::SBUF;
  DType dtype = DType::Float32;
  std::vector<int64_t> shape;
  TensorRole role = TensorRole::Internal;
  int32_t io_index = -1;    // Input: kernel tensor-argument index; Output: position in the returned tuple
  uint32_t loc = 0;         // declaration site (index into Program::locs)
  uint32_t created_at = 0;  // number of instructions emitted before its declaration (hardware loops)
  // Placement of on-chip tensors (set by the allocate pass, or from `address=`).
  int32_t start_partition = -1;
  int64_t byte_offset = -1;
  bool user_address = false;
  // HBM: nl.private_hbm (one storage per core under LNC2) rather than shared_hbm (one for all cores).
  bool private_hbm = false;
  // nl.shared_constant: index into Program::constants of the tensor's initial contents (HBM), or -1.
  int32_t constant = -1;
  // Declared in the body of an nl.affine_range loop: successive iterations' tiles of one declaration
  // rotate through several buffers when they fit (the compiler's multi-buffering), so iterations overlap.
  bool multi_buffer = false;
  // Legacy direct allocation (ncc.sbuf/psum allocators): the declaration this tensor is a logical block
  // of (-1: not directly allocated) and the block's index ("(3,)"), for the lifetime errors' wording.
  int32_t da_decl = -1;
  std::string da_block;

  int64_t num_elements() const;
  int64_t partitions() const { return shape.empty() ? 1 : shape[0]; }
  int64_t free_elements() const;  // elements per partition (on-chip)
  int64_t partition_bytes() const { return free_elements() * size_of(dtype); }
  bool on_chip() const { return mem != Mem::HBM; }
};

// A view of a tensor: element (i0, ..., ik) is storage element offset + sum(stride_j * i_j), counted
// in elements of `dtype` over the tensor's flattened storage. On-chip: dims[0] is the partition dim.
struct AccessPattern {
  uint32_t tensor = 0;
  DType dtype = DType::Float32;
  int64_t offset = 0;
  std::vector<APDim> dims;

  int64_t num_elements() const;
  int64_t free_elements() const;  // product of dims[1:]
};

// A read-only view of an access pattern: of an AccessPattern (implicitly) or of a Program's stored
// operand (Program::op). Owns nothing; no heap allocation. Must not outlive what it views.
struct APRef {
  uint32_t tensor = 0;
  DType dtype = DType::Float32;
  int64_t offset = 0;
  std::span<const APDim> dims;

  APRef() = default;
  APRef(uint32_t t, DType d, int64_t o, std::span<const APDim> ds) : tensor(t), dtype(d), offset(o), dims(ds) {}
  APRef(const AccessPattern& ap)  // NOLINT(google-explicit-constructor): views convert implicitly
      : tensor(ap.tensor), dtype(ap.dtype), offset(ap.offset), dims(ap.dims) {}
  int64_t num_elements() const;
  int64_t free_elements() const;  // product of dims[1:]
  AccessPattern owned() const { return {tensor, dtype, offset, {dims.begin(), dims.end()}}; }
};

// An operand as the Program stores it: the dtype and dims are an interned shape (Program::shapes).
struct Operand {
  uint32_t tensor = 0;
  uint32_t shape = 0;
  int64_t offset = 0;
};

// A DMA operand whose start moves at run time (`.ap(scalar_offset=...)` / `.ap(vector_offset=...)`).
// Scalar: the operand's offset grows by value * multiplier, the value read from a register or a [1, 1]
// SBUF tensor. Vector: row w of the operand (its partition-dim entry w) starts at
// offset + index[w] * multiplier, index being a [P, 1] SBUF tensor (gather on a src, scatter on a dst).
// Indirect (NKI 0.5.0 tensor indirection, `t.indirect(index, num_elem)`, compute instructions on NCv4+):
// the operand is a dense (P, num_elem) tile whose column i is the element at offset o_i of the flattened
// free dims of `data` (an on-chip view); o_i is read from the uint16 SBUF tile `index` as
// index[g * G + i % G, i // G] for partition group g (G = `group` partitions; g = 0 if index has only G
// partitions). The stored operand pattern is only the tile's shape: the simulator reads `data`.
enum class DynKind : uint8_t { ScalarRegister, ScalarTensor, Vector, Indirect };
struct DynamicOffset {
  DynKind kind = DynKind::ScalarRegister;
  int32_t reg = -1;        // ScalarRegister
  AccessPattern index;     // ScalarTensor / Vector / Indirect: the offsets
  int64_t multiplier = 0;  // elements (of the operand's dtype) per index unit
  AccessPattern data;      // Indirect: the view the offsets index
  int32_t group = 0;       // Indirect: partitions sharing one offset list (16, or 32 on TensorE)
};
// Where dynamic operands are: instruction index, operand position, and how the offset moves.
struct DynamicOperand {
  uint32_t instr = 0;
  uint32_t operand = 0;
  DynamicOffset offset;
};

struct Scalar {
  bool is_int = true;
  int64_t i = 0;
  double f = 0;
};

// One instruction. Its operands and variable-length immediates live in flat Program arrays (read them
// with Program::op / Program::role_op / Program::ints); build instructions with Program::emit.
struct Instruction {
  Opcode op = Opcode::Memset;
  Engine engine = Engine::Unknown;
  AluOp alu = AluOp::Add;
  AluOp alu1 = AluOp::Bypass;
  uint8_t flags = 0;
  uint8_t present = 0;   // bit r: role r of the opcode's row has an operand (0: operand i has role i,
                         // the last role repeating if it is variadic)
  uint8_t num_ops = 0;   // operands: Program::operands[ops_begin, ops_begin + num_ops)
  uint8_t num_ints = 0;  // immediates (iota patterns, permutations): Program::int_pool[ints_begin, +num_ints)
  int32_t i0 = 0;
  uint32_t loc = 0;  // index into Program::locs
  uint32_t ops_begin = 0;
  uint32_t ints_begin = 0;
  double f0 = 0, f1 = 0;

  // Position among the operands of the operand for role r (its position in the opcode's roles), or -1
  // if absent.
  int operand(int r) const;
};
// The opcode-table role of operand k of `in` (the variadic last role for extra operands), or nullptr
// when the opcode has no operand roles.
const OperandSpec* role_of(const Instruction& in, size_t k);

static_assert(sizeof(Instruction) == 40, "Instruction is stored once per instruction: keep it small");

// A source location with the call stack that led to it: `parent` is the caller's entry (-1 at the kernel).
struct LocEntry {
  Location loc;
  int32_t parent = -1;
};

// One unrolled compile-time loop (affine_range / sequential_range / static_range / range) as it ran
// while specializing: iteration k's instructions are [iter_begin[k], iter_begin[k + 1]) (the last one
// ends at `end`). Nested loops have one record per run of the outer loop's body (`parent`, `parent_iter`).
// Read by the checkers (affine_range dependences, shuffled iteration order); the simulator ignores them.
enum class LoopKind : uint8_t { Range, Affine, Sequential, Static };
struct LoopRecord {
  LoopKind kind = LoopKind::Range;
  uint32_t loc = 0;          // the `for` statement (index into Program::locs)
  int32_t parent = -1;       // the enclosing recorded loop, or -1
  int32_t parent_iter = -1;  // which iteration of the parent this run belongs to
  std::vector<uint32_t> iter_begin;
  uint32_t end = 0;
};

struct Program {
  std::string kernel_name;
  std::vector<TensorDecl> tensors;
  ChunkedVector<Instruction> instrs;
  ChunkedVector<Operand> operands;  // the instructions' operands, each instruction's contiguous
  ShapeTable shapes;                // the operands' dtypes and dims
  std::vector<int64_t> int_pool;    // the instructions' variable-length immediates
  std::vector<LocEntry> locs;       // locs[0] is the kernel definition
  std::vector<uint32_t> outputs;    // tensor ids returned by the kernel, in order
  bool output_is_tuple = false;
  int num_inputs = 0;
  // (instruction index, tensor id): the tensor's storage is (re)born before that instruction runs.
  // Filled by the allocate pass; the simulator fills the sentinel and resets PSUM accumulation state.
  std::vector<std::pair<uint32_t, uint32_t>> births;
  std::vector<std::string> strings;  // string immediates (device_print prefixes)
  // Initial contents of constant HBM tensors (nl.shared_constant), in the tensor's dtype, row-major;
  // TensorDecl::constant indexes this. Identical constants share one entry.
  std::vector<std::vector<uint8_t>> constants;
  int32_t num_registers = 0;            // virtual registers (register_alloc, dynamic_range induction variables)
  std::vector<DynamicOperand> dynamic;  // sorted by instruction; those instructions carry kDynamic
  std::vector<LoopRecord> loops;        // unrolled compile-time loops, in the order they were entered

  // Appends `in` with its operands (in role order; in.present says which roles they fill).
  Instruction& emit(Instruction in, std::span<const APRef> ops);
  Instruction& emit(Instruction in, std::initializer_list<APRef> ops) {
    return emit(in, std::span(ops.begin(), ops.size()));
  }
  // Sets the variable-length immediates of an emitted instruction.
  void set_ints(Instruction& in, std::span<const int64_t> v);
  void set_ints(Instruction& in, std::initializer_list<int64_t> v) { set_ints(in, std::span(v.begin(), v.size())); }
  // The k-th operand of `in`; the operand for role r (none if absent); the immediates. The views are
  // valid until the next emit / set_ints.
  APRef op(const Instruction& in, size_t k) const {
    const Operand& o = operands[in.ops_begin + k];
    ShapeRef s = shapes[o.shape];
    return {o.tensor, s.dtype, o.offset, s.dims};
  }
  std::optional<APRef> role_op(const Instruction& in, int r) const {
    int k = in.operand(r);
    if (k < 0) return std::nullopt;
    return op(in, static_cast<size_t>(k));
  }
  std::span<const int64_t> ints(const Instruction& in) const { return {int_pool.data() + in.ints_begin, in.num_ints}; }

  // The run-time-offset operands of instruction `instr` (Program::dynamic is sorted by instruction).
  std::span<const DynamicOperand> dynamic_of(uint32_t instr) const;
  bool is_dynamic(uint32_t instr, uint32_t operand) const;

  uint32_t add_loc(Location l, int32_t parent);
  std::vector<Location> call_stack(uint32_t loc) const;  // outermost first, ending with loc itself
  // An error at instruction `in`'s source line (with its call stack): "<opcode>: msg".
  Diagnostic diagnostic_at(const Instruction& in, const std::string& msg, const std::string& hint = "") const;
};

}  // namespace nkic
