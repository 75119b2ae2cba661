#pragma once

#include <cstdint>

#include "minigrad/tensor/tensor.h"

// Layer normalization and its gradients on raw tensors, fused as llm.c's layernorm_forward and
// layernorm_backward: each row of normalized_size elements is normalized with its own mean and
// biased variance. Graph-free; autograd/ wraps them in the differentiable mg::layer_norm.
namespace mg::kernels {

// out = (x - mean) * rstd * weight + bias per row, rstd = 1 / sqrt(var + eps); mean and rstd
// ([rows], the input's dtype) are what the backward needs. weight and bias ([normalized_size])
// may be undefined. Sums accumulate in double.
struct LayerNormResult {
  Tensor out;
  Tensor mean;
  Tensor rstd;
};
LayerNormResult layer_norm(const Tensor& input, int64_t normalized_size, const Tensor& weight,
                           const Tensor& bias, double eps);

// The gradient for the input, with norm = (x - mean) * rstd and dnorm = weight * grad_out:
// grad_input = (dnorm - mean(dnorm) - norm * mean(dnorm * norm)) * rstd, means over each row.
Tensor layer_norm_backward(const Tensor& grad_out, const Tensor& input, const Tensor& mean,
                           const Tensor& rstd, const Tensor& weight, int64_t normalized_size);

// The gradient for the weight: grad_out * norm summed over the rows, [normalized_size].
Tensor layer_norm_backward_weight(const Tensor& grad_out, const Tensor& input, const Tensor& mean,
                                  const Tensor& rstd, int64_t normalized_size);

}  // namespace mg::kernels
