#pragma once

#include <functional>
#include <vector>

#include "minigrad/tensor/tensor.h"

namespace mg {

// Checks fn's analytic gradients against central differences, like torch.autograd.gradcheck:
// for every input that requires grad and every element, (f(x + eps) - f(x - eps)) / (2 eps) must
// match the vector-Jacobian products backward computes, within atol + rtol * |numerical|.
// Inputs must be float64; their layouts (transposed, selected views) are kept. Returns true, or
// throws mg::Error naming the input, the element and both values.
bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
               const std::vector<Tensor>& inputs, double eps = 1e-6, double atol = 1e-5,
               double rtol = 1e-3);

}  // namespace mg
