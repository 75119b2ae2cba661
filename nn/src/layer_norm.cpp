#include "minigrad/nn/layer_norm.h"

#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/factory.h"

namespace mg::nn {

LayerNorm::LayerNorm(int64_t normalized_dim, double eps) : eps(eps) {
  check(normalized_dim > 0, "LayerNorm: normalized_dim must be positive, got ", normalized_dim);
  weight = ones({normalized_dim}).requires_grad_();
  bias = zeros({normalized_dim}).requires_grad_();
}

void LayerNorm::visit(Visitor& visitor) {
  visitor.parameter("weight", weight);
  visitor.parameter("bias", bias);
}

Tensor LayerNorm::forward(const Tensor& x) const {
  return layer_norm(x, weight.shape(), weight, bias, eps);
}

}  // namespace mg::nn
