// The command line's body, shared by the nkic executable (cli_entry.cpp) and nki._core (the tracing front
// door runs it from Python with its own compile: nkic/cli.py).
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/nkic.h"

namespace nkic::cli {

using CompileFn = std::function<std::shared_ptr<api::Kernel>(
    const std::string& path, const std::string& source, const std::string& kernel, const std::vector<KernelArg>& args,
    const api::CompileOptions& options)>;

// Thrown by a CompileFn for a kernel error it has already printed (the command exits 1).
struct Reported : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `nkic <command> ...`: argv[0] is the program name. `compile` compiles each kernel (none: api::compile).
int main(int argc, char** argv, const CompileFn& compile = {});

}  // namespace nkic::cli
