// Exact byte sets of access patterns, for the checkers' overlap questions.
#include <algorithm>

#include "passes/checks.h"

namespace nkic {

namespace {

struct Norm {  // a pattern with positive strides, sorted innermost first, without size-1/stride-0 dims
  int64_t offset = 0;
  std::vector<APDim> dims;
  bool empty = false;
};

Norm normalize(const APRef& ap) {
  Norm n;
  n.offset = ap.offset;
  for (const APDim& d : ap.dims) {
    if (d.num <= 0) n.empty = true;
    if (d.num <= 1 || d.stride == 0) continue;
    if (d.stride < 0) {  // walk it backwards: same elements
      n.offset += d.stride * (d.num - 1);
      n.dims.push_back({-d.stride, d.num});
    } else {
      n.dims.push_back(d);
    }
  }
  std::sort(n.dims.begin(), n.dims.end(), [](const APDim& a, const APDim& b) { return a.stride < b.stride; });
  return n;
}

}  // namespace

ByteRange byte_bounds(const APRef& ap) {
  Norm n = normalize(ap);
  if (n.empty) return {0, 0};
  int64_t w = size_of(ap.dtype), last = n.offset;
  for (const APDim& d : n.dims) last += d.stride * (d.num - 1);
  return {n.offset * w, (last + 1) * w};
}

std::optional<std::vector<ByteRange>> byte_ranges(const APRef& ap, size_t limit) {
  Norm n = normalize(ap);
  std::vector<ByteRange> out;
  if (n.empty) return out;
  int64_t w = size_of(ap.dtype);
  // The contiguous innermost run: dims that extend a unit-stride run exactly.
  int64_t run = 1;
  size_t k = 0;
  while (k < n.dims.size() && n.dims[k].stride == run) run *= n.dims[k++].num;
  size_t count = 1;
  for (size_t j = k; j < n.dims.size(); ++j) {
    if (static_cast<size_t>(n.dims[j].num) > limit / count) return std::nullopt;
    count *= static_cast<size_t>(n.dims[j].num);
  }
  out.reserve(count);
  std::vector<int64_t> idx(n.dims.size() - k, 0);
  for (size_t c = 0; c < count; ++c) {
    int64_t start = n.offset;
    for (size_t j = 0; j < idx.size(); ++j) start += idx[j] * n.dims[k + j].stride;
    out.push_back({start * w, (start + run) * w});
    for (size_t j = 0; j < idx.size(); ++j) {  // odometer, innermost first
      if (++idx[j] < n.dims[k + j].num) break;
      idx[j] = 0;
    }
  }
  std::sort(out.begin(), out.end());
  size_t m = 0;
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].first <= out[m].second)
      out[m].second = std::max(out[m].second, out[i].second);
    else
      out[++m] = out[i];
  }
  out.resize(m + 1);
  return out;
}

bool aps_overlap(const APRef& a, const APRef& b) {
  if (a.tensor != b.tensor) return false;
  ByteRange ba = byte_bounds(a), bb = byte_bounds(b);
  if (ba.first >= ba.second || bb.first >= bb.second) return false;
  if (ba.second <= bb.first || bb.second <= ba.first) return false;
  // Element by element at worst (1 << 22 ranges); beyond that assume they overlap.
  auto ra = byte_ranges(a, size_t{1} << 22), rb = byte_ranges(b, size_t{1} << 22);
  if (!ra || !rb) return true;
  size_t i = 0, j = 0;
  while (i < ra->size() && j < rb->size()) {
    const ByteRange &x = (*ra)[i], &y = (*rb)[j];
    if (x.second <= y.first)
      ++i;
    else if (y.second <= x.first)
      ++j;
    else
      return true;
  }
  return false;
}

}  // namespace nkic
