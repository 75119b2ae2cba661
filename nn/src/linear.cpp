// Linear's forward is one op, as F.linear: a single BLAS call with the weight passed transposed
// (a .T() view, so a flag, not a copy), the bias added in place, and one node whose name is the
// one PyTorch 1.13 prints for the input's rank.
#include "minigrad/nn/linear.h"

#include <cmath>

#include "minigrad/autograd/grad_mode.h"
#include "minigrad/autograd/node.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/matmul.h"
#include "minigrad/tensor/random.h"

namespace mg::nn {

using autograd::needs_grad;
using autograd::record;
using autograd::SavedTensor;

namespace {

Tensor uniform_parameter(const Shape& shape, double bound) {
  Tensor parameter = empty(shape);
  kernels::uniform_fill(parameter.data_ptr<float>(), parameter.numel(), -bound, bound,
                        default_generator());
  return parameter.requires_grad_();
}

// The rows of x as one matrix: [..., n] -> [rows, n].
Tensor as_matrix(const Tensor& x) {
  return x.dim() == 1 ? x.unsqueeze(0) : x.flatten(0, -2);
}

// F.linear in PyTorch 1.13 runs addmm on 2-D inputs, and on contiguous 3-D ones viewed as 2-D;
// otherwise matmul, then add.
const char* linear_node_name(const Tensor& x, bool has_bias) {
  if (!has_bias)
    return x.dim() == 2 ? "MmBackward0" : x.dim() == 1 ? "SqueezeBackward3" : "UnsafeViewBackward0";
  if (x.dim() == 2) return "AddmmBackward0";
  return x.dim() == 3 && x.is_contiguous() ? "ViewBackward0" : "AddBackward0";
}

}  // namespace

Linear::Linear(int64_t in_features, int64_t out_features, bool bias) {
  check(in_features > 0 && out_features > 0, "Linear: in_features (", in_features,
        ") and out_features (", out_features, ") must be positive");
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  weight = uniform_parameter({out_features, in_features}, bound);
  if (bias) this->bias = uniform_parameter({out_features}, bound);
}

void Linear::visit(Visitor& visitor) {
  visitor.parameter("weight", weight);
  visitor.parameter("bias", bias);
}

// out = x @ weight^T + bias: grad_x = grad_out @ weight, grad_weight = grad_out^T @ x (over all
// rows), grad_bias = grad_out summed over the rows (the engine sums it back to bias's shape).
Tensor Linear::forward(const Tensor& x) const {
  check(x.dim() >= 1 && x.size(-1) == weight.size(1), "Linear: expected input with last dim ",
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
  record(out, linear_node_name(x, bias.defined()), std::move(inputs));
  return out;
}

}  // namespace mg::nn
