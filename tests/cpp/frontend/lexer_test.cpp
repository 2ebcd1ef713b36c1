#include "frontend/lexer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nkic::lex {
namespace {

struct Lexed {
  SourceRef src;
  std::vector<Token> toks;
  std::vector<Diagnostic> diags;
  std::string text(size_t i) const { return src->text().substr(toks[i].begin, toks[i].end - toks[i].begin); }
};

Lexed lex(const std::string& text) {
  Lexed l;
  l.src = std::make_shared<SourceFile>("t.py", text);
  l.toks = tokenize(l.src, l.diags);
  return l;
}

std::vector<Tok> kinds(const Lexed& l) {
  std::vector<Tok> k;
  for (const Token& t : l.toks) k.push_back(t.kind);
  return k;
}

std::string spans(const Lexed& l) {
  std::string out;
  for (const Token& t : l.toks) {
    out += std::string(spelling(t.kind)) + "@" + std::to_string(t.span.line) + ":" + std::to_string(t.span.col) + "-" +
           std::to_string(t.span.end_line) + ":" + std::to_string(t.span.end_col) + " ";
  }
  return out;
}

TEST(Lexer, SimpleStatement) {
  Lexed l = lex("x = foo(1, b=2.5)\n");
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(kinds(l), (std::vector<Tok>{Tok::Name, Tok::Equal, Tok::Name, Tok::LPar, Tok::Number, Tok::Comma, Tok::Name,
                                        Tok::Equal, Tok::Number, Tok::RPar, Tok::Newline, Tok::EndMarker}));
  EXPECT_EQ(l.text(2), "foo");
  EXPECT_EQ(l.text(8), "2.5");
  EXPECT_EQ(l.toks[2].span.col, 4u);
  EXPECT_EQ(l.toks[2].span.end_col, 7u);
}

TEST(Lexer, IndentDedentAndSpans) {
  Lexed l = lex("if x:\n    y\n\n    # c\n    z\nw\n");
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(spans(l),
            "if@1:0-1:2 NAME@1:3-1:4 :@1:4-1:5 NEWLINE@1:5-1:6 INDENT@2:0-2:4 NAME@2:4-2:5 NEWLINE@2:5-2:6 "
            "NAME@5:4-5:5 NEWLINE@5:5-5:6 DEDENT@6:0-6:0 NAME@6:0-6:1 NEWLINE@6:1-6:2 ENDMARKER@6:1-6:1 ");
}

TEST(Lexer, DedentsAtEofWithoutTrailingNewline) {
  Lexed l = lex("def f():\n  if x:\n    pass");
  EXPECT_TRUE(l.diags.empty());
  auto k = kinds(l);
  ASSERT_GE(k.size(), 4u);
  EXPECT_EQ(k[k.size() - 4], Tok::Newline);
  EXPECT_EQ(k[k.size() - 3], Tok::Dedent);
  EXPECT_EQ(k[k.size() - 2], Tok::Dedent);
  EXPECT_EQ(k.back(), Tok::EndMarker);
  // EOF tokens sit at the end of the file's last line, where CPython reports EOF errors.
  EXPECT_EQ(l.toks.back().span.line, 3u);
  EXPECT_EQ(l.toks.back().span.col, 8u);
}

TEST(Lexer, ImplicitAndExplicitLineJoining) {
  Lexed l = lex("x = (1,\n     2) + \\\n  3\n");
  EXPECT_TRUE(l.diags.empty());
  int newlines = 0;
  for (Tok k : kinds(l)) newlines += k == Tok::Newline;
  EXPECT_EQ(newlines, 1);
  EXPECT_EQ(l.toks[5].span.line, 2u);  // `2`
  EXPECT_EQ(l.toks[8].span.line, 3u);  // `3`
  EXPECT_EQ(l.toks[8].span.col, 2u);
}

TEST(Lexer, OperatorsLongestMatch) {
  Lexed l = lex("a **= b //= c -> d := e ... f != g <<= h >>= i @= j ** k // l\n");
  EXPECT_TRUE(l.diags.empty());
  std::vector<Tok> ops;
  for (Tok k : kinds(l))
    if (k != Tok::Name && k != Tok::Newline && k != Tok::EndMarker) ops.push_back(k);
  EXPECT_EQ(ops, (std::vector<Tok>{Tok::DoubleStarEqual, Tok::DoubleSlashEqual, Tok::RArrow, Tok::ColonEqual,
                                   Tok::Ellipsis, Tok::NotEqual, Tok::LeftShiftEqual, Tok::RightShiftEqual,
                                   Tok::AtEqual, Tok::DoubleStar, Tok::DoubleSlash}));
}

TEST(Lexer, KeywordsAndSoftKeywords) {
  Lexed l = lex("if match case _ lambda None async await x\n");
  EXPECT_EQ(kinds(l), (std::vector<Tok>{Tok::If, Tok::Name, Tok::Name, Tok::Name, Tok::Lambda, Tok::None, Tok::Async,
                                        Tok::Await, Tok::Name, Tok::Newline, Tok::EndMarker}));
  EXPECT_STREQ(spelling(Tok::Lambda), "lambda");
  EXPECT_STREQ(spelling(Tok::LPar), "(");
  EXPECT_TRUE(is_keyword(Tok::Yield));
  EXPECT_FALSE(is_keyword(Tok::Name));
}

TEST(Lexer, StringPrefixesAndTripleQuotes) {
  Lexed l = lex("a = rb'x' Rb\"y\" f'{z}' u'w' BR'v' 'q'\ns = '''one\ntwo''' + 1\n");
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.toks[2].kind, Tok::String);
  EXPECT_EQ(l.text(2), "rb'x'");
  EXPECT_EQ(l.text(3), "Rb\"y\"");
  EXPECT_EQ(l.text(4), "f'{z}'");
  EXPECT_EQ(l.text(5), "u'w'");
  EXPECT_EQ(l.text(6), "BR'v'");
  const Token& triple = l.toks[11];
  EXPECT_EQ(triple.kind, Tok::String);
  EXPECT_EQ(triple.span.line, 2u);
  EXPECT_EQ(triple.span.col, 4u);
  EXPECT_EQ(triple.span.end_line, 3u);
  EXPECT_EQ(triple.span.end_col, 6u);
  // `ur` is not a prefix: it is a name followed by a string.
  Lexed u = lex("ur'x'\n");
  EXPECT_EQ(u.toks[0].kind, Tok::Name);
  EXPECT_EQ(u.toks[1].kind, Tok::String);
}

