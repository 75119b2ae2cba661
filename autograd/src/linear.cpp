// linear, as torch.nn.functional.linear: one BLAS call with the weight passed transposed (a .T()
// view, so a flag, not a copy), the bias added in place, and one node whose name is the one
// PyTorch 1.13 prints for the input's rank.
#include "minigrad/autograd/node.h"
#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/matmul.h"

namespace mg {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;

namespace {

// The rows of x as one matrix: [..., n] -> [rows, n].
Tensor as_matrix(const Tensor& x) {
  return x.dim() == 1 ? x.unsqueeze(0) : x.flatten(0, -2);
}

// F.linear in PyTorch 1.13 runs addmm on 2-D inputs, and on contiguous 3-D ones viewed as 2-D;
// otherwise matmul, then add.
autograd::OpKind linear_node_kind(const Tensor& x, bool has_bias) {
  using enum autograd::OpKind;
  if (x.dim() == 2) return has_bias ? AddmmBackward0 : MmBackward0;
  if (!has_bias) return x.dim() == 1 ? SqueezeBackward3 : UnsafeViewBackward0;
  return x.dim() == 3 && x.is_contiguous() ? ViewBackward0 : AddBackward0;
}

}  // namespace

// out = x @ weight^T + bias: grad_x = grad_out @ weight, grad_weight = grad_out^T @ x (over all
// rows), grad_bias = grad_out summed over the rows (the engine sums it back to bias's shape).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check(weight.dim() == 2, "linear: expected a weight of 2 dims [out, in], got shape ",
        weight.shape());
  check(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: expected input with last dim ",
        weight.size(1), " (in_features), got shape ", x.shape());
  Tensor out = kernels::matmul(x, weight.T());
  if (bias.defined()) {
    NoGradGuard no_grad;  // the node below records the addition
    out += bias;
  }
  if (!needs_grad(x, weight, bias)) return out;  // an undefined bias needs none
  std::vector<autograd::InputGrad> inputs{
      {x, [weight = SavedTensor(weight)](
              const Tensor& grad_out) { return grad_out.matmul(weight.get()); }},
      {weight, [x = SavedTensor(x)](const Tensor& grad_out) {
         return as_matrix(grad_out).T().matmul(as_matrix(x.get()));
       }}};
  if (bias.defined()) inputs.push_back({bias, [](const Tensor& grad_out) { return grad_out; }});
  record(out, linear_node_kind(x, bias.defined()), inputs);
  return out;
}

}  // namespace mg
