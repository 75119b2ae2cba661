// softmax and log_softmax along a dim. Their backwards read the saved result y, not the input
// (derivatives.yaml): softmax's grad_in = y * (grad_out - sum(grad_out * y, dim)), log_softmax's
// grad_in = grad_out - exp(y) * sum(grad_out, dim).
#include "minigrad/tensor/softmax.h"
#include "masks.h"
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"

namespace mg {

using autograd::needs_grad;
using autograd::OpKind;
using autograd::Reads;
using autograd::record_unary;
using autograd::SavedTensor;

Tensor softmax(const Tensor& input, int64_t dim) {
  return record_unary(kernels::softmax(input, dim), OpKind::SoftmaxBackward0, input, Reads::Result,
                      [dim](const Tensor& grad_out, const Tensor& y) {
                        return kernels::softmax_backward(grad_out, y, dim);
                      });
}

Tensor log_softmax(const Tensor& input, int64_t dim) {
  return record_unary(kernels::log_softmax(input, dim), OpKind::LogSoftmaxBackward0, input,
                      Reads::Result, [dim](const Tensor& grad_out, const Tensor& y) {
                        return kernels::log_softmax_backward(grad_out, y, dim);
                      });
}

// The mask is not differentiable; the saved result gives the gradient, as for softmax.
Tensor masked_softmax(const Tensor& input, const Tensor& mask, double divisor) {
  const Tensor scores = broadcast_to_mask(input, mask, "masked_softmax");
  Tensor out = kernels::masked_softmax(scores, mask, divisor);
  if (needs_grad(scores))
    record(out, OpKind::SoftmaxBackward0,
           {{scores, [result = SavedTensor(out), mask = SavedTensor(mask),
                      divisor](const Tensor& grad_out) {
               return kernels::masked_softmax_backward(grad_out, result.get(), mask.get(), divisor);
             }}});
  return out;
}

Tensor Tensor::softmax(int64_t dim) const {
  return mg::softmax(*this, dim);
}
Tensor Tensor::log_softmax(int64_t dim) const {
  return mg::log_softmax(*this, dim);
}

}  // namespace mg