TEST(Lexer, Numbers) {
  Lexed l = lex("0 00 0_0 1_000 0x_Ff 0o17 0b1_0 1. .5 1e10 1E+5 1.5e-3 3j 1_0.0_1J 09.5 0e0\n");
  EXPECT_TRUE(l.diags.empty()) << (l.diags.empty() ? "" : l.diags[0].message);
  for (size_t i = 0; i + 2 < l.toks.size(); ++i) EXPECT_EQ(l.toks[i].kind, Tok::Number) << i;
  // A keyword directly after a number is accepted (CPython only warns).
  Lexed k = lex("x = 1if y else 2\n");
  EXPECT_TRUE(k.diags.empty());
  EXPECT_EQ(k.toks[2].kind, Tok::Number);
  EXPECT_EQ(k.toks[3].kind, Tok::If);
}

TEST(Lexer, NumberErrors) {
  struct Case {
    const char* src;
    const char* msg;
  } cases[] = {
      {"x = 0777\n",
       "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"},
      {"x = 1__0\n", "invalid decimal literal"},
      {"x = 1_\n", "invalid decimal literal"},
      {"x = 1abc\n", "invalid decimal literal"},
      {"x = 0b12\n", "invalid digit '2' in binary literal"},
      {"x = 0o8\n", "invalid digit '8' in octal literal"},
      {"x = 0x\n", "invalid hexadecimal literal"},
      {"x = 1e+\n", "invalid decimal literal"},
      {"x = 3jx\n", "invalid imaginary literal"},
  };
  for (const Case& c : cases) {
    Lexed l = lex(c.src);
    ASSERT_FALSE(l.diags.empty()) << c.src;
    EXPECT_EQ(l.diags[0].message, c.msg) << c.src;
    EXPECT_EQ(l.diags[0].loc.span.line, 1u);
  }
}

