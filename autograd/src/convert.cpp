// Tensor::to: a dtype conversion, differentiable between floating-point dtypes.
#include "minigrad/autograd/node.h"
#include "minigrad/tensor/elementwise.h"

namespace mg {

Tensor Tensor::to(Dtype dtype) const {
  if (dtype == this->dtype()) return *this;
  Tensor out = kernels::to(*this, dtype);
  // The engine converts the gradient back to this tensor's dtype, as ToCopyBackward0 does;
  // record() drops the node when out is not floating point.
  if (autograd::needs_grad(*this))
    autograd::record(out, autograd::OpKind::ToCopyBackward0,
                     {{*this, [](const Tensor& grad_out) { return grad_out; }}});
  return out;
}

}  // namespace mg
