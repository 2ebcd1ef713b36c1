// The C++ facade.
#include "api/nkic.h"

#include "sim/core.h"

namespace nkic::api {

namespace {
std::vector<TensorSpec> specs(const Program& p, TensorRole role, size_t count) {
  std::vector<TensorSpec> out(count);
  for (auto& t : p.tensors)
    if (t.role == role && t.io_index >= 0 && static_cast<size_t>(t.io_index) < count)
      out[t.io_index] = {t.shape, t.dtype, t.name};
  return out;
}
}  // namespace

std::vector<TensorSpec> Kernel::input_specs() const {
  return specs(program_, TensorRole::Input, static_cast<size_t>(program_.num_inputs));
}

std::vector<TensorSpec> Kernel::output_specs() const {
  std::vector<TensorSpec> out;
  for (uint32_t id : program_.outputs) {
    const TensorDecl& t = program_.tensors[id];
    out.push_back({t.shape, t.dtype, t.name, t.role == TensorRole::Input ? t.io_index : -1});
  }
  return out;
}

void Kernel::run(const std::vector<sim::HostBuffer>& inputs, const std::vector<sim::HostBuffer>& outputs,
                 const sim::Progress& progress) const {
  sim::run(program_, target(), inputs, outputs, progress);
}

std::shared_ptr<Kernel> compile(const std::string& path, const std::string& source, const std::string& kernel_name,
                                const std::vector<KernelArg>& args, const CompileOptions& options, int lineno) {
  auto src = std::make_shared<const SourceFile>(path, source);
  SpecializeResult r = specialize(src, kernel_name, args, nkic::target(options.target), lineno, options.globals);
  return std::make_shared<Kernel>(std::move(r.program), options.target, std::move(r.warnings));
}

}  // namespace nkic::api
