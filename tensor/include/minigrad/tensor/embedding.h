#pragma once

#include <cstdint>

#include "minigrad/tensor/tensor.h"

// Embedding lookup and its gradient on raw tensors. Graph-free; autograd/ wraps them in the
// differentiable mg::embedding.
namespace mg::kernels {

// The rows of weight [num_embeddings, embedding_dim] that int64 indices of any shape pick: out is
// indices.shape + [embedding_dim]. Throws, naming the index, for one outside [0, num_embeddings).
Tensor embedding(const Tensor& weight, const Tensor& indices);

// The gradient for weight: each row of grad_out [indices.shape + [embedding_dim]] added into a
// zero [num_embeddings, embedding_dim] at its index, so an id used twice receives both rows.
Tensor embedding_backward(const Tensor& grad_out, const Tensor& indices, int64_t num_embeddings);

}  // namespace mg::kernels
