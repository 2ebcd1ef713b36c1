// The compile pipeline's steps, shared by compile() (the C++ specializer) and a TraceSession (the tracing
// front door): launch checks, the passes after specialization, and assembling the per-core Programs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/nkic.h"

namespace nkic::api {

// The launch's errors and warnings (grid, LNC2 target, SPMD dims, release launch rules); one Launch per core.
std::vector<Launch> check_launch(const SourceRef& src, const std::string& kernel_name, const CompileOptions& options,
                                 std::vector<Diagnostic>& warnings);
// allocate, placement, verify (and the dump/verify options) on a specialized Program.
void run_passes(Program& p, const CompileOptions& options, std::string& dump);

struct KernelParts {
  std::vector<Program> programs;
  std::vector<Diagnostic> warnings;
  std::string dump;
  EnvReads env;
};
// Core `core`'s specialized and passed Program with its warnings and environment reads.
void add_core_result(SpecializeResult& r, int core, KernelParts& parts);
std::shared_ptr<Kernel> assemble(const SourceRef& src, KernelParts parts, TargetKind target);

}  // namespace nkic::api
