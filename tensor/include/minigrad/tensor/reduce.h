#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include "minigrad/tensor/tensor.h"

// Reductions on raw tensors, bit for bit as PyTorch 1.13's CPU kernels compute them (one thread,
// AVX2 build): see tensor/src/sum_kernel.h for the summation order. Graph-free; autograd/ wraps
// them in differentiable ops.
namespace mg::kernels {

using Dims = std::vector<int64_t>;

// The dims of a tensor of `shape` that a reduction over `dims` reduces (negative dims counting
// from the end), all of them when `dims` is empty. A 0-dim tensor accepts dim 0 or -1 and reduces
// to itself, as in PyTorch. The one reading of a reduction's dims, for kernels and gradients.
struct ReducedDims {
  std::vector<bool> reduced;  // one flag per dim, none for a 0-dim tensor
  Shape kept_shape;           // the shape with the reduced dims 1: the result's with keepdim
  int64_t count = 1;          // how many elements each element of the result reduces

  // kept_shape, or without keepdim the shape without the reduced dims.
  Shape result_shape(bool keepdim) const;
};
// Throws, naming `op`, for a dim out of range or named twice.
ReducedDims reduced_dims(const Shape& shape, const Dims& dims, const char* op);

// Sum over `dims` (negative dims count from the end; each at most once). No dims means all of
// them: a 0-dim result, or all sizes 1 with keepdim. The sum of no elements is 0.
Tensor sum(const Tensor& input, const Dims& dims = {}, bool keepdim = false);

// The sum divided by the element count (a true division, as in torch); nan over no elements.
Tensor mean(const Tensor& input, const Dims& dims = {}, bool keepdim = false);

// The variance over `dims` (all of them when empty), divided by N - 1 when unbiased, else by N;
// nan when that divisor is not positive (one element, unbiased), as in PyTorch. Floating point
// only. Accumulates in double as PyTorch 1.13's CPU kernels do: two passes (the mean, then the
// squared deviations) when the result is one element, Welford's update per output otherwise. The
// order of the additions may differ from PyTorch's, so results agree to rounding: the float32
// ones tested round to the same bits, float64 ones may differ in the last bits.
Tensor var(const Tensor& input, const Dims& dims = {}, bool unbiased = true, bool keepdim = false);

// The largest / smallest element, a 0-dim tensor; NaN when any element is NaN. Every dtype.
// Throws for an empty tensor, which has none.
Tensor max(const Tensor& input);
Tensor min(const Tensor& input);
// Along one dim: the values and their int64 indices, picking the first occurrence on ties and the
// first NaN when there is one (as PyTorch's CPU kernels do). Throws when that dim has size 0.
std::tuple<Tensor, Tensor> max(const Tensor& input, int64_t dim, bool keepdim = false);
std::tuple<Tensor, Tensor> min(const Tensor& input, int64_t dim, bool keepdim = false);
// The index alone: over all elements, the index into the flattened (row-major) tensor.
Tensor argmax(const Tensor& input);
Tensor argmin(const Tensor& input);
Tensor argmax(const Tensor& input, int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& input, int64_t dim, bool keepdim = false);

// How many elements are NaN and how many are infinite: what detect_anomaly looks for.
struct NonFiniteCount {
  int64_t nan = 0;
  int64_t inf = 0;
};
NonFiniteCount count_non_finite(const Tensor& input);

}  // namespace mg::kernels
