#pragma once

#include <cstdint>

#include "minigrad/tensor/tensor.h"

// Softmax and log_softmax on raw tensors, in the arithmetic of PyTorch 1.13's CPU kernels (bit for
// bit). Graph-free; autograd/ wraps them in differentiable ops.
namespace mg::kernels {

// exp(x - max) / sum(exp(x - max)) along `dim` (negative counts from the end). Stable for large
// inputs; a slice that is all -inf gives nan, as in PyTorch.
Tensor softmax(const Tensor& input, int64_t dim);

// softmax's backward: grad_in = output * (grad_out - sum(grad_out * output, dim, keepdim)).
Tensor softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim);

// softmax(input.masked_fill(mask, -inf) / divisor, -1) in one pass over each row of the last dim,
// bit for bit what PyTorch's three ops give: attention's causal softmax. mask (any dtype, nonzero
// is true) broadcasts to input's shape; a row that is all masked gives nan, as in PyTorch.
Tensor masked_softmax(const Tensor& input, const Tensor& mask, double divisor);

// The gradient of masked_softmax from its output: softmax's, divided by divisor, 0 where masked.
Tensor masked_softmax_backward(const Tensor& grad_out, const Tensor& output, const Tensor& mask,
                               double divisor);

// x - max - log(sum(exp(x - max))) along `dim`, in that order. Stable for large inputs; -inf
// entries give -inf, a slice that is all -inf gives nan, as in PyTorch.
Tensor log_softmax(const Tensor& input, int64_t dim);

// log_softmax's backward: grad_in = grad_out - exp(output) * sum(grad_out, dim, keepdim).
Tensor log_softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim);

}  // namespace mg::kernels
