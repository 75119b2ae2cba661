#include "minigrad/nn/activation.h"

#include <utility>

#include "minigrad/autograd/ops.h"

namespace mg::nn {

GELU::GELU(std::string approximate) : approximate(std::move(approximate)) {
  check(this->approximate == "none" || this->approximate == "tanh",
        "GELU: approximate must be \"none\" or \"tanh\", not \"", this->approximate, "\"");
}

Tensor GELU::forward(const Tensor& x) const {
  return gelu(x, approximate);
}

}  // namespace mg::nn
