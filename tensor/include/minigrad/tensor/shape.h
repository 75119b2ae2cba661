#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <ostream>
#include <vector>

namespace mg {

namespace detail {

// mg::Shape: the part of std::vector<int64_t>'s interface that shapes need, but up to kInlineDims
// sizes are held inside the object itself: every tensor has a shape and strides, and every op
// computes a few more, so a heap block for each would cost more than the math of a small op. Past
// kInlineDims the sizes move to a vector. It converts to std::vector<int64_t>, the type shapes
// had before, and lives in detail so that, like that vector, it brings no mg function into the
// overloads of a call from another namespace.
class ShapeVector {
 public:
  static constexpr size_t kInlineDims = 6;

  using value_type = int64_t;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = int64_t&;
  using const_reference = const int64_t&;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;

  ShapeVector() = default;
  explicit ShapeVector(size_t count, int64_t value = 0) { resize(count, value); }
  ShapeVector(std::initializer_list<int64_t> sizes) : ShapeVector(sizes.begin(), sizes.end()) {}
  template <std::input_iterator Iterator>
  ShapeVector(Iterator first, Iterator last) {
    for (; first != last; ++first) push_back(*first);
  }
  operator std::vector<int64_t>() const { return {begin(), end()}; }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return on_heap() ? heap_.data() : inline_.data(); }
  const int64_t* data() const { return on_heap() ? heap_.data() : inline_.data(); }

  int64_t& operator[](size_t d) { return data()[d]; }
  const int64_t& operator[](size_t d) const { return data()[d]; }
  int64_t& back() { return data()[size_ - 1]; }
  const int64_t& back() const { return data()[size_ - 1]; }

  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }

  // New sizes, if any, are value.
  void resize(size_t count, int64_t value = 0) {
    if (count > kInlineDims) {
      if (!on_heap()) heap_.assign(begin(), end());
      heap_.resize(count, value);
    } else if (on_heap()) {  // shrinking back into the object
      std::copy_n(heap_.begin(), count, inline_.begin());
      heap_.clear();
    } else if (count > size_) {
      std::fill(inline_.begin() + size_, inline_.begin() + count, value);
    }
    size_ = count;
  }
  void push_back(int64_t value) {
    if (size_ < kInlineDims) {  // the common case, kept small enough to inline
      inline_[size_++] = value;
      return;
    }
    resize(size_ + 1, value);
  }

  iterator insert(const_iterator position, int64_t value) {
    const int64_t at = value;  // read before resizing: value may be one of the sizes
    return insert(position, &at, &at + 1);
  }
  template <std::forward_iterator Iterator>
  iterator insert(const_iterator position, Iterator first, Iterator last) {
    const auto index = static_cast<size_t>(position - begin());
    const auto count = static_cast<size_t>(std::distance(first, last));
    const size_t old_size = size_;
    resize(old_size + count);
    std::copy_backward(begin() + index, begin() + old_size, end());
    std::copy(first, last, begin() + index);
    return begin() + index;
  }
  iterator erase(const_iterator position) { return erase(position, position + 1); }
  iterator erase(const_iterator first, const_iterator last) {
    const auto index = static_cast<size_t>(first - begin());
    const auto count = static_cast<size_t>(last - first);
    std::copy(begin() + index + count, end(), begin() + index);
    resize(size_ - count);
    return begin() + index;
  }

  // A plain loop: std::equal calls memcmp, whose set-up costs more than comparing a few dims.
  friend bool operator==(const ShapeVector& a, const ShapeVector& b) {
    if (a.size_ != b.size_) return false;
    for (size_t d = 0; d < a.size_; ++d)
      if (a[d] != b[d]) return false;
    return true;
  }
  // As shapes read in error messages: "[2, 3]", and "[]" for a 0-dim tensor's.
  friend std::ostream& operator<<(std::ostream& out, const ShapeVector& shape) {
    out << '[';
    for (size_t d = 0; d < shape.size(); ++d) out << (d ? ", " : "") << shape[d];
    return out << ']';
  }

 private:
  bool on_heap() const { return size_ > kInlineDims; }

  size_t size_ = 0;
  // Left uninitialised: only the first size_ are ever read, and clearing all of them took 60% of
  // building the few shapes a small op's loop needs.
  std::array<int64_t, kInlineDims> inline_;
  std::vector<int64_t> heap_;  // empty unless size_ > kInlineDims
};

}  // namespace detail

// Sizes of a tensor's dims, outermost first. Strides use the same type, counted in elements.
using Shape = detail::ShapeVector;

}  // namespace mg
