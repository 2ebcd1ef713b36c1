// The language-subset check (src/frontend/subset_check.cpp): what it accepts, and the span, severity and
// wording of what it rejects. One golden file per rejected construct lives in tests/diagnostics/.
#include "frontend/subset_check.h"

#include <gtest/gtest.h>

#include "frontend/parser.h"

namespace nkic {
namespace {

struct Checked {
  std::unique_ptr<ast::Module> m;
  std::vector<Diagnostic> diags;
};

// Parses `text` and checks the function named `fn` (the first def if empty).
Checked check(const std::string& text, bool is_kernel = true, const std::string& fn = "") {
  Checked c;
  auto src = std::make_shared<const SourceFile>("t.py", text);
  std::vector<Diagnostic> syntax;
  c.m = parse_module(src, syntax);
  EXPECT_TRUE(syntax.empty()) << render(syntax);
  for (const ast::Stmt* s : c.m->body) {
    if (s->kind != ast::StmtKind::FunctionDef && s->kind != ast::StmtKind::AsyncFunctionDef) continue;
    if (!fn.empty() && s->name != fn) continue;
    c.diags = check_subset(s, src, is_kernel);
    return c;
  }
  ADD_FAILURE() << "no function " << fn;
  return c;
}

std::string where(const Diagnostic& d) {
  const Span& s = d.loc.span;
  return std::to_string(s.line) + ":" + std::to_string(s.col) + "-" + std::to_string(s.end_line) + ":" +
         std::to_string(s.end_col);
}

TEST(SubsetCheck, AcceptsWhatProductionKernelsUse) {
  auto c = check(R"(def k(a, b=None, mode=Mode.A, scale: float = 1.0):
    if b is None or b is not None or None is b:
        pass
    assert a.dtype in (nl.float32, nl.bfloat16) and "x" not in {"y": 1}, f"{a.shape[0]=} {scale:.3f} {mode!r:>8}"
    if a.shape[0] > 128:
        raise ValueError(f"too big: {a.shape}")
    with nl.no_reorder():
        t = nl.ndarray(a.shape, dtype=a.dtype, buffer=nl.sbuf)
    x, *rest = (1, 2, 3)
    shape = (*a.shape, 1)
    y = helper(*rest, **{"k": 1})
    def inner(v, w=2, *, z=3):
        return [i for i in v]
    class Cfg(nl.NKIObject):
        n: int = 4
    d = {"a": 1}
    s = a[0:128, ::2]
    n = 3 if x else 4
    n += 1
    for i in nl.affine_range(4):
        continue
    while False:
        break
    print(n)
    try:
        level = LEVELS[name]
    except (KeyError, IndexError) as e:
        raise ValueError(f"bad {e}") from e
    except:
        raise
    else:
        pass
    finally:
        pass
    return t
)");
  EXPECT_TRUE(c.diags.empty()) << render(c.diags);
}

// try/except/else/finally is accepted and every block in it is checked; only try/except* is rejected.
TEST(SubsetCheck, TryBlocksAreCheckedAndExceptStarIsRejected) {
  auto c = check(R"(def k(a):
    try:
        x = lambda: 1
    except [i for i in a]:
        del x
    else:
        y = {1}
    finally:
        global g
    try:
        pass
    except* ValueError:
        pass
)");
  std::vector<std::string> got;
  for (auto& d : c.diags) got.push_back(where(d) + " " + d.message.substr(0, 12));
  std::vector<std::string> want = {"3:12-3:21 'lambda' is ", "4:11-4:25 list compreh", "5:8-5:13 'del' statem",
                                   "7:12-7:15 set literals", "9:8-9:16 'global' sta",  "10:4-10:7 'try' statem"};
  EXPECT_EQ(got, want);
  EXPECT_NE(c.diags.back().hint.find("except*"), std::string::npos);
}

TEST(SubsetCheck, HelpersMayUseAnySignature) {
  const char* text = "def h(a, /, b=1, *args, c, d=2, **kw):\n    return a\n";
  EXPECT_TRUE(check(text, /*is_kernel=*/false).diags.empty());
  auto k = check(text, /*is_kernel=*/true);
  ASSERT_EQ(k.diags.size(), 2u) << render(k.diags);
  EXPECT_EQ(where(k.diags[0]), "1:17-1:22");  // *args, star included
  EXPECT_EQ(where(k.diags[1]), "1:32-1:36");  // **kw
}

TEST(SubsetCheck, KeywordOnlySeparatorSpanIsTheStar) {
  auto c = check("def k(a,\n      *,  # options\n      # more\n      b=1):\n    pass\n");
  ASSERT_EQ(c.diags.size(), 1u);
  EXPECT_EQ(c.diags[0].severity, Severity::Error);
  EXPECT_EQ(where(c.diags[0]), "2:6-2:7");
  EXPECT_NE(c.diags[0].hint.find("'b'"), std::string::npos);
}

TEST(SubsetCheck, IsBetweenValuesIsAccepted) {  // identity, as in Python (nki-library's tests use it)
  auto c = check("def k(a, b):\n    return a is b is None\n");
  EXPECT_TRUE(c.diags.empty());
}

TEST(SubsetCheck, ReportsEveryConstructInSourceOrder) {
  auto c = check(R"(def k(a):
    f = lambda x: x
    del f
    global g
    for i in a:
        pass
    else: pass
    try:
        pass
    except* E:
        pass
    s = {1}
    m = a @ a
    m @= a
)");
  std::vector<std::string> got;
  for (auto& d : c.diags) got.push_back(where(d) + " " + d.message.substr(0, 12));
  std::vector<std::string> want = {"2:8-2:19 'lambda' is ",   "3:4-3:9 'del' statem",   "4:4-4:12 'global' sta",
                                   "7:4-7:8 'for ... els",    "8:4-8:7 'try' statem",   "12:8-12:11 set literals",
                                   "13:8-13:13 the '@' oper", "14:4-14:10 the '@=' ope"};
  EXPECT_EQ(got, want);
}

TEST(SubsetCheck, NestedDefBodiesAreCheckedWhenCalledButDefaultsNow) {
  auto c = check("def k(a):\n    def inner(x=[i for i in a]):\n        return lambda: x\n    return inner\n");
  ASSERT_EQ(c.diags.size(), 1u);
  EXPECT_EQ(c.diags[0].message, "list comprehensions are not supported in NKI kernels");
  EXPECT_EQ(c.diags[0].loc.span.line, 2u);
}

TEST(SubsetCheck, LegacyNamespaceImportIsAWarning) {
  auto c = check(
      "def k(a):\n    import neuronxcc.nki.language as nl\n    from neuronxcc.nki.isa import nc_matmul\n"
      "    import numpy\n");
  ASSERT_EQ(c.diags.size(), 3u);
  EXPECT_EQ(c.diags[0].severity, Severity::Warning);
  EXPECT_EQ(c.diags[0].message, "'neuronxcc.nki.language' is the legacy NKI namespace");
  EXPECT_EQ(c.diags[0].hint, "use 'nki.language' (NKI 0.3.0)");
  EXPECT_EQ(c.diags[1].severity, Severity::Warning);
  EXPECT_EQ(c.diags[1].hint, "use 'nki.isa' (NKI 0.3.0)");
  EXPECT_EQ(c.diags[2].severity, Severity::Error);
  EXPECT_EQ(c.diags[2].message, "'import' inside a kernel function is not supported");
}

TEST(SubsetCheck, AsyncAndGeneratorsAreRejected) {
  auto c = check("async def k(a):\n    await a\n    async for i in a:\n        pass\n    yield a\n");
  ASSERT_EQ(c.diags.size(), 4u) << render(c.diags);
  EXPECT_EQ(where(c.diags[0]), "1:0-1:5");
  EXPECT_EQ(where(c.diags[2]), "3:4-3:9");
  EXPECT_EQ(c.diags[3].message, "'yield' is not supported in NKI kernels");
}

TEST(SubsetCheck, WhileElseOnOneLineFindsTheElse) {
  auto c = check("def k(a):\n    while a:\n        break\n    else: a = 1\n");
  ASSERT_EQ(c.diags.size(), 1u);
  EXPECT_EQ(where(c.diags[0]), "4:4-4:8");
}

}  // namespace
}  // namespace nkic
