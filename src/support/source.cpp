#include "support/source.h"

namespace nkic {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {
  line_starts_.push_back(0);
  const size_t n = text_.size();
  for (size_t i = 0; i < n; ++i) {
    char c = text_[i];
    if (c == '\n') {
      if (i + 1 < n) line_starts_.push_back(static_cast<uint32_t>(i + 1));
    } else if (c == '\r') {
      if (i + 1 < n && text_[i + 1] == '\n') ++i;
      if (i + 1 < n) line_starts_.push_back(static_cast<uint32_t>(i + 1));
    }
  }
}

std::string_view SourceFile::line(uint32_t n) const {
  if (n == 0 || n > line_starts_.size()) return {};
  size_t begin = line_starts_[n - 1];
  size_t end = n < line_starts_.size() ? line_starts_[n] : text_.size();
  std::string_view v(text_.data() + begin, end - begin);
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.remove_suffix(1);
  return v;
}

}  // namespace nkic
