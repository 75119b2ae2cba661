// Differentiable view and layout ops. Each forward is a raw view from tensor/; each backward
// routes the gradient back into the input's shape.
#include "minigrad/autograd/node.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::InputGrad;
using autograd::needs_grad;
using autograd::record;

Tensor Tensor::view(const Shape& shape) const {
  Tensor out = kernels::view(*this, shape);
  if (needs_grad(*this))
    record(out, "ViewBackward0", {{*this, [input_shape = this->shape()](const Tensor& grad_out) {
                                     return grad_out.reshape(input_shape);
                                   }}});
  return out;
}

Tensor Tensor::reshape(const Shape& shape) const {
  // PyTorch's rule: a view when the strides allow one, otherwise a copy.
  return kernels::is_viewable(*this, shape) ? view(shape) : contiguous().view(shape);
}

namespace {
// A transpose is its own inverse. `name` is what PyTorch prints: .T records a permute.
Tensor transpose_named(const Tensor& input, int64_t dim0, int64_t dim1, const char* name) {
  Tensor out = kernels::transpose(input, dim0, dim1);
  if (needs_grad(input))
    record(
        out, name,
        {{input, [dim0, dim1](const Tensor& grad_out) { return grad_out.transpose(dim0, dim1); }}});
  return out;
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
  Tensor out = kernels::unsqueeze(*this, dim);
  if (needs_grad(*this))
    record(out, "UnsqueezeBackward0", {{*this, [input_shape = shape()](const Tensor& grad_out) {
                                          return grad_out.reshape(input_shape);
                                        }}});
  return out;
}

Tensor Tensor::select(int64_t dim, int64_t index) const {
  Tensor out = kernels::select(*this, dim, index);
  if (needs_grad(*this))
    record(out, "SelectBackward0",
           {{*this, [input_shape = shape(), dtype = dtype(), dim, index](const Tensor& grad_out) {
               // d(input[index]) / d(input) scatters the gradient into a zero tensor.
               Tensor grad_input = zeros(input_shape, dtype);
               kernels::copy_(kernels::select(grad_input, dim, index), grad_out);
               return grad_input;
             }}});
  return out;
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
