#pragma once

#include <vector>

#include "minigrad/tensor/tensor.h"

// Layout ops on raw tensors: each returns a view sharing the input's storage (no copy), except
// clone and, when it must, contiguous. Graph-free; autograd/ wraps them in differentiable ops.
namespace mg::kernels {

Tensor as_strided(const Tensor& input, const Shape& shape, const Shape& strides, int64_t offset);
// Same elements in a new shape; one size may be -1. Throws when the layout cannot be viewed.
Tensor view(const Tensor& input, const Shape& shape);
// Whether view(input, shape) can share input's storage; throws, naming reshape, on a bad shape.
bool is_viewable(const Tensor& input, const Shape& shape);
Tensor transpose(const Tensor& input, int64_t dim0, int64_t dim1);
Tensor select(const Tensor& input, int64_t dim, int64_t index);
Tensor unsqueeze(const Tensor& input, int64_t dim);
// Output dim i is input dim dims[i]; dims must name every input dim once.
Tensor permute(const Tensor& input, const std::vector<int64_t>& dims);
// Every step-th element from start up to (not including) end along dim, as Python's
// x[start:end:step]: negative bounds count from the end, and bounds past either end are clamped.
Tensor slice(const Tensor& input, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
// `length` elements from start along dim, which must all exist (start may count from the end).
Tensor narrow(const Tensor& input, int64_t dim, int64_t start, int64_t length);
Tensor squeeze(const Tensor& input);               // without its dims of size 1
Tensor squeeze(const Tensor& input, int64_t dim);  // without dim, if its size is 1
// input seen with `shape`, stretching its dims of size 1 (stride 0) and adding leading dims;
// -1 keeps a dim's size. Many elements of the result share one memory location.
Tensor expand(const Tensor& input, const Shape& shape);

Tensor clone(const Tensor& input);       // always a new contiguous copy
Tensor contiguous(const Tensor& input);  // the input itself when already contiguous

}  // namespace mg::kernels
