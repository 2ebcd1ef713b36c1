// What a compile sees of the calling process (api::CompileOptions::host): the environment variables it
// read come back with the Kernel, and absolute imports are found in the search paths and module files.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "api/nkic.h"

using namespace nkic;

namespace {

const char* kKernel = R"(import os
import nki
import nki.isa as nisa
import nki.language as nl
{imports}

@nki.jit
def k(a):
    out = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.shared_hbm)
    for _ in range({count}):
        nisa.dma_copy(dst=out, src=a)
    return out
)";

std::string kernel(const std::string& imports, const std::string& count) {
  std::string s = kKernel;
  s.replace(s.find("{imports}"), 9, imports);
  s.replace(s.find("{count}"), 7, count);
  return s;
}

std::shared_ptr<api::Kernel> compile(const std::string& src, const api::CompileOptions& opts) {
  return api::compile("k.py", src, "k", {{"", ArgValue::tensor({4, 4}, DType::Float32)}}, opts);
}

}  // namespace

TEST(HostContext, EnvironmentReadsAreRecorded) {
  api::CompileOptions opts;
  opts.host.environment = std::map<std::string, std::string>{{"REPEAT", "3"}, {"OTHER", "x"}};
  auto k = compile(kernel("", "int(os.environ.get('REPEAT', '1')) + ('UNSET' in os.environ)"), opts);
  EXPECT_EQ(k->num_instructions(), 3u);
  const EnvReads& r = k->env_reads();
  ASSERT_EQ(r.vars.size(), 2u);
  EXPECT_EQ(r.vars[0].name, "REPEAT");
  EXPECT_EQ(r.vars[0].value, std::optional<std::string>("3"));
  EXPECT_EQ(r.vars[1].name, "UNSET");
  EXPECT_FALSE(r.vars[1].value.has_value());
  EXPECT_FALSE(r.all);

  auto none = compile(kernel("", "2"), opts);
  EXPECT_TRUE(none->env_reads().vars.empty());

  auto all = compile(kernel("", "len(os.environ.items())"), opts);
  EXPECT_EQ(all->num_instructions(), 2u);
  EXPECT_TRUE(all->env_reads().all);
  EXPECT_EQ(all->env_reads().vars.size(), 2u);
}

TEST(HostContext, WithoutACallerEnvironmentTheProcessEnvironmentIsRead) {
  ::setenv("NKIC_HOST_CONTEXT_TEST", "2", 1);
  auto k = compile(kernel("", "int(os.getenv('NKIC_HOST_CONTEXT_TEST', '1'))"), {});
  ::unsetenv("NKIC_HOST_CONTEXT_TEST");
  EXPECT_EQ(k->num_instructions(), 2u);
  ASSERT_EQ(k->env_reads().vars.size(), 1u);
  EXPECT_EQ(k->env_reads().vars[0].value, std::optional<std::string>("2"));
}

TEST(HostContext, AbsoluteImportsFromSearchPathsAndModuleFiles) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / ("nkic_host_context_" + std::to_string(::getpid()));
  fs::create_directories(root / "lib" / "nspkg" / "sub");  // a namespace package: no __init__.py
  fs::create_directories(root / "mods");
  std::ofstream(root / "lib" / "nspkg" / "sub" / "counts.py") << "COUNT = 3\n";
  std::ofstream(root / "mods" / "imported_elsewhere.py") << "EXTRA = 1\n";
  std::string src =
      kernel("import nspkg.sub.counts\nfrom some.dotted.name import EXTRA", "nspkg.sub.counts.COUNT + EXTRA");

  api::CompileOptions opts;
  try {
    compile(src, opts);
    ADD_FAILURE() << "expected the import to fail without a search path";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("module 'nspkg' is not available to kernels"), std::string::npos) << e.what();
  }
  opts.host.paths = {(root / "lib").string()};
  opts.host.files = {{"some.dotted.name", (root / "mods" / "imported_elsewhere.py").string()}};
  EXPECT_EQ(compile(src, opts)->num_instructions(), 4u);
  fs::remove_all(root);
}
