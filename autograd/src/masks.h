#pragma once

#include "minigrad/tensor/tensor.h"

namespace mg {

// input expanded to the shape it and mask broadcast to (a differentiable view; input itself when
// that is its shape): out of place, PyTorch's masked_fill and the softmax over it widen the input
// to the mask, so that a [3] input filled by a [2, 3] mask gives [2, 3]. Throws, naming `op`, when
// the two shapes do not broadcast.
Tensor broadcast_to_mask(const Tensor& input, const Tensor& mask, const char* op);

}  // namespace mg
