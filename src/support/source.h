// Source files and spans: every AST node, instruction and diagnostic points back here.
// Lines are 1-based; columns are 0-based UTF-8 byte offsets, as in CPython's ast.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nkic {

struct Span {
  uint32_t line = 0, col = 0;          // start (line 1-based, col 0-based bytes)
  uint32_t end_line = 0, end_col = 0;  // end, exclusive column
  bool valid() const { return line != 0; }
};

class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  const std::string& path() const { return path_; }  // as the user gave it
  const std::string& text() const { return text_; }
  // Text of 1-based line n without its newline ("" if out of range).
  std::string_view line(uint32_t n) const;
  uint32_t num_lines() const { return static_cast<uint32_t>(line_starts_.size()); }

 private:
  std::string path_, text_;
  std::vector<uint32_t> line_starts_;
};

using SourceRef = std::shared_ptr<const SourceFile>;

// A span in a particular file.
struct Location {
  SourceRef file;
  Span span;
};

}  // namespace nkic
