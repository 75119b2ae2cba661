#pragma once

#include "minigrad/tensor/tensor.h"

// Layout ops on raw tensors: each returns a view sharing the input's storage (no copy), except
// clone and, when it must, contiguous. Graph-free; autograd/ wraps them in differentiable ops.
namespace mg::kernels {

Tensor as_strided(const Tensor& input, const Shape& shape, const Shape& strides, int64_t offset);
// Same elements in a new shape; one size may be -1. Throws when the layout cannot be viewed.
Tensor view(const Tensor& input, const Shape& shape);
// Whether view(input, shape) can share input's storage; throws, as view does, when shape is
// invalid.
bool is_viewable(const Tensor& input, const Shape& shape);
Tensor transpose(const Tensor& input, int64_t dim0, int64_t dim1);
Tensor select(const Tensor& input, int64_t dim, int64_t index);
Tensor unsqueeze(const Tensor& input, int64_t dim);

Tensor clone(const Tensor& input);       // always a new contiguous copy
Tensor contiguous(const Tensor& input);  // the input itself when already contiguous

}  // namespace mg::kernels
