// The `sys` module at compile time, as far as kernel helpers use it: `print(..., file=sys.stderr)` in
// nki-library's logging helper, and the interpreter's limits (`sys.maxsize`).
#include <cstdint>

#include "trace/interpreter.h"

namespace nkic::trace {

Value make_sys_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "sys";
  for (const char* stream : {"stdout", "stderr"}) {  // print(file=...) targets
    auto e = std::make_shared<EnumObj>();
    e->cls = "sys.stream";
    e->name = stream;
    m->ns[stream] = Value::wrap(VK::Enum, e);
  }
  m->ns["maxsize"] = Value::integer(INT64_MAX);
  return Value::wrap(VK::Module, m);
}

}  // namespace nkic::trace
