// The specializer's entry point: kernel source + argument shapes -> Program (before allocation).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/program.h"
#include "support/diagnostic.h"
#include "target/target.h"
#include "trace/releases.h"

namespace nkic {

// A kernel argument as the compiler sees it: a tensor's shape and dtype, or a compile-time value.
struct ArgValue {
  // Enum: a member `member` of class `cls` defined in the module file `s`.
  // Object: an instance of class `cls` (module file `s`) whose attributes are `fields`.
  // Dict: string keys `keys` with values `items`. Function: top-level function `cls` of module file `s`.
  // Module: the module named `s` (nki.language, math, ...), or its attribute path `member` if non-empty.
  // Array: a NumPy array's contents (a compile-time constant, e.g. a module-level global used by
  // nl.shared_constant): `shape`, NumPy dtype name `s` ("float64", "int64", "bfloat16", ...), raw
  // little-endian row-major bytes `data`.
  enum class Kind {
    Tensor,
    None,
    Bool,
    Int,
    Float,
    Str,
    Tuple,
    DType,
    Enum,
    Object,
    Dict,
    Function,
    Module,
    Array
  } kind = Kind::None;
  std::vector<int64_t> shape;    // Tensor
  DType dtype = DType::Float32;  // Tensor, DType
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<ArgValue> items;    // Tuple, Object fields, Dict values
  std::vector<std::string> keys;  // Object field names, Dict keys
  std::string cls, member;
  std::vector<uint8_t> data;  // Array

  static ArgValue tensor(std::vector<int64_t> shape, DType dt) {
    ArgValue a;
    a.kind = Kind::Tensor;
    a.shape = std::move(shape);
    a.dtype = dt;
    return a;
  }
};

struct KernelArg {
  std::string keyword;  // empty for positional arguments
  ArgValue value;
};

// What compile-time code sees of the calling process besides the kernel's own files.
struct HostContext {
  // Where absolute imports are found once the importing file's folder and its ancestors (relative and
  // package-qualified imports) have no match, as Python's import system finds them:
  std::vector<std::string> paths;            // sys.path / PYTHONPATH / `--path` directories, in order
  std::map<std::string, std::string> files;  // modules already imported (sys.modules): name -> source file
  // The environment os.environ reads: the Python caller's os.environ, or (unset) the C environment.
  std::optional<std::map<std::string, std::string>> environment;
};

// An environment variable compile-time code read (os.environ / os.getenv): its value, or nullopt if unset.
struct EnvRead {
  std::string name;
  std::optional<std::string> value;
};
struct EnvReads {
  std::vector<EnvRead> vars;  // in name order
  bool all = false;           // the whole environment was listed (os.environ.items()): `vars` is all of it
};

// Which program of a launch grid is being specialized: `kernel` (no grid), `kernel[1]` or `kernel[2]`
// (LNC2: one specialization per core, each with its own nl.program_id(0)).
struct Launch {
  int program_id = 0;
  int num_programs = 1;
  int ndim = 0;  // nl.program_ndim(): 0 without a grid, 1 with one
  // nki.collectives: this rank of a launch of `world_size` ranks (nkic.simulate_ranks).
  int rank = 0;
  int world_size = 1;
  // Launched by a Beta 1 launcher (neuronxcc.nki.jit/baremetal/...): the legacy namespace is expected,
  // so importing it is not warned about.
  bool legacy = false;
  // A Beta 1 SPMD grid `kernel[d0, d1, ...]` run serially on one core (legacy-spec.md §1): its dims, and
  // while specializing, the program being traced (nl.program_id(axis) = spmd_id[axis]).
  std::vector<int64_t> spmd, spmd_id;
  // The NKI release the kernel targets (trace/releases.h); none: the default (0.7.0 plus removed names,
  // with warnings).
  std::optional<trace::Release> release;
};

struct SpecializeResult {
  Program program;
  std::vector<Diagnostic> warnings;
  EnvReads env;  // what the compile depends on besides its arguments and sources
};

// Parses `source`, finds the top-level function `kernel_name`, binds `args` and traces it.
// Tensor arguments become HBM inputs numbered in argument order. Throws UserError.
// `lineno` (optional, 0 = any) picks among several functions of that name: the one whose `def` or
// first decorator is on that line (Python's co_firstlineno), so nested kernels can be found too.
SpecializeResult specialize(SourceRef source, const std::string& kernel_name, const std::vector<KernelArg>& args,
                            const Target& target, int lineno = 0, const std::vector<KernelArg>& globals = {},
                            const HostContext& host = {}, const Launch& launch = {});
// `globals`: names the caller's live module defines (keyword = name) that the source alone does not,
// e.g. a kernel defined in a notebook cell; they are bound in the module before tracing. Array globals
// are bound even when the source defines the name: the caller's live value is exact (np.random, np.load).

}  // namespace nkic
