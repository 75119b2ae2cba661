#pragma once

#include <vector>

#include "minigrad/tensor/tensor.h"

namespace mg::nn::utils {

// torch.nn.utils.clip_grad_norm_: the norm of order norm_type (> 0, or INFINITY for the largest
// magnitude) of all the parameters' gradients taken together as one vector, then, in place, every
// gradient times min(max_norm / (total_norm + 1e-6), 1). Parameters without a gradient are
// skipped. Returns the total norm (0 when no parameter has a gradient); a NaN or infinite norm
// spreads to the gradients, as in PyTorch.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);

}  // namespace mg::nn::utils
