#pragma once

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

}  // namespace mg::detail
