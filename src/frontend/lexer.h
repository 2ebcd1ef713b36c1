// The Python 3.11 tokenizer: source text to a flat token vector (INDENT/DEDENT/NEWLINE included),
// plus the literal decoders (numbers, string escapes) the parser applies to NUMBER/STRING tokens.
// Errors become Diagnostics with exact spans; the lexer always reaches ENDMARKER.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "frontend/unicode.h"
#include "support/diagnostic.h"
#include "support/source.h"

namespace nkic::lex {

// Operators and keywords are listed in the tables in lexer.cpp, in this order.
// clang-format off
#define NKIC_OP_TOKENS(X)                                                                                          \
  X(LPar, "(")                                                                                                         \
  X(RPar, ")")                                                                                                         \
  X(LSqb, "[")                                                                                                         \
  X(RSqb, "]") X(LBrace, "{") X(RBrace, "}") X(Colon, ":") X(Comma, ",") X(Semi, ";") X(Plus, "+") X(Minus, "-")       \
  X(Star, "*") X(Slash, "/") X(VBar, "|") X(Amper, "&") X(Less, "<") X(Greater, ">") X(Equal, "=") X(Dot, ".")         \
  X(Percent, "%") X(Tilde, "~") X(Circumflex, "^") X(At, "@") X(EqEqual, "==") X(NotEqual, "!=")                       \
  X(LessEqual, "<=") X(GreaterEqual, ">=") X(LeftShift, "<<") X(RightShift, ">>") X(DoubleStar, "**")                  \
  X(DoubleSlash, "//") X(PlusEqual, "+=") X(MinEqual, "-=") X(StarEqual, "*=") X(SlashEqual, "/=")                     \
  X(PercentEqual, "%=") X(AmperEqual, "&=") X(VBarEqual, "|=") X(CircumflexEqual, "^=")                                \
  X(AtEqual, "@=") X(RArrow, "->") X(ColonEqual, ":=") X(LeftShiftEqual, "<<=")                                        \
  X(RightShiftEqual, ">>=") X(DoubleStarEqual, "**=") X(DoubleSlashEqual, "//=")                                       \
  X(Ellipsis, "...")
// clang-format on

// clang-format off
#define NKIC_KEYWORD_TOKENS(X)                                                                                      \
  X(False, "False")                                                                                                    \
  X(None, "None")                                                                                                      \
  X(True, "True")                                                                                                      \
  X(And, "and") X(As, "as") X(Assert, "assert") X(Async, "async") X(Await, "await") X(Break, "break")                  \
  X(Class, "class") X(Continue, "continue") X(Def, "def") X(Del, "del") X(Elif, "elif") X(Else, "else")                \
  X(Except, "except") X(Finally, "finally") X(For, "for") X(From, "from") X(Global, "global") X(If, "if")              \
  X(Import, "import") X(In, "in") X(Is, "is") X(Lambda, "lambda") X(Nonlocal, "nonlocal") X(Not, "not")                \
  X(Or, "or") X(Pass, "pass") X(Raise, "raise") X(Return, "return") X(Try, "try") X(While, "while")                    \
  X(With, "with") X(Yield, "yield")
// clang-format on

enum class Tok : uint8_t {
  EndMarker,
  Newline,
  Indent,
  Dedent,
  Name,
  Number,
  String,
  Error,    // a lexical error already reported as a Diagnostic
  Unknown,  // a stray character such as `$` or `?`: the parser reports "invalid syntax"
#define X(k, s) k,
  NKIC_OP_TOKENS(X) NKIC_KEYWORD_TOKENS(X)
#undef X
};

const char* spelling(Tok k);  // "(" for LPar, "if" for If, "NAME" for Name, ...
inline bool is_keyword(Tok k) { return k >= Tok::False; }

struct Token {
  Tok kind = Tok::EndMarker;
  uint16_t level = 0;           // bracket nesting depth at this token
  uint32_t begin = 0, end = 0;  // byte offsets into the source text
  Span span;
};

// For a lexical error reported while brackets were open: the innermost open bracket (CPython may
// report "'(' was never closed" instead of an earlier parser error in that case).
struct OpenBracketAtError {
  size_t diag_index;  // index of the diagnostic in `diags`
  char bracket;
  uint32_t line, col;
};

// Tokenizes a whole file. Lexical errors are appended to `diags`.
std::vector<Token> tokenize(const SourceRef& src, std::vector<Diagnostic>& diags,
                            std::vector<OpenBracketAtError>* open_at_errors = nullptr);

// Tokenizes text[begin, end) as if it were inside brackets (an f-string replacement field): no
// NEWLINE/INDENT tokens, ends with ENDMARKER. `line`/`line_start` give the line number and the byte
// offset of the start of that line for position `begin`.
std::vector<Token> tokenize_range(const SourceRef& src, uint32_t begin, uint32_t end, uint32_t line,
                                  uint32_t line_start, std::vector<Diagnostic>& diags);

// ---- literal decoding ----

// A decoded NUMBER token.
struct NumberValue {
  enum Kind { Int, BigInt, Float, Complex } kind = Int;
  int64_t ival = 0;
  std::string big;  // decimal digits for BigInt
  double fval = 0;  // Float value or Complex imaginary part
};
NumberValue decode_number(std::string_view text);

// Decodes the body of a (non-f) string literal. `raw` keeps backslashes; `bytes` restricts \u/\N
// escapes. Returns false and sets `error` on an invalid escape (e.g. truncated \x). Newlines
// (\r\n, \r) in the body are normalised to \n. Str results are UTF-8 (lone surrogates from
// \ud800-style escapes are encoded as 3-byte sequences, like Python's "surrogatepass").
bool decode_string_body(std::string_view body, bool raw, bool bytes, std::string& out, std::string& error);

// Splits a STRING token's text into prefix flags and body (without quotes).
struct StringParts {
  bool raw = false, bytes = false, fstring = false, u = false;
  int quote_len = 1;
  uint32_t body_offset = 0;  // offset of the body within the token text
  std::string_view body;
};
StringParts split_string_token(std::string_view text);

// CPython's message for invalid UTF-8 in `s` ("'utf-8' codec can't decode byte 0xff in position 0:
// invalid start byte"); returns true if `s` is valid (then `msg`/`at` are untouched).
bool utf8_error(std::string_view s, std::string& msg, size_t& at);

using unicode::append_utf8;

// Applies a PEP 263 coding declaration (line 1 or 2) and a UTF-8 BOM as CPython's tokenizer does:
// returns `src` itself for UTF-8 (and for pure-ASCII text in an ASCII-compatible codec), or a new
// SourceFile (same path) holding the text decoded to UTF-8 (every single-byte Python codec:
// latin-1, iso8859-*, cp125x, koi8-*, mac-*, ...). Problems ("unknown encoding: X", a BOM with a
// non-UTF-8 declaration, undecodable bytes, a multi-byte codec nkic does not implement) are appended
// to `diags` with CPython's message, and an empty SourceFile is returned.
SourceRef decode_source(const SourceRef& src, std::vector<Diagnostic>& diags);

// CPython normalises non-ASCII identifiers to NFKC (PEP 3131); ASCII names are returned as they are.
std::string normalize_identifier(std::string_view name);

}  // namespace nkic::lex
