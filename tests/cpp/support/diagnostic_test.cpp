#include "support/diagnostic.h"

#include <gtest/gtest.h>

#include <memory>

namespace nkic {
namespace {

SourceRef make_file(const std::string& path, const std::string& text) {
  return std::make_shared<SourceFile>(path, text);
}

Diagnostic error_at(SourceRef f, Span sp, std::string msg, std::string hint = "") {
  Diagnostic d;
  d.loc = Location{std::move(f), sp};
  d.message = std::move(msg);
  d.hint = std::move(hint);
  return d;
}

TEST(SourceFile, LinesAndLineEndings) {
  SourceFile f("x.py", "a\nbc\r\nd\re\n");
  EXPECT_EQ(f.num_lines(), 4u);
  EXPECT_EQ(f.line(1), "a");
  EXPECT_EQ(f.line(2), "bc");
  EXPECT_EQ(f.line(3), "d");
  EXPECT_EQ(f.line(4), "e");
  EXPECT_EQ(f.line(0), "");
  EXPECT_EQ(f.line(5), "");
  SourceFile g("y.py", "no newline");
  EXPECT_EQ(g.num_lines(), 1u);
  EXPECT_EQ(g.line(1), "no newline");
  SourceFile empty("z.py", "");
  EXPECT_EQ(empty.num_lines(), 1u);
  EXPECT_EQ(empty.line(1), "");
}

TEST(Render, HouseFormatWithHint) {
  std::string text;
  for (int i = 1; i < 12; ++i) text += "\n";
  text += "    a = nl.ndarray((256, 512), dtype=nl.float32)\n";
  auto f = make_file("kernels/add.py", text);
  Diagnostic d = error_at(f, Span{12, 19, 12, 29}, "partition dimension 256 exceeds the maximum of 128",
                          "split the partition dimension into tiles of nl.tile_size.pmax (128)");
  EXPECT_EQ(render(d),
            "File \"kernels/add.py\", line 12, col 20\n"
            "    a = nl.ndarray((256, 512), dtype=nl.float32)\n"
            "                   ^^^^^^^^^^\n"
            "error: partition dimension 256 exceeds the maximum of 128\n"
            "hint: split the partition dimension into tiles of nl.tile_size.pmax (128)\n");
}

TEST(Render, UnindentedLineAndSeverities) {
  auto f = make_file("k.py", "x = foo(1)\n");
  Diagnostic d = error_at(f, Span{1, 4, 1, 7}, "bad call");
  d.severity = Severity::Warning;
  EXPECT_EQ(render(d),
            "File \"k.py\", line 1, col 5\n"
            "    x = foo(1)\n"
            "        ^^^\n"
            "warning: bad call\n");
  d.severity = Severity::Note;
  EXPECT_EQ(render(d).substr(render(d).rfind("note:")), "note: bad call\n");
}

TEST(Render, AtLeastOneCaret) {
  auto f = make_file("k.py", "abc\n");
  EXPECT_EQ(render(error_at(f, Span{1, 1, 1, 1}, "m")), "File \"k.py\", line 1, col 2\n    abc\n     ^\nerror: m\n");
  // A caret at the end of the line (e.g. a missing ':').
  EXPECT_EQ(render(error_at(f, Span{1, 3, 1, 4}, "m")), "File \"k.py\", line 1, col 4\n    abc\n       ^\nerror: m\n");
}

TEST(Render, MultiLineSpanUnderlinesToEndOfFirstLine) {
  auto f = make_file("k.py", "  f(a,\n    b)\n");
  EXPECT_EQ(render(error_at(f, Span{1, 2, 2, 6}, "m")),
            "File \"k.py\", line 1, col 3\n"
            "    f(a,\n"
            "    ^^^^\n"
            "error: m\n");
}

TEST(Render, TabsAreExpandedAndLeadingWhitespaceStripped) {
  auto f = make_file("k.py", "\tif x:\n\t\ty =\tz\n");
  // `z` is byte 6 of line 2: "\t\ty =\tz" -> stripped "y =\tz" with the tab expanded to column 8.
  EXPECT_EQ(render(error_at(f, Span{2, 6, 2, 7}, "m")),
            "File \"k.py\", line 2, col 7\n"
            "    y =     z\n"
            "            ^\n"
            "error: m\n");
}

TEST(Render, NonAsciiColumnsCountCodePoints) {
  auto f = make_file("k.py", "s = 'é' + x\n");
  // 'é' is two bytes: `x` is at byte 11, code point 10.
  EXPECT_EQ(render(error_at(f, Span{1, 11, 1, 12}, "m")),
            "File \"k.py\", line 1, col 11\n"
            "    s = 'é' + x\n"
            "              ^\n"
            "error: m\n");
}

TEST(Render, NoLocation) {
  Diagnostic d;
  d.message = "kernel has no outputs";
  EXPECT_EQ(render(d), "error: kernel has no outputs\n");
  d.hint = "return a tensor";
  EXPECT_EQ(render(d), "error: kernel has no outputs\nhint: return a tensor\n");
}

TEST(Render, StackAndNotes) {
  auto kernel = make_file("kernel.py", "def k():\n    helper(x)\n");
  auto helper = make_file("helper.py", "def helper(t):\n    return t[0:256]\n");
  Diagnostic d = error_at(helper, Span{2, 11, 2, 19}, "slice exceeds partition dimension");
  d.stack.push_back(Location{kernel, Span{2, 4, 2, 13}});
  Diagnostic note = error_at(kernel, Span{2, 11, 2, 12}, "tensor declared here");
  d.notes.push_back(note);
  EXPECT_EQ(render(d),
            "File \"kernel.py\", line 2, col 5, in call\n"
            "    helper(x)\n"
            "File \"helper.py\", line 2, col 12\n"
            "    return t[0:256]\n"
            "           ^^^^^^^^\n"
            "error: slice exceeds partition dimension\n"
            "File \"kernel.py\", line 2, col 12\n"
            "    helper(x)\n"
            "           ^\n"
            "note: tensor declared here\n");
}

TEST(Render, MultipleDiagnosticsSeparatedByBlankLine) {
  auto f = make_file("k.py", "a\nb\n");
  std::vector<Diagnostic> ds{error_at(f, Span{1, 0, 1, 1}, "first"), error_at(f, Span{2, 0, 2, 1}, "second")};
  EXPECT_EQ(render(ds),
            "File \"k.py\", line 1, col 1\n    a\n    ^\nerror: first\n"
            "\n"
            "File \"k.py\", line 2, col 1\n    b\n    ^\nerror: second\n");
}

TEST(UserError, WhatIsTheRenderedText) {
  auto f = make_file("k.py", "x = 1\n");
  Diagnostic d = error_at(f, Span{1, 4, 1, 5}, "bad", "fix it");
  UserError e(d);
  EXPECT_EQ(std::string(e.what()), render(d));
  EXPECT_EQ(e.diagnostics().size(), 1u);
  EXPECT_EQ(e.first().message, "bad");
  EXPECT_EQ(e.kind, "compile");
  UserError two(std::vector<Diagnostic>{d, d});
  EXPECT_EQ(std::string(two.what()), render(d) + "\n" + render(d));
}

}  // namespace
}  // namespace nkic
