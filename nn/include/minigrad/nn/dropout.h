#pragma once

#include "minigrad/nn/module.h"

namespace mg::nn {

// mg::dropout(x, p) in training mode, the identity in evaluation mode, as torch.nn.Dropout.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);

  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& /*visitor*/) override {}

  double p;
};

}  // namespace mg::nn
