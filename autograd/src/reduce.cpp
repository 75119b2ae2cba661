// Reductions, whose backward spreads the gradient back over the reduced elements.
#include <cmath>

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/compare.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/reduce.h"

namespace mg {

using autograd::needs_grad;
using autograd::OpKind;
using autograd::record;
using autograd::SavedTensor;

namespace {

// grad_out with the reduced dims brought back as size 1, so that it broadcasts against the input.
Tensor unsqueeze_reduced(const Tensor& grad_out, const Shape& input_shape,
                         const std::vector<int64_t>& dims, bool keepdim) {
  if (keepdim) return grad_out;
  return grad_out.reshape(kernels::reduced_dims(input_shape, dims, "sum").kept_shape);
}

// out, the sum or (by_count) the mean of input over dims, recorded as `kind`: its gradient spreads
// back over the input, every input element receiving its reduced element's gradient, divided by
// the reduced count for a mean, as PyTorch divides.
Tensor record_spread(Tensor out, const Tensor& input, const std::vector<int64_t>& dims,
                     bool keepdim, OpKind kind, bool by_count) {
  if (!needs_grad(input)) return out;
  const double count =
      by_count ? static_cast<double>(kernels::reduced_dims(input.shape(), dims, "mean").count) : 1;
  record(out, kind,
         {{input, [shape = input.shape(), dtype = input.dtype(), dims, keepdim,
                   count](const Tensor& grad_out) {
             Tensor grad_input = empty(shape, dtype);
             kernels::copy_(grad_input, unsqueeze_reduced(grad_out, shape, dims, keepdim) / count);
             return grad_input;
           }}});
  return out;
}

// max()/min()'s gradient, as PyTorch's evenly_distribute_backward: shared equally by the
// elements equal to the result (the NaNs when the result is NaN).
Tensor evenly_distribute(const Tensor& grad_out, const Tensor& input, const Tensor& result) {
  const Tensor ties = std::isnan(result.item()) ? input != input : input == result;
  const double count = sum(ties.to(kFloat64)).item();
  return where(ties, grad_out / count, 0.0);
}

// max(dim)/min(dim)'s gradient: each output's gradient goes to the element its index picked.
Tensor to_picked(const Tensor& grad_out, const Tensor& indices, const Shape& input_shape,
                 int64_t dim, bool keepdim) {
  if (input_shape.empty()) return grad_out;  // a 0-dim input is its own max
  const int64_t d = normalize_dim(dim, static_cast<int64_t>(input_shape.size()), "max");
  Shape positions_shape(input_shape.size(), 1);
  positions_shape[d] = input_shape[d];
  const Tensor positions = arange(input_shape[d]).reshape(positions_shape);
  const Tensor picked = positions == (keepdim ? indices : indices.unsqueeze(d));
  return where(picked, keepdim ? grad_out : grad_out.unsqueeze(d), 0.0);
}

// max and min, which differ only in the kernel they call and the names they record.
Tensor extreme(const Tensor& input, bool largest) {
  Tensor out = largest ? kernels::max(input) : kernels::min(input);
  if (needs_grad(input))
    record(out, largest ? OpKind::MaxBackward1 : OpKind::MinBackward1,
           {{input, [x = SavedTensor(input), result = SavedTensor(out)](const Tensor& grad_out) {
               return evenly_distribute(grad_out, x.get(), result.get());
             }}});
  return out;
}

std::tuple<Tensor, Tensor> extreme(const Tensor& input, int64_t dim, bool keepdim, bool largest) {
  auto [values, indices] =
      largest ? kernels::max(input, dim, keepdim) : kernels::min(input, dim, keepdim);
  if (needs_grad(input))
    record(values, largest ? OpKind::MaxBackward0 : OpKind::MinBackward0,
           {{input, [indices = SavedTensor(indices), shape = input.shape(), dim,
                     keepdim](const Tensor& grad_out) {
               return to_picked(grad_out, indices.get(), shape, dim, keepdim);
             }}});
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& input, const std::vector<int64_t>& dims, bool keepdim) {
  return record_spread(kernels::sum(input, dims, keepdim), input, dims, keepdim,
                       dims.empty() ? OpKind::SumBackward0 : OpKind::SumBackward1,
                       /*by_count=*/false);
}

Tensor mean(const Tensor& input, const std::vector<int64_t>& dims, bool keepdim) {
  return record_spread(kernels::mean(input, dims, keepdim), input, dims, keepdim,
                       dims.empty() ? OpKind::MeanBackward0 : OpKind::MeanBackward1,
                       /*by_count=*/true);
}

Tensor var(const Tensor& input, const std::vector<int64_t>& dims, bool unbiased, bool keepdim) {
  Tensor out = kernels::var(input, dims, unbiased, keepdim);
  if (needs_grad(input)) {
    const double dof =
        static_cast<double>(kernels::reduced_dims(input.shape(), dims, "var").count) - unbiased;
    record(out, OpKind::VarBackward0,
           {{input, [x = SavedTensor(input), dims, keepdim, dof](const Tensor& grad_out) {
               // d var / dx = 2 (x - mean) / (N - correction)
               const Tensor self = x.get();
               return (2.0 / dof) * unsqueeze_reduced(grad_out, self.shape(), dims, keepdim) *
                      (self - self.mean(dims, true));
             }}});
  }
  return out;
}

Tensor max(const Tensor& input) {
  return extreme(input, /*largest=*/true);
}
Tensor min(const Tensor& input) {
  return extreme(input, /*largest=*/false);
}
std::tuple<Tensor, Tensor> max(const Tensor& input, int64_t dim, bool keepdim) {
  return extreme(input, dim, keepdim, /*largest=*/true);
}
std::tuple<Tensor, Tensor> min(const Tensor& input, int64_t dim, bool keepdim) {
  return extreme(input, dim, keepdim, /*largest=*/false);
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

Tensor Tensor::var(const std::vector<int64_t>& dims, bool unbiased, bool keepdim) const {
  return mg::var(*this, dims, unbiased, keepdim);
}
Tensor Tensor::max() const {
  return mg::max(*this);
}
Tensor Tensor::min() const {
  return mg::min(*this);
}
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return mg::max(*this, dim, keepdim);
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return mg::min(*this, dim, keepdim);
}
Tensor Tensor::argmax() const {
  return mg::argmax(*this);
}
Tensor Tensor::argmin() const {
  return mg::argmin(*this);
}
Tensor Tensor::argmax(int64_t dim, bool keepdim) const {
  return mg::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin(int64_t dim, bool keepdim) const {
  return mg::argmin(*this, dim, keepdim);
}

}  // namespace mg
