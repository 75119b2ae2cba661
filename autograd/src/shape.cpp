// Differentiable view and layout ops. Each forward is a raw view from tensor/; each backward
// routes the gradient back into the input's shape.
#include "minigrad/autograd/node.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;

namespace {
// `out` shares input's storage: it is tracked as a view even when no gradient is involved, so that
// a later write through it, or into its base, reaches the right history.
template <typename Formula>
Tensor view_op(Tensor out, const Tensor& input, const char* name, Formula&& formula) {
  if (needs_grad(input)) record(out, name, {{input, std::forward<Formula>(formula)}});
  autograd::track_view(out, input);
  return out;
}
}  // namespace

Tensor Tensor::view(const Shape& shape) const {
  return view_op(kernels::view(*this, shape), *this, "ViewBackward0",
                 [input_shape = this->shape()](const Tensor& grad_out) {
                   return grad_out.reshape(input_shape);
                 });
}

Tensor Tensor::reshape(const Shape& shape) const {
  // PyTorch's rule: a view when the strides allow one, otherwise a copy.
  return kernels::is_viewable(*this, shape) ? view(shape) : contiguous().view(shape);
}

namespace {
// A transpose is its own inverse. `name` is what PyTorch prints: .T records a permute.
Tensor transpose_named(const Tensor& input, int64_t dim0, int64_t dim1, const char* name) {
  return view_op(kernels::transpose(input, dim0, dim1), input, name,
                 [dim0, dim1](const Tensor& grad_out) { return grad_out.transpose(dim0, dim1); });
}
}  // namespace

Tensor Tensor::transpose(int64_t dim0, int64_t dim1) const {
  return transpose_named(*this, dim0, dim1, "TransposeBackward0");
}

Tensor Tensor::T() const {
  check(dim() <= 2, "T: expected a tensor of at most 2 dims, got shape ", shape(),
        "; use transpose(dim0, dim1) for batched tensors");
  return dim() < 2 ? *this : transpose_named(*this, 0, 1, "PermuteBackward0");
}

Tensor Tensor::unsqueeze(int64_t dim) const {
  return view_op(
      kernels::unsqueeze(*this, dim), *this, "UnsqueezeBackward0",
      [input_shape = shape()](const Tensor& grad_out) { return grad_out.reshape(input_shape); });
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  return view_op(kernels::select(*this, dim, index), *this, "SelectBackward0",
                 [input_shape = shape(), dtype = dtype(), dim, index](const Tensor& grad_out) {
                   // d(input[index]) / d(input) scatters the gradient into a zero tensor.
                   Tensor grad_input = zeros(input_shape, dtype);
                   kernels::copy_(kernels::select(grad_input, dim, index), grad_out);
                   return grad_input;
                 });
}

Tensor Tensor::clone() const {
  Tensor out = kernels::clone(*this);
  if (needs_grad(*this))
    record(out, "CloneBackward0", {{*this, [](const Tensor& grad_out) { return grad_out; }}});
  return out;
}

Tensor Tensor::contiguous() const {
  return is_contiguous() ? *this : clone();
}

}  // namespace mg