TEST(Lexer, StringErrors) {
  Lexed a = lex("x = 'abc\ny = 1\n");
  ASSERT_EQ(a.diags.size(), 1u);
  EXPECT_EQ(a.diags[0].message, "unterminated string literal (detected at line 1)");
  EXPECT_EQ(a.diags[0].loc.span.col, 4u);
  // Lexing continues on the next line.
  EXPECT_EQ(a.toks.back().kind, Tok::EndMarker);
  Lexed b = lex("x = 1\ns = \"\"\"abc\n\n");
  ASSERT_EQ(b.diags.size(), 1u);
  EXPECT_EQ(b.diags[0].message, "unterminated triple-quoted string literal (detected at line 3)");
  EXPECT_EQ(b.diags[0].loc.span.line, 2u);
}

TEST(Lexer, BracketErrors) {
  Lexed a = lex("x = )\n");
  ASSERT_EQ(a.diags.size(), 1u);
  EXPECT_EQ(a.diags[0].message, "unmatched ')'");
  Lexed b = lex("x = [1, 2)\n");
  ASSERT_GE(b.diags.size(), 1u);
  EXPECT_EQ(b.diags[0].message, "closing parenthesis ')' does not match opening parenthesis '['");
  Lexed c = lex("x = (1,\n 2\n");
  ASSERT_EQ(c.diags.size(), 1u);
  EXPECT_EQ(c.diags[0].message, "'(' was never closed");
  EXPECT_EQ(c.diags[0].loc.span.line, 1u);
  EXPECT_EQ(c.diags[0].loc.span.col, 4u);
}

TEST(Lexer, IndentationErrors) {
  Lexed a = lex("if x:\n    a\n  b\n");
  ASSERT_EQ(a.diags.size(), 1u);
  EXPECT_EQ(a.diags[0].message, "unindent does not match any outer indentation level");
  EXPECT_EQ(a.diags[0].loc.span.line, 3u);
  Lexed b = lex("if x:\n\ta\n        b\n");
  ASSERT_EQ(b.diags.size(), 1u);
  EXPECT_EQ(b.diags[0].message, "inconsistent use of tabs and spaces in indentation");
  // Tabs alone are fine, and a tab counts to the next multiple of 8.
  Lexed c = lex("if x:\n\ta\n\tb\n");
  EXPECT_TRUE(c.diags.empty());
}

TEST(Lexer, InvalidCharacters) {
  Lexed a = lex("x = a € b\n");
  ASSERT_EQ(a.diags.size(), 1u);
  EXPECT_EQ(a.diags[0].message, "invalid character '€' (U+20AC)");
  EXPECT_EQ(a.diags[0].loc.span.col, 6u);
  Lexed c = lex(std::string("x = 1\n\0y\n", 9));
  ASSERT_FALSE(c.diags.empty());
  EXPECT_EQ(c.diags[0].message, "source code string cannot contain null bytes");
  EXPECT_EQ(c.diags[0].loc.span.line, 2u);
  // Invalid UTF-8 is an error where CPython decodes it: in names (here) and string literals (the
  // parser), not in comments.
  Lexed d = lex("x = a\xff\n");
  ASSERT_EQ(d.diags.size(), 1u);
  EXPECT_EQ(d.diags[0].message,
            "(unicode error) 'utf-8' codec can't decode byte 0xff in position 1: invalid start byte");
  EXPECT_EQ(d.diags[0].loc.span.col, 5u);
  EXPECT_TRUE(lex("x = 1  # \xff\xfe\n").diags.empty());
  Lexed e = lex("x = a \\ b\n");
  ASSERT_EQ(e.diags.size(), 1u);
  EXPECT_EQ(e.diags[0].message, "unexpected character after line continuation character");
  // Identifiers may be non-ASCII; `$` is an unknown token left to the parser.
  Lexed f = lex("日本 = π $\n");
  EXPECT_TRUE(f.diags.empty());
  EXPECT_EQ(f.toks[0].kind, Tok::Name);
  EXPECT_EQ(f.toks[2].kind, Tok::Name);
  EXPECT_EQ(f.toks[3].kind, Tok::Unknown);
}

