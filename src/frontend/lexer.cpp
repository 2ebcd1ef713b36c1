#include "frontend/lexer.h"

#include "frontend/unicode.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace nkic::lex {

namespace {

struct Spelled {
  const char* text;
  Tok kind;
};

constexpr Spelled kOperators[] = {
#define X(k, s) {s, Tok::k},
    NKIC_OP_TOKENS(X)
#undef X
};

constexpr Spelled kKeywords[] = {
#define X(k, s) {s, Tok::k},
    NKIC_KEYWORD_TOKENS(X)
#undef X
};

// Character classes, indexed by byte.
enum : uint8_t { kIdStart = 1, kIdChar = 2, kDigit = 4, kHex = 8, kSpace = 16, kOpChar = 32 };

struct Tables {
  std::array<uint8_t, 256> cls{};
  // Operators by first character, longest first.
  std::array<std::vector<Spelled>, 128> ops;
  // Keywords by first character.
  std::array<std::vector<Spelled>, 128> kws;
  Tables() {
    for (int c = 0; c < 256; ++c) {
      uint8_t f = 0;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80) f |= kIdStart | kIdChar;
      if (c >= '0' && c <= '9') f |= kDigit | kIdChar | kHex;
      if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) f |= kHex;
      if (c == ' ' || c == '\t' || c == '\f') f |= kSpace;
      cls[c] = f;
    }
    for (const Spelled& s : kOperators) {
      auto& v = ops[static_cast<unsigned char>(s.text[0])];
      v.push_back(s);
      cls[static_cast<unsigned char>(s.text[0])] |= kOpChar;
    }
    for (auto& v : ops)
      std::stable_sort(v.begin(), v.end(),
                       [](const Spelled& a, const Spelled& b) { return std::strlen(a.text) > std::strlen(b.text); });
    for (const Spelled& s : kKeywords) kws[static_cast<unsigned char>(s.text[0])].push_back(s);
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

std::string hex4(uint32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04X", cp);
  return buf;
}

// Decodes one UTF-8 sequence at s[i] (i < n). Returns its length (>= 1) and sets cp; returns 0 if
// the bytes are not valid UTF-8.
int decode_utf8(const char* s, size_t i, size_t n, uint32_t& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  int len;
  uint32_t min;
  if ((c & 0xE0) == 0xC0)
    len = 2, cp = c & 0x1F, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    len = 3, cp = c & 0x0F, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    len = 4, cp = c & 0x07, min = 0x10000;
  else
    return 0;
  if (i + len > n) return 0;
  for (int k = 1; k < len; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

}  // namespace

// CPython's UTF-8 decoding error for `s` ("'utf-8' codec can't decode byte 0xff in position 0:
// invalid start byte"); returns false (and sets `at` to the bad offset) if `s` is not valid UTF-8.
bool utf8_error(std::string_view s, std::string& msg, size_t& at) {
  const size_t n = s.size();
  char buf[128];
  for (size_t i = 0; i < n;) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    at = i;
    if (c < 0xC2 || c > 0xF4) {
      std::snprintf(buf, sizeof buf, "'utf-8' codec can't decode byte 0x%02x in position %zu: invalid start byte", c,
                    i);
      msg = buf;
      return false;
    }
    size_t len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    unsigned lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    for (size_t k = 1; k < len; ++k) {
      const char* reason = nullptr;
      size_t last = 0;
      if (i + k >= n) {
        reason = "unexpected end of data";
        last = n - 1;
      } else {
        unsigned char b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
          reason = "invalid continuation byte";
          last = i + k - 1;
        }
      }
      if (reason) {
        if (last == i)
          std::snprintf(buf, sizeof buf, "'utf-8' codec can't decode byte 0x%02x in position %zu: %s", c, i, reason);
        else
          std::snprintf(buf, sizeof buf, "'utf-8' codec can't decode bytes in position %zu-%zu: %s", i, last, reason);
        msg = buf;
        return false;
      }
    }
    i += len;
  }
  return true;
}

namespace {

class Lexer {
 public:
  Lexer(const SourceRef& src, std::vector<Diagnostic>& diags, uint32_t begin, uint32_t end, uint32_t line,
        uint32_t line_start, bool range_mode, std::vector<OpenBracketAtError>* open_at_errors = nullptr)
      : open_at_errors_(open_at_errors),
        src_(src),
        s_(src->text().data()),
        diags_(diags),
        pos_(begin),
        end_(end),
        line_(line),
        line_start_(line_start),
        range_mode_(range_mode),
        T(tables()) {
    atbol_ = !range_mode;
  }

