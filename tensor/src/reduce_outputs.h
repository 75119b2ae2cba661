#pragma once

#include <cstdint>
#include <vector>

#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/reduce.h"
#include "strided_loop.h"

// The walk over a reduction's outputs that var (reduce.cpp) and max, min, argmax and argmin
// (max_min.cpp) share, each output computed on its own.
namespace mg::kernels {

// The entries of `per_dim` (sizes or strides, one per dim) of the dims `reduced` marks, or others'.
inline Shape select_dims(const Shape& per_dim, const std::vector<bool>& reduced, bool of_reduced) {
  Shape selected;
  for (size_t d = 0; d < per_dim.size(); ++d)
    if (reduced[d] == of_reduced) selected.push_back(per_dim[d]);
  return selected;
}

// Calls reduce(in_offset, out_index) for each output element of `reduction`, out_index in
// row-major order of the output; in_offset is the element where the output's reduced elements
// start (storage offsets, in elements). Outputs are independent, so they run in parallel,
// reduction.count elements of work each.
template <typename Reduce>
void for_each_output(const Tensor& input, const ReducedDims& reduction, Reduce reduce) {
  const Shape kept_sizes = select_dims(input.shape(), reduction.reduced, false);
  const Shape kept_strides = select_dims(input.strides(), reduction.reduced, false);
  parallel_for(0, numel(kept_sizes), grain_for(reduction.count), [&](int64_t begin, int64_t end) {
    for (int64_t out = begin; out < end; ++out)
      reduce(input.storage_offset() + detail::offset_of(out, kept_sizes, kept_strides), out);
  });
}

}  // namespace mg::kernels
