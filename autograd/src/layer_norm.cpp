// layer_norm, as torch.nn.functional.layer_norm: one fused forward that saves each row's mean and
// rstd, and one node whose backward reads them, named as PyTorch names it.
#include "minigrad/tensor/layer_norm.h"

#include <algorithm>

#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/views.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;

namespace {

// weight or bias, when given, has the normalized shape and the input's dtype.
void check_affine(const char* name, const Tensor& affine, const Tensor& input,
                  const Shape& normalized_shape) {
  if (!affine.defined()) return;
  check(affine.shape() == normalized_shape, "layer_norm: expected ", name,
        " of shape normalized_shape ", normalized_shape, ", got ", affine.shape());
  check(affine.dtype() == input.dtype(), "layer_norm: ", name, " is ", dtype_name(affine.dtype()),
        " but the input is ", dtype_name(input.dtype()));
}

}  // namespace

// out = norm * weight + bias with norm = (x - mean) * rstd over each row of the normalized dims:
// grad_input from the fused kernel (see kernels::layer_norm_backward), grad_weight = grad_out *
// norm summed over the rows, grad_bias = grad_out (the engine sums it back to bias's shape).
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const auto normalized_dims = static_cast<int64_t>(normalized_shape.size());
  check(normalized_dims >= 1 && input.dim() >= normalized_dims &&
            std::equal(normalized_shape.begin(), normalized_shape.end(),
                       input.shape().end() - normalized_dims),
        "layer_norm: expected an input whose last dims are normalized_shape ", normalized_shape,
        ", got shape ", input.shape());
  check_affine("weight", weight, input, normalized_shape);
  check_affine("bias", bias, input, normalized_shape);
  const int64_t normalized_size = numel(normalized_shape);
  kernels::LayerNormResult result = kernels::layer_norm(input, normalized_size, weight, bias, eps);
  if (!needs_grad(input, weight, bias)) return result.out;
  const SavedTensor saved_input(input), mean(result.mean), rstd(result.rstd);
  std::vector<autograd::InputGrad> inputs{
      {input, [input = saved_input, mean, rstd, weight = SavedTensor(weight),
               normalized_size](const Tensor& grad_out) {
         return kernels::layer_norm_backward(grad_out, input.get(), mean.get(), rstd.get(),
                                             weight.get(), normalized_size);
       }}};
  if (weight.defined())
    inputs.push_back({weight, [input = saved_input, mean, rstd, normalized_shape,
                               normalized_size](const Tensor& grad_out) {
                        return kernels::view(
                            kernels::layer_norm_backward_weight(grad_out, input.get(), mean.get(),
                                                                rstd.get(), normalized_size),
                            normalized_shape);
                      }});
  if (bias.defined()) inputs.push_back({bias, [](const Tensor& grad_out) { return grad_out; }});
  record(result.out, autograd::OpKind::NativeLayerNormBackward0, inputs);
  return result.out;
}

}  // namespace mg
