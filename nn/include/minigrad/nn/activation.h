#pragma once

#include <string>

#include "minigrad/nn/module.h"

namespace mg::nn {

// mg::gelu(x, approximate), as torch.nn.GELU: approximate is "none" (x * Phi(x), Phi the normal
// CDF) or "tanh", the approximation the book's GPT model uses. No parameters.
class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");

  Tensor forward(const Tensor& x) const override;
  void visit(Visitor& /*visitor*/) override {}

  std::string approximate;
};

}  // namespace mg::nn
