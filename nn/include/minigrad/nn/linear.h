#pragma once

#include <cstdint>

#include "minigrad/nn/module.h"

namespace mg::nn {

// y = x @ weight^T + bias over the last dim of an input of any rank >= 1, as torch.nn.Linear,
// initialised as it is for the same seed: weight, then bias, each uniform on
// [-1/sqrt(in_features), 1/sqrt(in_features)).
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);

  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& visitor) override;

  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features], undefined when bias = false
};

}  // namespace mg::nn
