#pragma once

#include <cstdint>

#include "minigrad/nn/module.h"

namespace mg::nn {

// A lookup table of num_embeddings vectors of embedding_dim, as torch.nn.Embedding: forward takes
// int64 token ids of any shape and returns ids.shape + [embedding_dim]. The weight is drawn as
// torch.nn.Embedding draws it for the same seed (normal_(0, 1)).
class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim);

  Tensor forward(const Tensor& indices) const override;
  void visit(Visitor& visitor) override;

  Tensor weight;  // [num_embeddings, embedding_dim]
};

}  // namespace mg::nn
