// Unicode in the front end: \N{...} names, PEP 263 source encodings, PEP 3131 identifiers. The
// expectations are CPython 3.11's (ast.parse); tests/frontend/corpus/ has files for the same cases
// that test_frontend_corpus.py compares with CPython directly.
#include "frontend/unicode.h"

#include <gtest/gtest.h>

#include <string>

#include "frontend/lexer.h"
#include "frontend/parser.h"

namespace nkic {
namespace {

struct Parsed {
  std::unique_ptr<ast::Module> m;
  std::vector<Diagnostic> diags;
  std::string dump() const { return dump_ast(*m); }
  std::string error() const { return diags.empty() ? "" : diags[0].message; }
};

Parsed parse(const std::string& text) {
  Parsed p;
  p.m = parse_module(std::make_shared<SourceFile>("t.py", text), p.diags);
  return p;
}

// The value of `x = <literal>` as the dump prints it.
std::string value_of(const std::string& src) {
  Parsed p = parse(src);
  EXPECT_TRUE(p.diags.empty()) << src << ": " << p.error();
  std::string d = p.dump();
  size_t at = d.find("value=");
  return at == std::string::npos ? d : d.substr(at + 6, d.find('\n', at) - at - 6);
}

uint32_t cp_of(std::string_view name) {
  uint32_t cp = 0;
  return unicode::lookup_name(name, cp) ? cp : 0xFFFFFFFF;
}

TEST(UnicodeNames, Lookup) {
  EXPECT_EQ(cp_of("LATIN SMALL LETTER A"), 0x61u);
  EXPECT_EQ(cp_of("latin small letter e with acute"), 0xE9u);  // case-insensitive
  EXPECT_EQ(cp_of("Greek Pi Symbol"), 0x3D6u);
  EXPECT_EQ(cp_of("DAGGER"), 0x2020u);
  EXPECT_EQ(cp_of("BYTE ORDER MARK"), 0xFEFFu);  // formal aliases
  EXPECT_EQ(cp_of("nul"), 0u);
  EXPECT_EQ(cp_of("VS17"), 0xE0100u);
  EXPECT_EQ(cp_of("LATIN CAPITAL LETTER GHA"), 0x1A2u);  // a correction alias
  EXPECT_EQ(cp_of("LATIN SMALL LETTER  A"), 0xFFFFFFFFu);
  EXPECT_EQ(cp_of("LATIN CAPITAL LETTER A WITH MACRON AND GRAVE"), 0xFFFFFFFFu);  // named sequences: no
  EXPECT_EQ(cp_of(""), 0xFFFFFFFFu);
  EXPECT_EQ(cp_of("ZZZZ"), 0xFFFFFFFFu);
  EXPECT_EQ(cp_of("LATIN SMALL LETTER \xC3\xA9"), 0xFFFFFFFFu);
}

TEST(UnicodeNames, Algorithmic) {
  EXPECT_EQ(cp_of("HANGUL SYLLABLE GA"), 0xAC00u);
  EXPECT_EQ(cp_of("HANGUL SYLLABLE GAG"), 0xAC01u);
  EXPECT_EQ(cp_of("HANGUL SYLLABLE HIH"), 0xD7A3u);
  EXPECT_EQ(cp_of("HANGUL SYLLABLE A"), 0xC544u);
  EXPECT_EQ(cp_of("hangul syllable A"), 0xFFFFFFFFu);  // algorithmic names are case-sensitive in CPython
  EXPECT_EQ(cp_of("HANGUL SYLLABLE ga"), 0xFFFFFFFFu);
  EXPECT_EQ(cp_of("HANGUL SYLLABLE GAX"), 0xFFFFFFFFu);
  EXPECT_EQ(cp_of("CJK UNIFIED IDEOGRAPH-4E00"), 0x4E00u);
  EXPECT_EQ(cp_of("CJK UNIFIED IDEOGRAPH-20000"), 0x20000u);
  EXPECT_EQ(cp_of("cjk unified ideograph-20000"), 0xFFFFFFFFu);
  EXPECT_EQ(cp_of("CJK UNIFIED IDEOGRAPH-04E00"), 0x4E00u);     // 4 or 5 digits
  EXPECT_EQ(cp_of("CJK UNIFIED IDEOGRAPH-4e00"), 0xFFFFFFFFu);  // upper-case hex only
  EXPECT_EQ(cp_of("CJK UNIFIED IDEOGRAPH-0041"), 0xFFFFFFFFu);  // not an ideograph
  EXPECT_EQ(cp_of("CJK COMPATIBILITY IDEOGRAPH-f900"), 0xF900u);
  EXPECT_EQ(cp_of("CJK COMPATIBILITY IDEOGRAPH-0F900"), 0xFFFFFFFFu);
  EXPECT_EQ(cp_of("NUSHU CHARACTER-1B170"), 0x1B170u);
  EXPECT_EQ(cp_of("TANGUT COMPONENT-001"), 0x18800u);
  if (std::string(unicode::unicode_version()) == "14.0.0") {
    EXPECT_EQ(cp_of("KHITAN SMALL SCRIPT CHARACTER-18B00"), 0x18B00u);
    EXPECT_EQ(cp_of("TANGUT IDEOGRAPH-17000"), 0xFFFFFFFFu);  // CPython 3.11 has no Tangut ideograph names
  }
}

TEST(UnicodeNames, InStringLiterals) {
  EXPECT_EQ(value_of("x = '\\N{DAGGER}\\N{bullet}'\n"), "'\\xe2\\x80\\xa0\\xe2\\x80\\xa2'");
  EXPECT_EQ(value_of("x = '\\N{HANGUL SYLLABLE GAG}'\n"), "'\\xea\\xb0\\x81'");
  EXPECT_EQ(value_of("x = f'{1}\\N{GREEK SMALL LETTER ALPHA}'\n"), "1");  // the first Constant is the field's 1
  EXPECT_EQ(value_of("x = b'\\N{DAGGER}'\n"), "b'\\x5cN{DAGGER}'");       // not an escape in bytes
  EXPECT_EQ(value_of("x = r'\\N{DAGGER}'\n"), "'\\x5cN{DAGGER}'");
}

TEST(UnicodeNames, Errors) {
  auto err = [](const std::string& src) { return parse(src).error(); };
  const std::string unknown = "(unicode error) 'unicodeescape' codec can't decode bytes in position ";
  EXPECT_EQ(err("x = '\\N{NO SUCH NAME}'\n"), unknown + "0-15: unknown Unicode character name");
  // Positions count each non-ASCII character as the 10-byte \U escape CPython rewrites it to.
  EXPECT_EQ(err("x = '\xC3\xA9\\N{foo}'\n"), unknown + "10-16: unknown Unicode character name");
  EXPECT_EQ(err("x = '\\N{\xC3\xA9}'\n"), unknown + "0-13: unknown Unicode character name");
  EXPECT_EQ(err("x = '\xC3\xA9\\N{}'\n"), unknown + "10-12: malformed \\N character escape");
  EXPECT_EQ(err("x = '\\N{cjk unified ideograph-4e00}'\n"), unknown + "0-29: unknown Unicode character name");
  Parsed p = parse("a = 1\nx = f'\\N{nope}'\n");
  ASSERT_FALSE(p.diags.empty());
  EXPECT_EQ(p.diags[0].loc.span.line, 2u);
  EXPECT_NE(p.error().find("unknown Unicode character name"), std::string::npos);
}

// ---- source encodings ----

TEST(SourceEncoding, Latin1) {
  // "é" (0xE9) in a string and in a comment; columns count UTF-8 bytes of the decoded line.
  Parsed p = parse("# -*- coding: latin-1 -*-\nx = '\xE9t\xE9'  # caf\xE9\ny = 1\n");
  ASSERT_TRUE(p.diags.empty()) << p.error();
  EXPECT_NE(p.dump().find("Constant 2:4-2:11 value='\\xc3\\xa9t\\xc3\\xa9'"), std::string::npos) << p.dump();
  Parsed q = parse("#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-15 :\n\xE9 = '\xA4'\n");
  ASSERT_TRUE(q.diags.empty()) << q.error();
  EXPECT_NE(q.dump().find("Name 3:0-3:2 id='\\xc3\\xa9'"), std::string::npos) << q.dump();
  EXPECT_NE(q.dump().find("value='\\xe2\\x82\\xac'"), std::string::npos);  // iso-8859-15 0xA4 is the euro sign
}

TEST(SourceEncoding, SingleByteCodecs) {
  EXPECT_EQ(value_of("# coding: cp1252\nx = '\x80\x96'\n"), "'\\xe2\\x82\\xac\\xe2\\x80\\x93'");
  EXPECT_EQ(value_of("# coding: koi8-r\nx = '\xC1'\n"), "'\\xd0\\xb0'");     // Cyrillic a
  EXPECT_EQ(value_of("# coding: mac-roman\nx = '\x80'\n"), "'\\xc3\\x84'");  // A diaeresis
  EXPECT_EQ(value_of("# coding=windows-1251\r\nx = '\xE0'\r\n"), "'\\xd0\\xb0'");
  EXPECT_EQ(value_of("# coding: latin1\n\n\nx = '\xFF'\n"), "'\\xc3\\xbf'");
}

TEST(SourceEncoding, DeclarationPlacement) {
  // Only lines 1 and 2, line 2 only after a blank or comment line; the name must follow "coding[:=]".
  EXPECT_EQ(parse("x = 1\n# coding: latin-1\ny = '\xE9'\n").error(),
            "(unicode error) 'utf-8' codec can't decode byte 0xe9 in position 0: unexpected end of data");
  EXPECT_EQ(parse("#\n#\n# coding: latin-1\ny = '\xE9'\n").error(),
            "(unicode error) 'utf-8' codec can't decode byte 0xe9 in position 0: unexpected end of data");
  EXPECT_EQ(value_of("\n# coding: latin-1\ny = '\xE9'\n"), "'\\xc3\\xa9'");
  EXPECT_EQ(value_of("# coding latin-1 coding: cp1252\ny = '\x80'\n"), "'\\xe2\\x82\\xac'");
}

TEST(SourceEncoding, Bom) {
  EXPECT_EQ(value_of("\xEF\xBB\xBFx = '\xC3\xA9'\n"), "'\\xc3\\xa9'");
  EXPECT_EQ(value_of("\xEF\xBB\xBF# coding: utf-8\nx = '\xC3\xA9'\n"), "'\\xc3\\xa9'");
  EXPECT_EQ(parse("\xEF\xBB\xBF# coding: latin-1\nx = 1\n").error(), "encoding problem: iso-8859-1 with BOM");
  EXPECT_EQ(parse("\xEF\xBB\xBF# coding: UTF8\nx = 1\n").error(), "encoding problem: UTF8 with BOM");
}

TEST(SourceEncoding, Errors) {
  Parsed p = parse("# coding: Foo_Bar\nx = 1\n");
  ASSERT_EQ(p.diags.size(), 1u);
  EXPECT_EQ(p.error(), "unknown encoding: Foo_Bar");
  EXPECT_EQ(p.diags[0].loc.span.line, 1u);
  EXPECT_EQ(p.diags[0].loc.span.col, 10u);
  EXPECT_EQ(parse("# coding: mbcs\nx = 1\n").error(), "unknown encoding: mbcs");
  EXPECT_EQ(parse("# coding: cp1252\nx = '\x81'\n").error(),
            "'charmap' codec can't decode byte 0x81 in position 22: character maps to <undefined>");
  EXPECT_EQ(parse("# coding: ascii\nx = '\xE9'\n").error(),
            "'ascii' codec can't decode byte 0xe9 in position 21: ordinal not in range(128)");
  // A utf-8 alias that is not spelled "utf-8" makes CPython decode the whole file, comments included.
  EXPECT_EQ(parse("# coding: utf8\nx = 1  # \xFF\n").error(),
            "'utf-8' codec can't decode byte 0xff in position 24: invalid start byte");
  EXPECT_TRUE(parse("# coding: utf-8\nx = 1  # \xFF\n").diags.empty());
  EXPECT_EQ(parse("# coding: rot13\nx = 1\n").error(),
            "'rot13' is not a text encoding; use codecs.decode() to handle arbitrary codecs");
  // Multi-byte codecs: pure ASCII files are fine, other text gets a clear diagnostic.
  EXPECT_TRUE(parse("# coding: shift_jis\nx = 'abc'\n").diags.empty());
  EXPECT_EQ(
      parse("# coding: shift_jis\nx = '\x82\xA0'\n").error().rfind("source encoding 'shift_jis' is not supported", 0),
      0u);
}

// ---- identifiers ----

std::string id_of(const std::string& src) {
  Parsed p = parse(src);
  EXPECT_TRUE(p.diags.empty()) << p.error();
  std::string d = p.dump();
  size_t at = d.find("id=");
  return at == std::string::npos ? d : d.substr(at + 3, d.find_first_of(" \n", at) - at - 3);
}

TEST(Identifiers, Nfkc) {
  EXPECT_EQ(id_of("\xEF\xAC\x81 = 1\n"), "'fi'");                                       // U+FB01 ligature
  EXPECT_EQ(id_of("e\xCC\x81 = 1\n"), "'\\xc3\\xa9'");                                  // e + U+0301 -> U+00E9
  EXPECT_EQ(id_of("\xEF\xBC\xA1\xEF\xBD\x82 = 1\n"), "'Ab'");                           // fullwidth
  EXPECT_EQ(id_of("a\xCC\x82\xCC\xA3 = 1\n"), "'\\xe1\\xba\\xad'");                     // reordered: U+1EAD
  EXPECT_EQ(id_of("\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8 = 1\n"), "'\\xea\\xb0\\x81'");  // jamo -> U+AC01
  EXPECT_EQ(id_of("\xE2\x84\xAB = 1\n"), "'\\xc3\\x85'");                               // angstrom sign -> U+00C5
  EXPECT_EQ(id_of("\xC2\xB5 = 1\n"), "'\\xce\\xbc'");                                   // micro sign -> mu
  EXPECT_EQ(id_of("\xEF\xBD\x89\xEF\xBD\x86 = 1\n"), "'if'");                           // a NAME, though it reads "if"
  // Spans stay in source bytes.
  Parsed p = parse("\xEF\xAC\x81 = 1\n");
  EXPECT_NE(p.dump().find("Name 1:0-1:3 id='fi'"), std::string::npos) << p.dump();
}

TEST(Identifiers, Classes) {
  EXPECT_TRUE(parse("\xE6\x97\xA5\xE6\x9C\xAC = \xCF\x80\xC2\xB7\xE2\x80\xBF\n").diags.empty());  // 日本 = π·‿
  EXPECT_EQ(parse("x = 1\xE2\x82\xAC\n").error(), "invalid character '\xE2\x82\xAC' (U+20AC)");
  EXPECT_EQ(parse("a\xE2\x82\xAC = 1\n").error(), "invalid character '\xE2\x82\xAC' (U+20AC)");
  EXPECT_EQ(parse("x\xC2\xA0= 1\n").error(), "invalid non-printable character U+00A0");
  EXPECT_EQ(parse("\xCC\x81 = 1\n").error(), "invalid character '\xCC\x81' (U+0301)");  // XID_Continue only
  EXPECT_EQ(parse("x = \xE2\x80\x8B\n").error(), "invalid non-printable character U+200B");
  EXPECT_TRUE(unicode::is_xid_start(0x1E900));     // ADLAM CAPITAL LETTER ALIF
  EXPECT_FALSE(unicode::is_xid_start(0x0660));     // ARABIC-INDIC DIGIT ZERO ...
  EXPECT_TRUE(unicode::is_xid_continue(0x0660));   // ... continues an identifier
  EXPECT_FALSE(unicode::is_xid_continue(0x2E2F));  // VERTICAL TILDE (Pattern_Syntax)
}

}  // namespace
}  // namespace nkic