  std::vector<Token> run() {
    out_.reserve((end_ - pos_) / 4 + 16);
    if (!range_mode_) check_nul();
    for (;;) {
      if (atbol_) {
        atbol_ = false;
        indentation();
      }
      while (pos_ < end_ && (T.cls[byte(pos_)] & kSpace)) ++pos_;
      if (pos_ >= end_) break;
      char c = s_[pos_];
      if (c == '#') {
        while (pos_ < end_ && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
        continue;
      }
      if (int nl = newline_len(pos_)) {
        if (blankline_ || level() > 0) {
          pos_ += nl;
          next_line();
          if (level() == 0) atbol_ = true;
          continue;
        }
        emit_at(Tok::Newline, pos_, pos_ + nl, pos_ + 1);
        pos_ += nl;
        next_line();
        atbol_ = true;
        continue;
      }
      lex_token(c);
    }
    finish();
    return std::move(out_);
  }

 private:
  std::vector<OpenBracketAtError>* open_at_errors_;
  const SourceRef& src_;
  const char* s_;
  std::vector<Diagnostic>& diags_;
  uint32_t pos_, end_;
  uint32_t line_, line_start_;
  bool range_mode_;
  const Tables& T;
  std::vector<Token> out_;
  std::vector<int> ind_{0}, altind_{0};
  struct Open {
    char c;
    uint32_t line, col;
  };
  std::vector<Open> parens_;
  bool atbol_ = true;
  bool blankline_ = false;
  bool reported_nul_ = false;

  unsigned char byte(uint32_t p) const { return static_cast<unsigned char>(s_[p]); }
  int peek(uint32_t p) const { return p < end_ ? static_cast<unsigned char>(s_[p]) : -1; }
  size_t level() const { return parens_.size() + (range_mode_ ? 1 : 0); }
  uint32_t col(uint32_t p) const { return p - line_start_; }
  int newline_len(uint32_t p) const {
    if (p >= end_) return 0;
    if (s_[p] == '\n') return 1;
    if (s_[p] == '\r') return (p + 1 < end_ && s_[p + 1] == '\n') ? 2 : 1;
    return 0;
  }
  void next_line() {
    ++line_;
    line_start_ = pos_;
  }

  void error_span(Span sp, std::string msg) {
    if (open_at_errors_ && !parens_.empty())
      open_at_errors_->push_back(
          OpenBracketAtError{diags_.size(), parens_.back().c, parens_.back().line, parens_.back().col});
    Diagnostic d;
    d.loc = Location{src_, sp};
    d.message = std::move(msg);
    diags_.push_back(std::move(d));
  }
  // Error covering source bytes [b, e) on the current line.
  void error_at(uint32_t b, uint32_t e, std::string msg) {
    if (e <= b) e = b + 1;
    error_span(Span{line_, col(b), line_, col(e)}, std::move(msg));
  }

  void emit(Tok k, uint32_t b, uint32_t e) { emit_at(k, b, e, e); }
  // Token of bytes [b, e) starting and ending on the current line; span ends at `span_end`.
  void emit_at(Tok k, uint32_t b, uint32_t e, uint32_t span_end) {
    Token t;
    t.kind = k;
    t.level = static_cast<uint16_t>(level());
    t.begin = b;
    t.end = e;
    t.span = Span{line_, col(b), line_, col(span_end)};
    out_.push_back(t);
  }

  // CPython refuses source containing NUL bytes before tokenizing. (Invalid UTF-8 is only an error
  // where CPython decodes it: in identifiers, here, and in string literals, in the parser.)
  void check_nul() {
    const std::string& text = src_->text();
    size_t i = text.find('\0');
    if (i == std::string::npos) return;
    uint32_t line = 1, ls = 0;
    for (size_t k = 0; k < i; ++k) {
      if (text[k] == '\r' && k + 1 < i && text[k + 1] == '\n') continue;
      if (text[k] == '\n' || text[k] == '\r') ++line, ls = static_cast<uint32_t>(k + 1);
    }
    uint32_t cc = static_cast<uint32_t>(i) - ls;
    error_span(Span{line, cc, line, cc + 1}, "source code string cannot contain null bytes");
    reported_nul_ = true;
  }

  void indentation() {
    int col = 0, altcol = 0, cont_col = 0;
    uint32_t p = pos_;
    while (p < end_) {
      char c = s_[p];
      if (c == ' ')
        ++col, ++altcol;
      else if (c == '\t')
        col = (col / 8 + 1) * 8, ++altcol;
      else if (c == '\f')
        col = altcol = 0;
      else if (c == '\\' && newline_len(p + 1)) {
        // Indentation cannot be split over lines: the first backslash found (if not at column 0)
        // sets the level of what follows, as in CPython's tokenizer.
        if (!cont_col) cont_col = col;
        Span sp{line_, p - line_start_, line_, p - line_start_ + 1};
        p += 1 + newline_len(p + 1);
        pos_ = p;
        next_line();
        if (p >= end_) {
          error_span(sp, "unexpected EOF while parsing");
          Token t;
          t.kind = Tok::Error;
          t.begin = t.end = p;
          t.span = sp;
          out_.push_back(t);
          return;
        }
        continue;
      } else
        break;
      ++p;
    }
    blankline_ = false;
    if (p < end_ && (s_[p] == '#' || s_[p] == '\n' || s_[p] == '\r')) {
      blankline_ = true;
      return;
    }
    if (cont_col) col = altcol = cont_col;
    if (p >= end_) return;  // EOF: finish() emits the dedents
    if (level() != 0) return;
    Span sp{line_, 0, line_, p - line_start_};
    if (col == ind_.back()) {
      if (altcol != altind_.back()) tab_error(sp);
    } else if (col > ind_.back()) {
      if (ind_.size() >= 100) {
        error_span(sp, "too many levels of indentation");
        return;
      }
      if (altcol <= altind_.back()) tab_error(sp);
      ind_.push_back(col);
      altind_.push_back(altcol);
      Token t;
      t.kind = Tok::Indent;
      t.begin = pos_;
      t.end = p;
      t.span = sp;
      out_.push_back(t);
    } else {
      while (ind_.size() > 1 && col < ind_.back()) {
        ind_.pop_back();
        altind_.pop_back();
        Token t;
        t.kind = Tok::Dedent;
        t.begin = t.end = p;
        t.span = Span{line_, sp.end_col, line_, sp.end_col};
        out_.push_back(t);
      }
      if (col != ind_.back()) {
        error_span(Span{line_, sp.end_col, line_, sp.end_col + 1},
                   "unindent does not match any outer indentation level");
        // Recover: treat this line as being at the enclosing level.
      } else if (altcol != altind_.back()) {
        tab_error(sp);
      }
    }
  }

  void tab_error(Span sp) { error_span(sp, "inconsistent use of tabs and spaces in indentation"); }

  void finish() {
    if (!range_mode_ && !parens_.empty()) {
      const Open& o = parens_.back();
      error_span(Span{o.line, o.col, o.line, o.col + 1}, std::string("'") + o.c + "' was never closed");
      emit(Tok::Error, pos_, pos_);  // silences the parser's own complaint at EOF
    }
    if (!range_mode_) {
      if (!out_.empty() && out_.back().kind != Tok::Newline && out_.back().kind != Tok::Dedent &&
          out_.back().kind != Tok::Indent) {
        // Implicit newline at EOF.
        emit_at(Tok::Newline, pos_, pos_, pos_ + 1);
      }
      // CPython reports errors at EOF on the file's last line, after its last character.
      uint32_t eline = line_, ecol = pos_ - line_start_;
      if (pos_ == line_start_ && line_ > 1) {
        eline = line_ - 1;
        ecol = static_cast<uint32_t>(src_->line(eline).size());
      }
      for (size_t i = 1; i < ind_.size(); ++i) {
        Token t;
        t.kind = Tok::Dedent;
        t.begin = t.end = pos_;
        t.span = Span{eline, ecol, eline, ecol};
        out_.push_back(t);
      }
      Token t;
      t.kind = Tok::EndMarker;
      t.begin = t.end = pos_;
      t.span = Span{eline, ecol, eline, ecol};
      out_.push_back(t);
    } else {
      emit(Tok::EndMarker, pos_, pos_);
    }
  }

  void lex_token(char c) {
    unsigned char uc = static_cast<unsigned char>(c);
    uint32_t start = pos_;
    if (T.cls[uc] & kIdStart) {
      // String prefixes: legal combinations of b/r/u/f.
      bool saw_b = false, saw_r = false, saw_u = false, saw_f = false;
      uint32_t p = pos_;
      for (;;) {
        int ch = peek(p);
        if (!(saw_b || saw_u || saw_f) && (ch == 'b' || ch == 'B'))
          saw_b = true;
        else if (!(saw_b || saw_u || saw_r || saw_f) && (ch == 'u' || ch == 'U'))
          saw_u = true;
        else if (!(saw_r || saw_u) && (ch == 'r' || ch == 'R'))
          saw_r = true;
        else if (!(saw_f || saw_b || saw_u) && (ch == 'f' || ch == 'F'))
          saw_f = true;
        else
          break;
        ++p;
        int q = peek(p);
        if (q == '"' || q == '\'') {
          lex_string(start, p);
          return;
        }
      }
      lex_name(start);
      return;
    }
    if (T.cls[uc] & kDigit) {
      lex_number(start);
      return;
    }
    if (c == '.' && (T.cls[peek(pos_ + 1) < 0 ? 0 : peek(pos_ + 1)] & kDigit)) {
      lex_number(start);
      return;
    }
    if (c == '"' || c == '\'') {
      lex_string(start, start);
      return;
    }
    if (c == '\\') {
      int nl = newline_len(pos_ + 1);
      if (nl || pos_ + 1 >= end_) {
        Span sp{line_, col(start), line_, col(start) + 1};
        pos_ += 1 + nl;
        if (nl) next_line();
        if (pos_ >= end_ && (range_mode_ || parens_.empty())) {  // else: "'(' was never closed"
          error_span(sp, "unexpected EOF while parsing");
          Token t;
          t.kind = Tok::Error;
          t.begin = start;
          t.end = pos_;
          t.span = sp;
          out_.push_back(t);
        }
        return;
      }
      ++pos_;
      error_at(start, start + 1, "unexpected character after line continuation character");
      emit(Tok::Error, start, pos_);
      return;
    }
    if (uc < 128 && (T.cls[uc] & kOpChar)) {
      for (const Spelled& op : T.ops[uc]) {
        size_t n = std::strlen(op.text);
        if (pos_ + n <= end_ && std::memcmp(s_ + pos_, op.text, n) == 0) {
          pos_ += static_cast<uint32_t>(n);
          bracket(op.kind, start);
          return;
        }
      }
    }
    ++pos_;
    if (c == '\0') {
      if (!reported_nul_) error_at(start, pos_, "source code string cannot contain null bytes");
      reported_nul_ = true;
      emit(Tok::Error, start, pos_);
      return;
    }
    if (uc < 32 || uc == 127) {
      error_at(start, pos_, "invalid non-printable character U+" + hex4(uc));
      emit(Tok::Error, start, pos_);
      return;
    }
    emit(Tok::Unknown, start, pos_);  // `$`, `?`, `!`, backtick
  }

  void bracket(Tok k, uint32_t start) {
    char c = s_[start];
    if (k == Tok::LPar || k == Tok::LSqb || k == Tok::LBrace) {
      if (parens_.size() >= 200) {
        // Fatal in CPython's tokenizer too: stop here (no "never closed" cascade).
        error_at(start, pos_, "too many nested parentheses");
        emit(Tok::Error, start, pos_);
        parens_.clear();
        pos_ = end_;
        return;
      }
      parens_.push_back(Open{c, line_, col(start)});
    } else if (k == Tok::RPar || k == Tok::RSqb || k == Tok::RBrace) {
      if (parens_.empty()) {
        if (!range_mode_) {
          error_at(start, pos_, std::string("unmatched '") + c + "'");
          emit(Tok::Error, start, pos_);
          return;
        }
      } else {
        Open o = parens_.back();
        parens_.pop_back();
        char want = o.c == '(' ? ')' : o.c == '[' ? ']' : '}';
        if (want != c) {
          std::string msg =
              std::string("closing parenthesis '") + c + "' does not match opening parenthesis '" + o.c + "'";
          if (o.line != line_) msg += " on line " + std::to_string(o.line);
          error_at(start, pos_, msg);
          emit(Tok::Error, start, pos_);
          return;
        }
      }
    }
    emit(k, start, pos_);
  }

  void lex_name(uint32_t start) {
    while (pos_ < end_) {
      unsigned char c = byte(pos_);
      if (!(T.cls[c] & kIdChar)) break;
      if (c >= 0x80) {
        uint32_t cp;
        int len = decode_utf8(s_, pos_, end_, cp);
        if (len == 0) {
          uint32_t at = pos_;
          std::string err;
          size_t bad;
          uint32_t run_end = at;
          while (run_end < end_ && (T.cls[byte(run_end)] & kIdChar)) ++run_end;
          utf8_error(std::string_view(s_ + start, run_end - start), err, bad);
          error_at(at, at + 1, "(unicode error) " + err);
          pos_ = run_end;
          emit(Tok::Error, start, pos_);
          return;
        }
        // CPython checks the whole run of identifier bytes (XID_Start, then XID_Continue) and reports
        // its first invalid character; ending the name there reports the same character.
        if (pos_ == start ? !unicode::is_xid_start(cp) : !unicode::is_xid_continue(cp)) {
          if (pos_ == start) {
            pos_ += len;
            if (unicode::is_printable(cp))
              error_at(start, pos_, "invalid character '" + std::string(s_ + start, len) + "' (U+" + hex4(cp) + ")");
            else
              error_at(start, pos_, "invalid non-printable character U+" + hex4(cp));
            emit(Tok::Error, start, pos_);
            return;
          }
          break;  // ends the name; the character is reported on its own
        }
        pos_ += len;
        continue;
      }
      ++pos_;
    }
    Tok kind = Tok::Name;
    unsigned char first = byte(start);
    if (first < 128) {
      size_t n = pos_ - start;
      for (const Spelled& kw : T.kws[first])
        if (std::strlen(kw.text) == n && std::memcmp(kw.text, s_ + start, n) == 0) {
          kind = kw.kind;
          break;
        }
    }
    emit(kind, start, pos_);
  }

  bool is_digit(int c) const { return c >= '0' && c <= '9'; }
  bool is_xdigit(int c) const { return c >= 0 && (T.cls[c] & kHex); }
  bool is_idchar(int c) const { return c >= 0 && (T.cls[c] & kIdChar); }

  // Error for a number token: reports, consumes the rest of the identifier-ish run, emits Error.
  void number_error(uint32_t start, uint32_t at, const std::string& msg) {
    error_at(at > start ? at - 1 : start, at, msg);
    if (pos_ < at) pos_ = at;
    while (pos_ < end_ && (is_idchar(byte(pos_)) || s_[pos_] == '.')) ++pos_;
    emit(Tok::Error, start, pos_);
  }

  // After a number: a keyword such as `else` may follow directly; other identifier chars are an error.
  bool verify_end(uint32_t start, const char* kind) {
    int c = peek(pos_);
    auto la = [&](const char* s) {
      return pos_ + 1 + std::strlen(s) <= end_ && std::memcmp(s_ + pos_ + 1, s, std::strlen(s)) == 0;
    };
    bool r = false;
    if (c == 'a')
      r = la("nd");
    else if (c == 'e')
      r = la("lse");
    else if (c == 'f')
      r = la("or");
    else if (c == 'i')
      r = peek(pos_ + 1) == 'f' || peek(pos_ + 1) == 'n' || peek(pos_ + 1) == 's';
    else if (c == 'o')
      r = la("r");
    else if (c == 'n')
      r = la("ot");
    if (r) return true;
    if (c >= 0 && c < 128 && is_idchar(c)) {  // a non-ASCII character just ends the number
      number_error(start, pos_ + 1, std::string("invalid ") + kind + " literal");
      return false;
    }
    return true;
  }

  // Consumes digits with single underscores between them; returns false on a bad underscore.
  bool decimal_tail(uint32_t start) {
    for (;;) {
      while (is_digit(peek(pos_))) ++pos_;
      if (peek(pos_) != '_') return true;
      ++pos_;
      if (!is_digit(peek(pos_))) {
        number_error(start, pos_ + 1, "invalid decimal literal");
        return false;
      }
    }
  }

  void lex_number(uint32_t start) {
    int c = peek(pos_);
    if (c == '.') {
      ++pos_;
      if (!decimal_tail(start)) return;
      lex_exponent_and_suffix(start);
      return;
    }
    if (c == '0') {
      ++pos_;
      int n = peek(pos_);
      if (n == 'x' || n == 'X' || n == 'o' || n == 'O' || n == 'b' || n == 'B') {
        ++pos_;
        int base = (n == 'x' || n == 'X') ? 16 : (n == 'o' || n == 'O') ? 8 : 2;
        const char* kind = base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary";
        auto ok = [&](int ch) {
          if (base == 16) return is_xdigit(ch);
          if (base == 8) return ch >= '0' && ch <= '7';
          return ch == '0' || ch == '1';
        };
        do {
          if (peek(pos_) == '_') ++pos_;
          if (!ok(peek(pos_))) {
            int ch = peek(pos_);
            if (base != 16 && is_digit(ch))
              number_error(start, pos_ + 1,
                           std::string("invalid digit '") + static_cast<char>(ch) + "' in " + kind + " literal");
            else
              number_error(start, pos_ + 1, std::string("invalid ") + kind + " literal");
            return;
          }
          while (ok(peek(pos_))) ++pos_;
        } while (peek(pos_) == '_');
        if (base != 16 && is_digit(peek(pos_))) {
          number_error(start, pos_ + 1,
                       std::string("invalid digit '") + static_cast<char>(peek(pos_)) + "' in " + kind + " literal");
          return;
        }
        if (!verify_end(start, kind)) return;
        emit(Tok::Number, start, pos_);
        return;
      }
      // "0", "00", "0_0", or a float/imaginary starting with zeros.
      bool nonzero = false;
      for (;;) {
        if (peek(pos_) == '_') {
          ++pos_;
          if (!is_digit(peek(pos_))) {
            number_error(start, pos_ + 1, "invalid decimal literal");
            return;
          }
        }
        if (peek(pos_) != '0') break;
        ++pos_;
      }
      uint32_t zeros_end = pos_;
      if (is_digit(peek(pos_))) {
        nonzero = true;
        if (!decimal_tail(start)) return;
      }
      int d = peek(pos_);
      if (d == '.' || d == 'e' || d == 'E' || d == 'j' || d == 'J') {
        if (d == '.') {
          ++pos_;
          if (is_digit(peek(pos_)) && !decimal_tail(start)) return;
        }
        lex_exponent_and_suffix(start);
        return;
      }
      if (nonzero) {
        error_at(start, zeros_end,
                 "leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
        while (pos_ < end_ && is_idchar(byte(pos_))) ++pos_;
        emit(Tok::Error, start, pos_);
        return;
      }
      if (!verify_end(start, "decimal")) return;
      emit(Tok::Number, start, pos_);
      return;
    }
    if (!decimal_tail(start)) return;
    if (peek(pos_) == '.') {
      ++pos_;
      if (is_digit(peek(pos_)) && !decimal_tail(start)) return;
    }
    lex_exponent_and_suffix(start);
  }

  void lex_exponent_and_suffix(uint32_t start) {
    int c = peek(pos_);
    if (c == 'e' || c == 'E') {
      uint32_t epos = pos_;
      ++pos_;
      int d = peek(pos_);
      if (d == '+' || d == '-') {
        ++pos_;
        if (!is_digit(peek(pos_))) {
          number_error(start, pos_ + 1, "invalid decimal literal");
          return;
        }
      } else if (!is_digit(d)) {
        pos_ = epos;
        if (!verify_end(start, "decimal")) return;
        emit(Tok::Number, start, pos_);
        return;
      }
      if (!decimal_tail(start)) return;
    }
    c = peek(pos_);
    if (c == 'j' || c == 'J') {
      ++pos_;
      if (!verify_end(start, "imaginary")) return;
    } else if (!verify_end(start, "decimal")) {
      return;
    }
    emit(Tok::Number, start, pos_);
  }

  // A string token: prefix at [start, q), opening quote at q.
  void lex_string(uint32_t start, uint32_t q) {
    char quote = s_[q];
    int qsize = 1;
    uint32_t p = q + 1;
    if (peek(p) == quote && peek(p + 1) == quote) {
      qsize = 3;
      p += 2;
    }
    uint32_t sline = line_, sls = line_start_;
    int endq = 0;
    pos_ = p;
    if (qsize == 1 && peek(pos_) == quote) {  // empty string
      ++pos_;
      emit(Tok::String, start, pos_);
      return;
    }
    while (endq != qsize) {
      if (pos_ >= end_ || (qsize == 1 && newline_len(pos_))) {
        Span sp{sline, start - sls, sline, start - sls + 1};
        uint32_t detected = (pos_ >= end_ && pos_ == line_start_ && line_ > sline) ? line_ - 1 : line_;
        if (qsize == 3)
          error_span(sp,
                     "unterminated triple-quoted string literal (detected at line " + std::to_string(detected) + ")");
        else
          error_span(sp, "unterminated string literal (detected at line " + std::to_string(detected) + ")");
        Token t;
        t.kind = Tok::Error;
        t.begin = start;
        t.end = pos_;
        t.span = Span{sline, start - sls, line_, col(pos_)};
        out_.push_back(t);
        return;
      }
      char c = s_[pos_];
      if (int nl = newline_len(pos_)) {
        endq = 0;
        pos_ += nl;
        next_line();
        continue;
      }
      ++pos_;
      if (c == quote) {
        ++endq;
      } else {
        endq = 0;
        if (c == '\\' && pos_ < end_) {
          if (int nl = newline_len(pos_)) {
            pos_ += nl;
            next_line();
          } else {
            ++pos_;
          }
        }
      }
    }
    Token t;
    t.kind = Tok::String;
    t.level = static_cast<uint16_t>(level());
    t.begin = start;
    t.end = pos_;
    t.span = Span{sline, start - sls, line_, col(pos_)};
    out_.push_back(t);
  }
};

}  // namespace

const char* spelling(Tok k) {
  switch (k) {
    case Tok::EndMarker: return "ENDMARKER";
    case Tok::Newline: return "NEWLINE";
    case Tok::Indent: return "INDENT";
    case Tok::Dedent: return "DEDENT";
    case Tok::Name: return "NAME";
    case Tok::Number: return "NUMBER";
    case Tok::String: return "STRING";
    case Tok::Error: return "ERRORTOKEN";
    case Tok::Unknown: return "OP";
    default: break;
  }
  int i = static_cast<int>(k) - static_cast<int>(Tok::LPar);
  constexpr int nops = sizeof(kOperators) / sizeof(kOperators[0]);
  if (i < nops) return kOperators[i].text;
  return kKeywords[i - nops].text;
}

std::vector<Token> tokenize(const SourceRef& src, std::vector<Diagnostic>& diags,
                            std::vector<OpenBracketAtError>* open_at_errors) {
  const std::string& text = src->text();
  uint32_t begin = 0;
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF && static_cast<unsigned char>(text[1]) == 0xBB &&
      static_cast<unsigned char>(text[2]) == 0xBF)
    begin = 3;  // UTF-8 BOM: columns are counted after it, as CPython does
  Lexer lx(src, diags, begin, static_cast<uint32_t>(text.size()), 1, begin, false, open_at_errors);
  return lx.run();
}

std::vector<Token> tokenize_range(const SourceRef& src, uint32_t begin, uint32_t end, uint32_t line,
                                  uint32_t line_start, std::vector<Diagnostic>& diags) {
  Lexer lx(src, diags, begin, end, line, line_start, true);
  return lx.run();
}

// ---------------------------------------------------------------------------------------------
// Literal decoding.

namespace {

// Decimal string of an arbitrary-precision unsigned integer given in `base`.
std::string to_decimal(std::string_view digits, int base) {
  std::vector<uint32_t> limbs;  // little-endian, base 1e9
  for (char ch : digits) {
    int d = ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
    uint64_t carry = static_cast<uint64_t>(d);
    for (uint32_t& l : limbs) {
      uint64_t v = static_cast<uint64_t>(l) * base + carry;
      l = static_cast<uint32_t>(v % 1000000000u);
      carry = v / 1000000000u;
    }
    while (carry) {
      limbs.push_back(static_cast<uint32_t>(carry % 1000000000u));
      carry /= 1000000000u;
    }
  }
  if (limbs.empty()) return "0";
  std::string out = std::to_string(limbs.back());
  char buf[16];
  for (size_t i = limbs.size() - 1; i-- > 0;) {
    std::snprintf(buf, sizeof buf, "%09u", limbs[i]);
    out += buf;
  }
  return out;
}

double parse_double(const std::string& s) {
  double v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc::result_out_of_range) return std::strtod(s.c_str(), nullptr);
  return v;
}

}  // namespace