TEST(Lexer, CrLfAndBom) {
  Lexed l = lex("\xEF\xBB\xBFx = 1\r\nif y:\r\n    z\r\n");
  EXPECT_TRUE(l.diags.empty());
  EXPECT_EQ(l.toks[0].span.col, 0u);  // columns start after the BOM
  EXPECT_EQ(l.toks[4].kind, Tok::If);
  EXPECT_EQ(l.toks[4].span.line, 2u);
  EXPECT_EQ(l.toks[8].kind, Tok::Indent);
}

TEST(Lexer, NeverReadsPastTheEnd) {
  // Truncated inputs of every kind must terminate with ENDMARKER.
  const char* inputs[] = {"'",    "'''",      "\"\"\"a", "f'{", "0x", "1e", "1.",       "\\", "(",  "if x:\n  ",
                          "\xe6", "\xe6\x97", "rb",      "#",   "\t", "\f", "x = \\\n", "0_", "..", "\r"};
  for (const char* in : inputs) {
    Lexed l = lex(in);
    ASSERT_FALSE(l.toks.empty()) << in;
    EXPECT_EQ(l.toks.back().kind, Tok::EndMarker) << in;
  }
}

TEST(Lexer, TokenizeRangeForFStringFields) {
  auto src = std::make_shared<SourceFile>("t.py", "s = f'{a +\n b}'\n");
  std::vector<Diagnostic> diags;
  // The field text `a +\n b` starts at byte 7 (line 1, which starts at byte 0).
  auto toks = tokenize_range(src, 7, 13, 1, 0, diags);
  EXPECT_TRUE(diags.empty());
  ASSERT_EQ(toks.size(), 4u);
  EXPECT_EQ(toks[0].kind, Tok::Name);
  EXPECT_EQ(toks[0].span.col, 7u);
  EXPECT_EQ(toks[2].kind, Tok::Name);
  EXPECT_EQ(toks[2].span.line, 2u);
  EXPECT_EQ(toks[2].span.col, 1u);
  EXPECT_EQ(toks[3].kind, Tok::EndMarker);
}

TEST(Literals, DecodeNumber) {
  EXPECT_EQ(decode_number("1_000").ival, 1000);
  EXPECT_EQ(decode_number("0x_ff").ival, 255);
  EXPECT_EQ(decode_number("0o17").ival, 15);
  EXPECT_EQ(decode_number("0B101").ival, 5);
  EXPECT_EQ(decode_number("00").ival, 0);
  EXPECT_EQ(decode_number("9223372036854775807").kind, NumberValue::Int);
  NumberValue big = decode_number("9223372036854775808");
  EXPECT_EQ(big.kind, NumberValue::BigInt);
  EXPECT_EQ(big.big, "9223372036854775808");
  NumberValue hex = decode_number("0xFFFFFFFFFFFFFFFFFFFF");
  EXPECT_EQ(hex.kind, NumberValue::BigInt);
  EXPECT_EQ(hex.big, "1208925819614629174706175");
  NumberValue f = decode_number("1.5e-3");
  EXPECT_EQ(f.kind, NumberValue::Float);
  EXPECT_DOUBLE_EQ(f.fval, 1.5e-3);
  EXPECT_EQ(decode_number("1e400").fval, HUGE_VAL);
  NumberValue c = decode_number("2.5J");
  EXPECT_EQ(c.kind, NumberValue::Complex);
  EXPECT_DOUBLE_EQ(c.fval, 2.5);
  EXPECT_EQ(decode_number("10").kind, NumberValue::Int);
  EXPECT_EQ(decode_number("1.").kind, NumberValue::Float);
}

