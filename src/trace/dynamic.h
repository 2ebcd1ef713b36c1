// Runtime values in a traced kernel: nisa VirtualRegisters (register_alloc/move/load/store),
// nl.dynamic_range and `while reg:` hardware loops (the body is traced once, between Loop/EndLoop or
// While/EndWhile instructions), and `.ap(scalar_offset=, vector_offset=)` DMA operands.
#pragma once

#include <memory>

#include "trace/interpreter.h"

namespace nkic::trace {

// nisa.register_alloc / register_move / register_load / register_store.
void add_isa_registers(ModuleObj& isa);
// nl.dynamic_range.
void add_dynamic_range(ModuleObj& nl);

// The dynamic part of `.ap()`: nullptr when both offsets are None. `ap` is the pattern being built on
// `view` (the tensor or view `.ap()` is called on, of storage `base`); its leading entry is the
// indexed row dim for vector_offset. The offset unit is view's stride along indirect_dim, so a
// reshaped or sliced view indexes its own rows. `spans` are those of scalar_offset, vector_offset
// and indirect_dim.
std::shared_ptr<const DynamicOffset> dynamic_offset(Interpreter& in, const TensorDecl& base, const AccessPattern& view,
                                                    AccessPattern& ap, const Value& scalar_offset,
                                                    const Value& vector_offset, const Value& indirect_dim,
                                                    const Span spans[3]);

// Records that operand `operand` of the instruction just emitted (the last one) is the dynamic view t.
void record_dynamic_operand(Interpreter& in, uint32_t operand, const TensorObj& t);

// A VirtualRegister argument (nullptr if v is not one).
RegisterObj* as_register(const Value& v);

// A fresh virtual register (frozen: a loop's read-only induction variable).
Value new_register(Interpreter& in, bool frozen);
// Appends an operand-less sequencer instruction (Loop, EndLoop, While, EndWhile); returns its index.
uint32_t emit_control(Interpreter& in, Opcode op, Span s);

}  // namespace nkic::trace
