#pragma once

#include <cstdint>

#include "minigrad/nn/module.h"

namespace mg::nn {

// Layer normalization over the last dim, as torch.nn.LayerNorm(normalized_dim, eps): each row
// normalized to mean 0 and (biased) variance 1, then scaled by weight (ones at first) and shifted
// by bias (zeros at first).
class LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t normalized_dim, double eps = 1e-5);

  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  Tensor weight;  // [normalized_dim]
  Tensor bias;    // [normalized_dim]
  double eps;
};

}  // namespace mg::nn
