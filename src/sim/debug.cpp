// Debug instructions: device_print prints a tensor's values when the simulator reaches it, in program
// order, with the kernel line it came from (numpy-like layout, long tensors summarized).
#include <cstdio>
#include <string>

#include "numerics/numerics.h"
#include "sim/exec.h"

namespace nkic::sim {

namespace {
std::string fmt(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

void exec_DevicePrint(ExecContext& cx, const Instruction& in) {
  APRef ap = cx.prog.op(in, 0);
  PhysView v = cx.mem.view(ap);
  int64_t per = v.free_elems();
  std::vector<float> vals(static_cast<size_t>(v.pnum * per));
  for (int64_t p = 0; p < v.pnum; ++p) load_partition(v, p, vals.data() + p * per);
  std::string where;
  auto stack = cx.prog.call_stack(in.loc);
  if (!stack.empty() && stack.back().file) {
    const std::string& path = stack.back().file->path();
    where = path.substr(path.find_last_of('/') + 1) + ":" + std::to_string(stack.back().span.line);
  }
  std::string shape;
  for (size_t i = 0; i < ap.dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(ap.dims[i].num);
  std::string out =
      cx.prog.strings.at(in.i0) + " (" + where + "): " + std::string(name_of(ap.dtype)) + "[" + shape + "]\n";
  // Rows are the last dimension; long tensors show their first and last three rows and columns.
  int64_t cols = ap.dims.back().num, rows = static_cast<int64_t>(vals.size()) / cols;
  bool big = vals.size() > 1000;
  for (int64_t r = 0; r < rows; ++r) {
    if (big && r == 3 && rows > 6) {
      out += " ...\n";
      r = rows - 4;
      continue;
    }
    out += " [";
    for (int64_t c = 0; c < cols; ++c) {
      if (big && c == 3 && cols > 6) {
        out += " ...";
        c = cols - 4;
        continue;
      }
      out += (c ? " " : "") + fmt(vals[r * cols + c]);
    }
    out += "]\n";
  }
  std::fputs(out.c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace nkic::sim