NumberValue decode_number(std::string_view text) {
  std::string t;
  t.reserve(text.size());
  for (char c : text)
    if (c != '_') t.push_back(c);
  NumberValue v;
  if (t.size() >= 2 && t[0] == '0' && std::strchr("xXoObB", t[1])) {
    int base = (t[1] == 'x' || t[1] == 'X') ? 16 : (t[1] == 'o' || t[1] == 'O') ? 8 : 2;
    std::string_view digits(t.data() + 2, t.size() - 2);
    uint64_t acc = 0;
    bool big = false;
    for (char ch : digits) {
      int d = ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
      if (acc > (static_cast<uint64_t>(INT64_MAX) - d) / base) {
        big = true;
        break;
      }
      acc = acc * base + d;
    }
    if (big) {
      v.kind = NumberValue::BigInt;
      v.big = to_decimal(digits, base);
    } else {
      v.ival = static_cast<int64_t>(acc);
    }
    return v;
  }
  char last = t.empty() ? 0 : t.back();
  if (last == 'j' || last == 'J') {
    v.kind = NumberValue::Complex;
    t.pop_back();
    v.fval = parse_double(t);
    return v;
  }
  if (t.find_first_of(".eE") != std::string::npos) {
    v.kind = NumberValue::Float;
    v.fval = parse_double(t);
    return v;
  }
  size_t nz = t.find_first_not_of('0');
  std::string_view digits = nz == std::string::npos ? std::string_view("0") : std::string_view(t).substr(nz);
  if (digits.size() <= 18) {
    int64_t acc = 0;
    for (char ch : digits) acc = acc * 10 + (ch - '0');
    v.ival = acc;
    return v;
  }
  if (digits.size() == 19 && digits <= std::string_view("9223372036854775807")) {
    uint64_t acc = 0;
    for (char ch : digits) acc = acc * 10 + static_cast<uint64_t>(ch - '0');
    v.ival = static_cast<int64_t>(acc);
    return v;
  }
  v.kind = NumberValue::BigInt;
  v.big = std::string(digits);
  return v;
}

