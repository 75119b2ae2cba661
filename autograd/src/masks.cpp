// where and masked_fill: forward through the mask kernels, backward routes grad_out through the
// same mask; the mask itself is not differentiable.
#include "masks.h"

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::needs_grad;
using autograd::OpKind;
using autograd::record;
using autograd::SavedTensor;

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  Tensor out = kernels::where(condition, a, b);
  if (needs_grad(a, b))
    record(out, OpKind::WhereBackward0,
           {{a, [condition = SavedTensor(condition)](
                    const Tensor& grad_out) { return where(condition.get(), grad_out, 0.0); }},
            {b, [condition = SavedTensor(condition)](const Tensor& grad_out) {
               return where(condition.get(), 0.0, grad_out);
             }}});
  return out;
}

Tensor where(const Tensor& condition, const Tensor& a, double b) {
  return where(condition, a, kernels::wrapped_scalar(b, a));
}
Tensor where(const Tensor& condition, double a, const Tensor& b) {
  return where(condition, kernels::wrapped_scalar(a, b), b);
}

Tensor broadcast_to_mask(const Tensor& input, const Tensor& mask, const char* op) {
  const Shape shape = kernels::broadcast_shapes(input.shape(), mask.shape(), op);
  return shape == input.shape() ? input : input.expand(shape);
}

Tensor masked_fill(const Tensor& input, const Tensor& mask, double value) {
  const Tensor filled = broadcast_to_mask(input, mask, "masked_fill");
  Tensor out = kernels::clone(filled);
  kernels::masked_fill_(out, mask, value);
  if (needs_grad(filled))
    record(out, OpKind::MaskedFillBackward0,
           {{filled, [mask = SavedTensor(mask)](const Tensor& grad_out) {
               return grad_out.masked_fill(mask.get(), 0.0);
             }}});
  return out;
}

Tensor Tensor::masked_fill(const Tensor& mask, double value) const {
  return mg::masked_fill(*this, mask, value);
}

}  // namespace mg
