#include "minigrad/nn/embedding.h"

#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/factory.h"

namespace mg::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim) {
  check(num_embeddings > 0 && embedding_dim > 0, "Embedding: num_embeddings (", num_embeddings,
        ") and embedding_dim (", embedding_dim, ") must be positive");
  // torch.nn.Embedding fills an empty contiguous weight with normal_(0, 1): randn's very draws.
  weight = randn({num_embeddings, embedding_dim}).requires_grad_();
}

void Embedding::visit(Visitor& visitor) {
  visitor.parameter("weight", weight);
}

Tensor Embedding::forward(const Tensor& indices) const {
  return embedding(weight, indices);
}

}  // namespace mg::nn
