#include "minigrad/nn/dropout.h"

#include "minigrad/autograd/ops.h"

namespace mg::nn {

Dropout::Dropout(double p) : p(p) {
  check(p >= 0.0 && p <= 1.0, "Dropout: p must be between 0 and 1, got ", p);
}

Tensor Dropout::forward(const Tensor& x) const {
  return dropout(x, p, is_training());
}

}  // namespace mg::nn
