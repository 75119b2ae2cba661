#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "minigrad/tensor/shape.h"

namespace mg::detail {

// Calls row(offset, n, stride) for each innermost row of a strided view, in row-major order:
// the row's elements sit at offset, offset + stride, ..., offset + (n - 1) * stride.
// An odometer over the outer dims keeps this iterative for any rank. The one stride helper the
// kernels share, so no kernel writes out index arithmetic of its own.
template <typename Row>
void for_each_row(const Shape& shape, const Shape& strides, int64_t offset, Row row) {
  const int64_t ndim = static_cast<int64_t>(shape.size());
  if (ndim == 0) return row(offset, int64_t{1}, int64_t{1});
  for (int64_t size : shape)
    if (size == 0) return;
  const int64_t inner = ndim - 1;
  Shape index(ndim, 0);
  while (true) {
    row(offset, shape[inner], strides[inner]);
    int64_t d = inner - 1;
    for (; d >= 0; --d) {
      offset += strides[d];
      if (++index[d] < shape[d]) break;
      offset -= strides[d] * shape[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

// The element offset of number `index` in row-major order over dims `sizes` with `strides`, for
// a loop that starts anywhere, as the chunks of a parallel_for do.
inline int64_t offset_of(int64_t index, const Shape& sizes, const Shape& strides) {
  int64_t offset = 0;
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    offset += index % sizes[d] * strides[d];
    index /= sizes[d];
  }
  return offset;
}

// The multi-operand form: N views walked in step over one shape, e.g. an output and its two
// inputs. strides[k] are operand k's strides in that shape (0 on a broadcast dim) and offsets[k]
// its first element. Calls row(offsets, n, row_strides) for each innermost row, where operand k's
// row sits at offsets[k], offsets[k] + row_strides[k], ... Dims of size 1 are dropped and dims
// that every operand walks contiguously are merged first, so a contiguous tensor is one long row
// whichever its rank, and the kernel's inner loop gets as much work as possible per call.
template <size_t N, typename Row>
void for_each_row(const Shape& shape, const std::array<Shape, N>& strides,
                  std::array<int64_t, N> offsets, Row row) {
  for (int64_t size : shape)
    if (size == 0) return;
  Shape sizes;
  std::array<Shape, N> merged;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool mergeable = !sizes.empty();
    for (size_t k = 0; k < N && mergeable; ++k)
      mergeable = merged[k].back() == strides[k][d] * shape[d];
    if (mergeable) {
      sizes.back() *= shape[d];
      for (size_t k = 0; k < N; ++k) merged[k].back() = strides[k][d];
    } else {
      sizes.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) merged[k].push_back(strides[k][d]);
    }
  }
  std::array<int64_t, N> row_strides;
  if (sizes.empty()) {  // a 0-dim tensor or all sizes 1: one element
    row_strides.fill(1);
    return row(offsets, int64_t{1}, row_strides);
  }
  const int64_t inner = static_cast<int64_t>(sizes.size()) - 1;
  for (size_t k = 0; k < N; ++k) row_strides[k] = merged[k][inner];
  Shape index(sizes.size(), 0);
  while (true) {
    row(offsets, sizes[inner], row_strides);
    int64_t d = inner - 1;
    for (; d >= 0; --d) {
      for (size_t k = 0; k < N; ++k) offsets[k] += merged[k][d];
      if (++index[d] < sizes[d]) break;
      for (size_t k = 0; k < N; ++k) offsets[k] -= merged[k][d] * sizes[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace mg::detail