StringParts split_string_token(std::string_view text) {
  StringParts p;
  size_t i = 0;
  while (i < text.size() && text[i] != '"' && text[i] != '\'') {
    char c = static_cast<char>(text[i] | 0x20);
    if (c == 'r')
      p.raw = true;
    else if (c == 'b')
      p.bytes = true;
    else if (c == 'f')
      p.fstring = true;
    ++i;
  }
  p.u = !text.empty() && text[0] == 'u';
  if (i >= text.size()) return p;
  char q = text[i];
  if (i + 5 < text.size() + 0 && text.size() - i >= 6 && text[i + 1] == q && text[i + 2] == q) p.quote_len = 3;
  size_t b = i + p.quote_len;
  size_t e = text.size() >= static_cast<size_t>(p.quote_len) ? text.size() - p.quote_len : 0;
  if (e < b) e = b;
  p.body_offset = static_cast<uint32_t>(b);
  p.body = text.substr(b, e - b);
  return p;
}

namespace {

// Offset `pos` of a literal's body as CPython's unicode-escape decoder counts it: the parser first
// rewrites each non-ASCII character as a 10-byte \UXXXXXXXX escape (and a backslash before one as
// \u005c); newlines are already \n.
size_t decoder_pos(std::string_view body, size_t pos) {
  size_t out = 0;
  auto newline = [&](size_t i) { return body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n' ? 2 : 1; };
  for (size_t i = 0; i < pos && i < body.size();) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\\') {
      ++out, ++i;
      if (i >= body.size() || static_cast<unsigned char>(body[i]) >= 0x80) {
        out += 5;
        continue;
      }
      if (i < pos) i += newline(i), ++out;
      continue;
    }
    if (c >= 0x80) {
      i += c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      out += 10;
      continue;
    }
    i += newline(i);
    ++out;
  }
  return out;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool decode_string_body(std::string_view body, bool raw, bool bytes, std::string& out, std::string& error) {
  out.clear();
  size_t bad;
  if (!bytes && !utf8_error(body, error, bad)) {
    error = "(unicode error) " + error;
    return false;
  }
  out.reserve(body.size());
  const size_t n = body.size();
  auto uerr = [&](size_t a, size_t b, const char* what) {  // bytes a..b (inclusive) of the body
    error = "(unicode error) 'unicodeescape' codec can't decode bytes in position " +
            std::to_string(decoder_pos(body, a)) + "-" + std::to_string(decoder_pos(body, b + 1) - 1) + ": " + what;
    return false;
  };
  for (size_t i = 0; i < n;) {
    char c = body[i];
    if (bytes && static_cast<unsigned char>(c) >= 0x80) {
      error = "bytes can only contain ASCII literal characters";
      return false;
    }
    if (c == '\r') {
      out.push_back('\n');
      i += (i + 1 < n && body[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    if (c != '\\' || raw) {
      out.push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= n) {
      if (bytes) {
        error = "(value error) Trailing \\ in string";
        return false;
      }
      return uerr(i, i, "\\ at end of string");
    }
    size_t esc = i;
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case '\n': break;
      case '\r':
        if (i < n && body[i] == '\n') ++i;
        break;
      case '\\': out.push_back('\\'); break;
      case '\'': out.push_back('\''); break;
      case '"': out.push_back('"'); break;
      case 'a': out.push_back('\a'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'v': out.push_back('\v'); break;
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {
        uint32_t v = static_cast<uint32_t>(e - '0');
        for (int k = 0; k < 2 && i < n && body[i] >= '0' && body[i] <= '7'; ++k, ++i) v = v * 8 + (body[i] - '0');
        if (bytes)
          out.push_back(static_cast<char>(v & 0xFF));
        else
          append_utf8(out, v);
        break;
      }
      case 'x': {
        int h1 = i < n ? hexval(body[i]) : -1;
        int h2 = i + 1 < n ? hexval(body[i + 1]) : -1;
        if (h1 < 0 || h2 < 0) {
          if (bytes) {
            error = "(value error) invalid \\x escape at position " + std::to_string(esc);
            return false;
          }
          return uerr(esc, h1 < 0 ? i - 1 : i, "truncated \\xXX escape");
        }
        i += 2;
        uint32_t v = static_cast<uint32_t>(h1 * 16 + h2);
        if (bytes)
          out.push_back(static_cast<char>(v));
        else
          append_utf8(out, v);
        break;
      }
      case 'u':
      case 'U': {
        if (bytes) {
          out.push_back('\\');
          out.push_back(e);
          break;
        }
        int len = e == 'u' ? 4 : 8;
        uint32_t v = 0;
        int k = 0;
        for (; k < len && i < n; ++k, ++i) {
          int h = hexval(body[i]);
          if (h < 0) break;
          v = v * 16 + static_cast<uint32_t>(h);
        }
        if (k < len) return uerr(esc, i - 1, e == 'u' ? "truncated \\uXXXX escape" : "truncated \\UXXXXXXXX escape");
        if (v > 0x10FFFF) return uerr(esc, i - 1, "illegal Unicode character");
        append_utf8(out, v);
        break;
      }
      case 'N': {
        if (bytes) {
          out.push_back('\\');
          out.push_back('N');
          break;
        }
        if (i >= n || body[i] != '{') return uerr(esc, i - 1, "malformed \\N character escape");
        size_t close = body.find('}', i);
        if (close == std::string_view::npos) return uerr(esc, n - 1, "malformed \\N character escape");
        if (close == i + 1) return uerr(esc, i, "malformed \\N character escape");
        uint32_t cp;
        if (!unicode::lookup_name(body.substr(i + 1, close - i - 1), cp))
          return uerr(esc, close, "unknown Unicode character name");
        append_utf8(out, cp);
        i = close + 1;
        break;
      }
      default:
        out.push_back('\\');
        out.push_back(e);
        break;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Source encodings (PEP 263), as CPython's tokenizer applies them to a file's bytes (decode_str,
// check_coding_spec, get_coding_spec and get_normal_name in Parser/tokenizer.c).

namespace {

// get_normal_name: "utf-8" and "iso-8859-1" for their spellings, else the name as written.
std::string normal_name(std::string_view s) {
  std::string buf;
  for (size_t i = 0; i < s.size() && i < 12; ++i)
    buf.push_back(s[i] == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(s[i]))));
  auto starts = [&](const char* p) { return buf.compare(0, std::strlen(p), p) == 0; };
  if (buf == "utf-8" || starts("utf-8-")) return "utf-8";
  if (buf == "latin-1" || buf == "iso-8859-1" || buf == "iso-latin-1" || starts("latin-1-") || starts("iso-8859-1-") ||
      starts("iso-latin-1-"))
    return "iso-8859-1";
  return std::string(s);
}

// get_coding_spec over `line` (of which only the first `size` bytes may start "coding"). Sets
// `name_at` to the offset of the name within the line.
std::string coding_spec(std::string_view line, long size, size_t& name_at) {
  auto at = [&](size_t i) { return i < line.size() ? line[i] : '\0'; };
  long i = 0;
  for (; i < size - 6; ++i) {
    char c = at(i);
    if (c == '#') break;
    if (c != ' ' && c != '\t' && c != '\f') return "";
  }
  for (; i < size - 6; ++i) {
    if (line.compare(i, 6, "coding") != 0) continue;
    size_t t = i + 6;
    if (at(t) != ':' && at(t) != '=') continue;
    do ++t;
    while (at(t) == ' ' || at(t) == '\t');
    size_t begin = t;
    while (std::isalnum(static_cast<unsigned char>(at(t))) || at(t) == '-' || at(t) == '_' || at(t) == '.') ++t;
    if (begin < t) {
      name_at = begin;
      return normal_name(line.substr(begin, t - begin));
    }
  }
  return "";
}

// True if the line (without its newline) holds nothing but whitespace and maybe a comment.
bool blank_or_comment(std::string_view line) {
  for (char c : line) {
    if (c == '#') return true;
    if (c != ' ' && c != '\t' && c != '\f') return false;
  }
  return true;
}

// \r\n and \r become \n (CPython translates newlines before decoding).
std::string translate_newlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Line (1-based) and column of byte `at` of newline-translated text.
Span span_at(std::string_view text, size_t at) {
  uint32_t line = 1;
  size_t ls = 0;
  for (size_t i = 0; i < at && i < text.size(); ++i)
    if (text[i] == '\n') ++line, ls = i + 1;
  uint32_t c = static_cast<uint32_t>(at - ls);
  return Span{line, c, line, c + 1};
}

}  // namespace

SourceRef decode_source(const SourceRef& src, std::vector<Diagnostic>& diags) {
  const std::string& text = src->text();
  bool bom = text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
             static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF;
  size_t start = bom ? 3 : 0;
  // The declaration counts only on a line that ends with a newline; line 2 only if line 1 is blank
  // or a comment.
  size_t nl1 = text.find_first_of("\r\n", start);
  if (nl1 == std::string::npos) return src;
  std::string_view line1(text.data() + start, nl1 - start);
  uint32_t spec_line = 1;
  size_t name_at = 0;
  std::string enc = coding_spec(line1, static_cast<long>(line1.size()), name_at);
  if (enc.empty() && blank_or_comment(line1)) {
    size_t s2 = nl1 + ((text[nl1] == '\r' && nl1 + 1 < text.size() && text[nl1 + 1] == '\n') ? 2 : 1);
    size_t nl2 = text.find_first_of("\r\n", s2);
    if (nl2 != std::string::npos) {
      std::string line2(text, s2, nl2 - s2);
      line2.push_back('\n');  // CPython passes line 2 with its newline
      enc = coding_spec(line2, static_cast<long>(line2.size()), name_at);
      spec_line = 2;
    }
  }
  if (enc.empty() || enc == "utf-8") {
    if (enc.empty() || !bom) return src;
  }
  auto fail = [&](Span sp, std::string msg) {
    Diagnostic d;
    d.loc = Location{src, sp};
    d.message = std::move(msg);
    diags.push_back(std::move(d));
    return std::make_shared<SourceFile>(src->path(), std::string());  // nothing more to report
  };
  uint32_t name_col = static_cast<uint32_t>(name_at) + (spec_line == 1 ? static_cast<uint32_t>(start) : 0);
  Span spec_span{spec_line, name_col, spec_line, name_col + static_cast<uint32_t>(enc.size())};
  if (bom) {
    if (enc == "utf-8") return src;
    return fail(spec_span, "encoding problem: " + enc + " with BOM");
  }
  unicode::Codec codec;
  if (!unicode::find_codec(enc, codec)) return fail(spec_span, "unknown encoding: " + enc);
  std::string plain = translate_newlines(text);
  char buf[256];
  switch (codec.kind) {
    case unicode::CodecKind::Utf8: {
      std::string msg;
      size_t at = 0;
      if (!utf8_error(plain, msg, at)) return fail(span_at(plain, at), msg);
      return src;
    }
    case unicode::CodecKind::SingleByte: {
      std::string out;
      size_t bad = 0;
      if (!unicode::decode_single_byte(codec, plain, out, bad)) {
        std::snprintf(buf, sizeof buf, codec.error, static_cast<unsigned char>(plain[bad]), bad);
        return fail(span_at(plain, bad), buf);
      }
      return std::make_shared<SourceFile>(src->path(), std::move(out));
    }
    case unicode::CodecKind::AsciiSuperset: {
      bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      if (ascii) return src;  // the codec decodes ASCII as itself
      break;
    }
    case unicode::CodecKind::NotText:
      return fail(spec_span, "'" + enc + "' is not a text encoding; use codecs.decode() to handle arbitrary codecs");
    case unicode::CodecKind::Undefined:
      return fail(spec_span, "decoding with '" + enc + "' codec failed (UnicodeError: undefined encoding)");
    case unicode::CodecKind::OtherText: break;
  }
  return fail(spec_span, "source encoding '" + enc +
                             "' is not supported by nkic (supported: UTF-8 and the single-byte "
                             "codecs such as latin-1, cp1252, koi8-r); save the file as UTF-8");
}

// ---------------------------------------------------------------------------------------------
// Identifiers: CPython normalises non-ASCII identifiers to NFKC (PEP 3131).

std::string normalize_identifier(std::string_view name) {
  for (char c : name)
    if (static_cast<unsigned char>(c) >= 0x80) return unicode::nfkc(name);
  return std::string(name);
}

}  // namespace nkic::lex
