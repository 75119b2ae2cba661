// dropout: in training, each element is zeroed with probability p and the survivors are scaled by
// 1 / (1 - p), with PyTorch's random numbers. The backward multiplies by the same noise.
#include "minigrad/tensor/dropout.h"

#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/elementwise.h"

namespace mg {

Tensor dropout(const Tensor& input, double p, bool training) {
  check(p >= 0 && p <= 1, "dropout: probability has to be between 0 and 1, but got ", p);
  // PyTorch draws nothing in these cases, so the generator stays in step with it.
  if (!training || p == 0 || input.numel() == 0) return input;
  if (p == 1) return input * 0.0;
  // input * noise saves the noise, which is the mask the backward uses: MulBackward0, as PyTorch.
  return input * kernels::dropout_noise(input.shape(), input.dtype(), p);
}

}  // namespace mg
