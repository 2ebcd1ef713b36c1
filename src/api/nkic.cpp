// The C++ facade and the pipeline driver.
#include "api/nkic.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "frontend/ast.h"
#include "frontend/parser.h"
#include "ir/printer.h"
#include "ir/verify.h"
#include "passes/allocate.h"

namespace nkic::api {

namespace {
std::vector<TensorSpec> specs(const Program& p, TensorRole role, size_t count) {
  std::vector<TensorSpec> out(count);
  for (auto& t : p.tensors)
    if (t.role == role && t.io_index >= 0 && static_cast<size_t>(t.io_index) < count)
      out[t.io_index] = {t.shape, t.dtype, t.name};
  return out;
}

// The passes after specialize, each a free function of the Program.
struct Pass {
  std::string_view name;
  void (*run)(Program&, const Target&);
};
const Pass kPasses[] = {
    {"allocate", [](Program& p, const Target& t) { allocate(p, t); }},
    {"placement", [](Program& p, const Target& t) { check_placement(p, t); }},
    {"verify", [](Program& p, const Target&) { verify(p); }},
};
}  // namespace

bool CompileOptions::verify_each_default() {
#ifndef NDEBUG
  return true;
#else
  const char* v = std::getenv("NKIC_VERIFY");
  return v && *v && std::string(v) != "0";
#endif
}

const std::vector<std::string_view>& pass_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> n{"specialize"};
    for (const Pass& p : kPasses) n.push_back(p.name);
    return n;
  }();
  return names;
}

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

std::string Kernel::ir() const { return print_program(program_); }
std::string Kernel::allocation_report() const { return nkic::allocation_report(program_); }

void Kernel::run(const std::vector<sim::HostBuffer>& inputs, const std::vector<sim::HostBuffer>& outputs,
                 const sim::Progress& progress) const {
  sim::run(program_, target(), inputs, outputs, progress);
}

std::shared_ptr<Kernel> compile(const std::string& path, const std::string& source, const std::string& kernel_name,
                                const std::vector<KernelArg>& args, const CompileOptions& options, int lineno) {
  const auto& names = pass_names();
  if (!options.dump_after.empty() && std::find(names.begin(), names.end(), options.dump_after) == names.end())
    throw std::invalid_argument("unknown pass '" + options.dump_after + "'");
  const Target& tgt = nkic::target(options.target);
  auto src = std::make_shared<const SourceFile>(path, source);
  SpecializeResult r = specialize(src, kernel_name, args, tgt, lineno, options.globals, options.host);  // parses, then traces
  Program& p = r.program;
  std::string dump;
  auto after = [&](std::string_view pass) {
    if (options.verify_each && pass != "verify") verify(p);
    if (pass == options.dump_after) dump = print_program(p);
  };
  after("specialize");
  for (const Pass& pass : kPasses) {
    pass.run(p, tgt);
    after(pass.name);
  }
  return std::make_shared<Kernel>(std::move(r.program), options.target, std::move(r.warnings), std::move(dump),
                                  std::move(r.env));
}

std::vector<Diagnostic> parse_file(const std::string& path, const std::string& source, std::string* ast_dump) {
  auto src = std::make_shared<const SourceFile>(path, source);
  std::vector<Diagnostic> diags;
  auto m = parse_module(src, diags);
  if (diags.empty() && ast_dump) *ast_dump = dump_ast(*m);
  return diags;
}

std::vector<std::string> top_level_functions(const std::string& path, const std::string& source) {
  auto m = parse_module_or_throw(std::make_shared<const SourceFile>(path, source));
  std::vector<std::string> defs;
  for (auto* s : m->body)
    if (s->kind == ast::StmtKind::FunctionDef) defs.push_back(s->name);
  return defs;
}

}  // namespace nkic::api