std::string decode(std::string_view body, bool raw = false, bool bytes = false) {
  std::string out, err;
  EXPECT_TRUE(decode_string_body(body, raw, bytes, out, err)) << err;
  return out;
}

TEST(Literals, DecodeEscapes) {
  EXPECT_EQ(decode("a\\nb\\t\\\\\\'\\\""), "a\nb\t\\'\"");
  EXPECT_EQ(decode("\\x41\\101\\7\\0"), std::string("AA\a\0", 4));
  EXPECT_EQ(decode("\\u00e9\\U0001F600"), "\xC3\xA9\xF0\x9F\x98\x80");
  EXPECT_EQ(decode("\\N{EM DASH}\\N{bullet}"), "\xE2\x80\x94\xE2\x80\xA2");
  EXPECT_EQ(decode("\\d\\w"), "\\d\\w");  // unknown escapes are kept
  EXPECT_EQ(decode("a\\\nb"), "ab");      // escaped newline
  EXPECT_EQ(decode("a\r\nb\rc"), "a\nb\nc");
  EXPECT_EQ(decode("\\ud800"), "\xED\xA0\x80");  // lone surrogate, surrogatepass-encoded
  EXPECT_EQ(decode("\\400"), "\xC4\x80");        // octal above 0o377 is a code point in str
  EXPECT_EQ(decode("\\n\\x41", true), "\\n\\x41");
  EXPECT_EQ(decode("\\xff\\777\\u1234", false, true), "\xff\xff\\u1234");
}

TEST(Literals, DecodeErrors) {
  std::string out, err;
  EXPECT_FALSE(decode_string_body("\\x4", false, false, out, err));
  EXPECT_NE(err.find("truncated \\xXX escape"), std::string::npos);
  EXPECT_FALSE(decode_string_body("\\x4", false, true, out, err));
  EXPECT_NE(err.find("invalid \\x escape"), std::string::npos);
  EXPECT_FALSE(decode_string_body("\\U00110000", false, false, out, err));
  EXPECT_NE(err.find("illegal Unicode character"), std::string::npos);
  EXPECT_FALSE(decode_string_body("\\N{NO SUCH NAME}", false, false, out, err));
  EXPECT_NE(err.find("unknown Unicode character name"), std::string::npos);
  EXPECT_FALSE(decode_string_body("\xC3\xA9", false, true, out, err));
  EXPECT_EQ(err, "bytes can only contain ASCII literal characters");
  EXPECT_FALSE(decode_string_body("a\xE6\x97", true, false, out, err));
  EXPECT_EQ(err, "(unicode error) 'utf-8' codec can't decode bytes in position 1-2: unexpected end of data");
  EXPECT_FALSE(decode_string_body("\xED\xA0\x80", false, false, out, err));
  EXPECT_EQ(err, "(unicode error) 'utf-8' codec can't decode byte 0xed in position 0: invalid continuation byte");
}

TEST(Literals, SplitStringToken) {
  StringParts p = split_string_token("Rb'''x'''");
  EXPECT_TRUE(p.raw);
  EXPECT_TRUE(p.bytes);
  EXPECT_FALSE(p.fstring);
  EXPECT_EQ(p.quote_len, 3);
  EXPECT_EQ(p.body, "x");
  EXPECT_EQ(p.body_offset, 5u);
  StringParts q = split_string_token("u''");
  EXPECT_TRUE(q.u);
  EXPECT_EQ(q.quote_len, 1);
  EXPECT_EQ(q.body, "");
  StringParts e = split_string_token("''''''");
  EXPECT_EQ(e.quote_len, 3);
  EXPECT_EQ(e.body, "");
}

}  // namespace
}  // namespace nkic::lex
