// The C++ facade: compile a kernel from source and run it. The bindings and the CLI use only this.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/diagnostic.h"
#include "ir/program.h"
#include "sim/core.h"
#include "sim/memory.h"
#include "target/target.h"
#include "trace/specialize.h"

namespace nkic::api {

struct CompileOptions {
  TargetKind target = kDefaultTarget;
  std::vector<KernelArg> globals;  // live module globals the source alone lacks (see specialize)
};

struct TensorSpec {
  std::vector<int64_t> shape;
  DType dtype;
  std::string name;
  int32_t alias_input = -1;  // outputs: the input argument this returned tensor is (-1: a new array)
};

class Kernel {
 public:
  Kernel(Program p, TargetKind t, std::vector<Diagnostic> warnings)
      : program_(std::move(p)), target_(t), warnings_(std::move(warnings)) {}

  const Program& program() const { return program_; }
  const Target& target() const { return nkic::target(target_); }
  const std::vector<Diagnostic>& warnings() const { return warnings_; }
  std::vector<TensorSpec> input_specs() const;   // HBM tensor arguments, in argument order
  std::vector<TensorSpec> output_specs() const;  // returned tensors, in order
  size_t num_instructions() const { return program_.instrs.size(); }

  // Simulates the kernel: `inputs` and `outputs` are C-contiguous caller buffers matching the specs.
  // Inputs the kernel writes are updated in place. Throws UserError (kind "runtime") on kernel errors.
  void run(const std::vector<sim::HostBuffer>& inputs, const std::vector<sim::HostBuffer>& outputs,
           const sim::Progress& progress = {}) const;

 private:
  Program program_;
  TargetKind target_;
  std::vector<Diagnostic> warnings_;
};

// Compiles `kernel_name` from the module `source` (the whole file; `path` as the user named it).
std::shared_ptr<Kernel> compile(const std::string& path, const std::string& source, const std::string& kernel_name,
                                const std::vector<KernelArg>& args, const CompileOptions& options = {},
                                int lineno = 0);

}  // namespace nkic::api
