// An append-only array stored in fixed-size chunks: growing never copies the elements already stored
// (no 2x peak while a std::vector reallocates), and references stay valid across push_back (in a
// container that was not copied: a copy's last chunk has no spare capacity).
#pragma once

#include <cstddef>
#include <iterator>
#include <vector>

namespace nkic {

template <class T, size_t kChunkBits = 10>
class ChunkedVector {
  static constexpr size_t kChunk = size_t{1} << kChunkBits;

 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  T& push_back(T x) {
    if ((size_ & (kChunk - 1)) == 0) {
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);
    }
    ++size_;
    return chunks_.back().emplace_back(std::move(x));
  }
  void clear() {
    chunks_.clear();
    size_ = 0;
  }

  template <class V, class C>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = V*;
    using reference = V&;
    Iter() = default;
    Iter(C* c, size_t i) : c_(c), i_(i) {}
    V& operator*() const { return (*c_)[i_]; }
    V* operator->() const { return &(*c_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    Iter operator++(int) {
      Iter t = *this;
      ++i_;
      return t;
    }
    bool operator==(const Iter& o) const { return i_ == o.i_; }

   private:
    C* c_ = nullptr;
    size_t i_ = 0;
  };
  using iterator = Iter<T, ChunkedVector>;
  using const_iterator = Iter<const T, const ChunkedVector>;
  iterator begin() { return {this, 0}; }
  iterator end() { return {this, size_}; }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size_}; }

 private:
  std::vector<std::vector<T>> chunks_;  // each reserved to kChunk elements
  size_t size_ = 0;
};

}  // namespace nkic
