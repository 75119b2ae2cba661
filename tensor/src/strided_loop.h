#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/shape.h"
#include "minigrad/tensor/tensor.h"

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

// N views walked in step over one shape, e.g. an output and its two inputs: their sizes with the
// dims of size 1 dropped and the dims that every operand walks contiguously merged, so that a
// contiguous tensor is one long row whichever its rank and a kernel's inner loop gets as much work
// as possible per call. strides[k] are operand k's strides in that shape (0 on a broadcast dim).
template <size_t N>
struct MergedDims {
  Shape sizes;  // never empty: a 0-dim tensor, or one of all sizes 1, is one row of one element
  std::array<Shape, N> strides;
};

template <size_t N>
MergedDims<N> merge_dims(const Shape& shape, const std::array<Shape, N>& strides) {
  MergedDims<N> dims;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool mergeable = !dims.sizes.empty();
    for (size_t k = 0; k < N && mergeable; ++k)
      mergeable = dims.strides[k].back() == strides[k][d] * shape[d];
    if (mergeable) {
      dims.sizes.back() *= shape[d];
      for (size_t k = 0; k < N; ++k) dims.strides[k].back() = strides[k][d];
    } else {
      dims.sizes.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) dims.strides[k].push_back(strides[k][d]);
    }
  }
  if (dims.sizes.empty()) {
    dims.sizes.push_back(1);
    for (size_t k = 0; k < N; ++k) dims.strides[k].push_back(1);
  }
  return dims;
}

// Calls row(offsets, n, row_strides) for the rows, or parts of rows, that hold elements
// [begin, end) of dims in row-major order, operand k's at offsets[k], offsets[k] + row_strides[k],
// and so on. An odometer over the outer dims keeps this iterative for any rank.
template <size_t N, typename Row>
void walk_rows(const MergedDims<N>& dims, std::array<int64_t, N> offsets, int64_t begin,
               int64_t end, Row& row) {
  const Shape& sizes = dims.sizes;
  const int64_t inner = static_cast<int64_t>(sizes.size()) - 1;
  std::array<int64_t, N> row_strides;
  for (size_t k = 0; k < N; ++k) row_strides[k] = dims.strides[k][inner];
  if (inner == 0) {  // contiguous operands merge to one row: no odometer needed
    for (size_t k = 0; k < N; ++k) offsets[k] += begin * row_strides[k];
    row(offsets, end - begin, row_strides);
    return;
  }
  Shape index(sizes.size());
  for (int64_t d = inner, rest = begin; d >= 0; --d) {
    index[d] = rest % sizes[d];
    rest /= sizes[d];
    for (size_t k = 0; k < N; ++k) offsets[k] += index[d] * dims.strides[k][d];
  }
  for (int64_t i = begin;;) {
    const int64_t n = std::min(sizes[inner] - index[inner], end - i);
    row(offsets, n, row_strides);
    i += n;
    if (i == end) return;
    // the next row: back to this row's start, then count on the outer dims
    for (size_t k = 0; k < N; ++k) offsets[k] -= index[inner] * row_strides[k];
    index[inner] = 0;
    for (int64_t d = inner - 1; d >= 0; --d) {
      for (size_t k = 0; k < N; ++k) offsets[k] += dims.strides[k][d];
      if (++index[d] < sizes[d]) break;
      for (size_t k = 0; k < N; ++k) offsets[k] -= dims.strides[k][d] * sizes[d];
      index[d] = 0;
    }
  }
}

// Whether every operand walks shape as a contiguous tensor does (dims of size 1 aside), so that
// merge_dims would give one row.
template <size_t N>
bool all_contiguous(const Shape& shape, const std::array<Shape, N>& strides) {
  int64_t expected = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] == 1) continue;
    for (size_t k = 0; k < N; ++k)
      if (strides[k][d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

// Calls row(offsets, n, row_strides) as for_each_row_in_chunks does, for N views that are each
// one contiguous row of `size` elements from offsets[k]: row_strides are all 1.
template <size_t N, typename Row>
void for_each_contiguous_chunk(int64_t size, const std::array<int64_t, N>& offsets, int64_t grain,
                               Row row) {
  std::array<int64_t, N> unit_strides;
  unit_strides.fill(1);
  parallel_for(0, size, grain, [&](int64_t begin, int64_t end) {
    std::array<int64_t, N> first = offsets;
    for (int64_t& offset : first) offset += begin;
    row(first, end - begin, unit_strides);
  });
}

// Calls row(offsets, n, row_strides) for the rows of N views walked in step over shape (see
// MergedDims), offsets[k] being operand k's first element, in chunks of `grain` elements on both
// cores (parallel.h): rows come in any order and may be cut in parts unless one chunk holds all.
template <size_t N, typename Row>
void for_each_row_in_chunks(const Shape& shape, const std::array<Shape, N>& strides,
                            const std::array<int64_t, N>& offsets, int64_t grain, Row row) {
  for (int64_t size : shape)
    if (size == 0) return;
  if (all_contiguous(shape, strides))  // the common case, one row, for less than merge_dims
    return for_each_contiguous_chunk(numel(shape), offsets, grain, row);
  const MergedDims<N> dims = merge_dims(shape, strides);
  parallel_for(0, numel(dims.sizes), grain,
               [&](int64_t begin, int64_t end) { walk_rows(dims, offsets, begin, end, row); });
}

}  // namespace mg::detail
