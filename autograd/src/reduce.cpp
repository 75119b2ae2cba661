// Reductions, whose backward spreads the gradient back over the reduced elements.
#include <algorithm>

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/reduce.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;

namespace {

// A reduction's gradient, spread back over the input: every input element receives its reduced
// element's gradient divided by `count` (1 for sum, the reduced count for mean, as PyTorch
// divides).
Tensor spread(const Tensor& grad_out, const Shape& input_shape, Dtype dtype,
              const std::vector<int64_t>& dims, bool keepdim, double count) {
  // Bring the reduced dims back as size 1 so the gradient broadcasts against the input.
  Shape kept = keepdim ? grad_out.shape() : input_shape;
  if (!keepdim) {
    if (dims.empty()) std::fill(kept.begin(), kept.end(), 1);
    for (int64_t dim : dims) kept[normalize_dim(dim, static_cast<int64_t>(kept.size()), "sum")] = 1;
  }
  Tensor grad_input = empty(input_shape, dtype);
  kernels::copy_(grad_input, grad_out.reshape(kept) / count);
  return grad_input;
}

}  // namespace

Tensor sum(const Tensor& input, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out = kernels::sum(input, dims, keepdim);
  if (needs_grad(input))
    record(out, dims.empty() ? "SumBackward0" : "SumBackward1",
           {{input,
             [shape = input.shape(), dtype = input.dtype(), dims, keepdim](const Tensor& grad_out) {
               return spread(grad_out, shape, dtype, dims, keepdim, 1.0);
             }}});
  return out;
}

Tensor mean(const Tensor& input, const std::vector<int64_t>& dims, bool keepdim) {
  Tensor out = kernels::mean(input, dims, keepdim);
  if (needs_grad(input)) {
    const double count = static_cast<double>(input.numel()) / std::max<int64_t>(out.numel(), 1);
    record(out, dims.empty() ? "MeanBackward0" : "MeanBackward1",
           {{input, [shape = input.shape(), dtype = input.dtype(), dims, keepdim,
                     count](const Tensor& grad_out) {
               return spread(grad_out, shape, dtype, dims, keepdim, count);
             }}});
  }
  return out;
}

Tensor Tensor::sum() const {
  return mg::sum(*this);
}
Tensor Tensor::sum(const std::vector<int64_t>& dims, bool keepdim) const {
  return mg::sum(*this, dims, keepdim);
}
Tensor Tensor::mean() const {
  return mg::mean(*this);
}
Tensor Tensor::mean(const std::vector<int64_t>& dims, bool keepdim) const {
  return mg::mean(*this, dims, keepdim);
}

}  // namespace mg
