#include "support/diagnostic.h"

#include <string_view>

namespace nkic {

namespace {

const char* label(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

bool has_location(const Location& loc) { return loc.file && loc.span.valid(); }

// Display width of byte range [0, n) of `s` starting at display column `col`: counts UTF-8
// code points (continuation bytes are free) and expands tabs to multiples of 8.
size_t advance(std::string_view s, size_t n, size_t col) {
  for (size_t i = 0; i < n && i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\t')
      col = (col / 8 + 1) * 8;
    else if ((c & 0xC0) != 0x80)
      ++col;
  }
  return col;
}

std::string expand_tabs(std::string_view s) {
  std::string out;
  size_t col = 0;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\t') {
      size_t next = (col / 8 + 1) * 8;
      out.append(next - col, ' ');
      col = next;
    } else {
      out.push_back(ch);
      if ((c & 0xC0) != 0x80) ++col;
    }
  }
  return out;
}

size_t leading_ws(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f')) ++i;
  return i;
}

// `File "p", line N, col C[suffix]` then the indented source line, and a caret line if asked.
void render_location(std::string& out, const Location& loc, const char* suffix, bool caret) {
  const Span& sp = loc.span;
  std::string_view line = loc.file->line(sp.line);
  size_t col_chars = 0;  // code points before the span
  for (size_t i = 0; i < sp.col && i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++col_chars;
  if (sp.col > line.size()) col_chars += sp.col - line.size();
  out += "File \"" + loc.file->path() + "\", line " + std::to_string(sp.line) + ", col " +
         std::to_string(col_chars + 1) + suffix + "\n";
  if (sp.line > loc.file->num_lines()) return;
  size_t ws = leading_ws(line);
  std::string_view body = line.substr(ws);
  out += "    " + expand_tabs(body) + "\n";
  if (!caret) return;
  size_t start = sp.col > ws ? sp.col - ws : 0;
  size_t end = sp.end_line == sp.line ? (sp.end_col > ws ? sp.end_col - ws : 0) : body.size();
  if (start > body.size()) start = body.size();
  if (end > body.size()) end = body.size();
  size_t c0 = advance(body, start, 0);
  size_t c1 = end > start ? advance(body.substr(start), end - start, c0) : c0;
  if (c1 <= c0) c1 = c0 + 1;
  out += std::string(4 + c0, ' ') + std::string(c1 - c0, '^') + "\n";
}

void render_one(std::string& out, const Diagnostic& d, Severity sev) {
  for (const Location& frame : d.stack)
    if (has_location(frame)) render_location(out, frame, ", in call", false);
  if (has_location(d.loc)) render_location(out, d.loc, "", true);
  out += std::string(label(sev)) + ": " + d.message + "\n";
  if (!d.hint.empty()) out += "hint: " + d.hint + "\n";
  for (const Diagnostic& n : d.notes) render_one(out, n, Severity::Note);
}

}  // namespace

std::string render(const Diagnostic& d) {
  std::string out;
  render_one(out, d, d.severity);
  return out;
}

std::string render(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (size_t i = 0; i < ds.size(); ++i) {
    if (i) out += "\n";
    out += render(ds[i]);
  }
  return out;
}

UserError::UserError(Diagnostic d) : UserError(std::vector<Diagnostic>{std::move(d)}) {}

UserError::UserError(std::vector<Diagnostic> ds) : std::runtime_error(render(ds)), diags_(std::move(ds)) {}

}  // namespace nkic
