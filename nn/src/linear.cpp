// nn::Linear: torch.nn.Linear's parameters and initialisation around mg::linear.
#include "minigrad/nn/linear.h"

#include <cmath>

#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/random.h"

namespace mg::nn {

namespace {

Tensor uniform_parameter(const Shape& shape, double bound) {
  Tensor parameter = empty(shape);
  kernels::uniform_fill(parameter.data_ptr<float>(), parameter.numel(), -bound, bound,
                        default_generator());
  return parameter.requires_grad_();
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

Tensor Linear::forward(const Tensor& x) const {
  return linear(x, weight, bias);
}

}  // namespace mg::nn
