#pragma once

#include <cstdint>

#include "minigrad/tensor/tensor.h"

// Cross-entropy and its gradient on raw tensors. Graph-free; autograd/ wraps them in the
// differentiable mg::cross_entropy.
namespace mg::kernels {

// For logits [N, C] and int64 targets [N]: the mean over the rows whose target is not
// ignore_index of -log_softmax(logits)[n, targets[n]], as F.cross_entropy; NaN when every
// target is ignored (0 / 0, as PyTorch). Returns the 0-dim loss and log_probs, the log_softmax
// the backward reads. Throws for a target outside [0, C) that is not ignore_index.
struct CrossEntropyResult {
  Tensor loss;
  Tensor log_probs;
};
CrossEntropyResult cross_entropy(const Tensor& logits, const Tensor& targets, int64_t ignore_index);

// The gradient for the logits, from the 0-dim grad_out: grad_out * (softmax(logits) -
// onehot(targets)) / count per row, count the rows not ignored; zero on an ignored row.
Tensor cross_entropy_backward(const Tensor& grad_out, const Tensor& log_probs,
                              const Tensor& targets, int64_t ignore_index);

}  // namespace mg::kernels
