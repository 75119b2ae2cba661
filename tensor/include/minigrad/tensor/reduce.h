#pragma once

#include <cstdint>
#include <vector>

#include "minigrad/tensor/tensor.h"

// Reductions on raw tensors, bit for bit as PyTorch 1.13's CPU kernels compute them (one thread,
// AVX2 build): see tensor/src/sum_kernel.h for the summation order. Graph-free; autograd/ wraps
// them in differentiable ops.
namespace mg::kernels {

using Dims = std::vector<int64_t>;

// Sum over `dims` (negative dims count from the end; each at most once). No dims means all of
// them: a 0-dim result, or all sizes 1 with keepdim. The sum of no elements is 0.
Tensor sum(const Tensor& input, const Dims& dims = {}, bool keepdim = false);

// The sum divided by the number of elements summed (a true division, as torch does); the mean
// of no elements is nan.
Tensor mean(const Tensor& input, const Dims& dims = {}, bool keepdim = false);

// How many elements are NaN and how many are infinite: what detect_anomaly looks for.
struct NonFiniteCount {
  int64_t nan = 0;
  int64_t inf = 0;
};
NonFiniteCount count_non_finite(const Tensor& input);

}  // namespace mg::kernels
