// The signatures the compiler binds nki.isa / nki.language / nki.collectives calls with. The drop-in
// package's Python stubs must match them (tests/python/test_stub_signatures.py checks it).
#pragma once

#include <string>
#include <vector>

namespace nkic::api {

struct ParamSignature {
  std::string name;
  bool required = false;
  std::string default_value;  // Python source text ("engine.unknown", "None", "1.0", "()"); empty when required
};

struct BuiltinSignature {
  std::string module;    // "nki.isa"
  std::string name;      // "tensor_tensor"
  bool recorded = true;  // false: the builtin records no signature (it takes any arguments)
  std::vector<ParamSignature> params;
};

// Every builtin function of the modules above (operator constants that are also functions, such as
// nl.add, included), sorted by module and name.
std::vector<BuiltinSignature> builtin_signatures();

}  // namespace nkic::api
