// stack: tensors of one shape joined along a new dim. Input i's gradient is slice i of grad_out.
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::InputGrad;
using autograd::needs_grad;
using autograd::record;

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  check(!tensors.empty(), "stack: expected a non-empty list of tensors");
  const Tensor& first = tensors.front();
  dim = normalize_dim(dim, first.dim() + 1, "stack");
  for (size_t i = 1; i < tensors.size(); ++i) {
    check(tensors[i].shape() == first.shape(),
          "stack: every tensor must have the same shape, but "
          "tensor 0 has shape ",
          first.shape(), " and tensor ", i, " has shape ", tensors[i].shape());
    check(tensors[i].dtype() == first.dtype(),
          "stack: every tensor must have the same dtype, but "
          "tensor 0 is ",
          dtype_name(first.dtype()), " and tensor ", i, " is ", dtype_name(tensors[i].dtype()));
  }
  Shape shape = first.shape();
  shape.insert(shape.begin() + dim, static_cast<int64_t>(tensors.size()));
  Tensor out = empty(shape, first.dtype());
  for (size_t i = 0; i < tensors.size(); ++i)
    kernels::copy_(kernels::select(out, dim, static_cast<int64_t>(i)), tensors[i]);

  bool any_needs_grad = false;
  for (const Tensor& t : tensors) any_needs_grad = any_needs_grad || needs_grad(t);
  if (any_needs_grad) {
    std::vector<InputGrad> inputs;
    for (size_t i = 0; i < tensors.size(); ++i)
      inputs.push_back({tensors[i], [dim, index = static_cast<int64_t>(i)](const Tensor& grad_out) {
                          return grad_out.select(dim, index);
                        }});
    record(out, "StackBackward0", std::move(inputs));
  }
  return out;
}

}  // namespace mg
