#pragma once

#include "minigrad/tensor/tensor.h"

// The triangles of a matrix, or of each matrix in a batch (the last two dims). Element (i, j) is
// on diagonal j - i: 0 is the main diagonal, 1 the one above it, -1 the one below.
namespace mg::kernels {

// A contiguous copy of input zeroed below `diagonal`: causal masks are triu(ones({T, T}), 1).
Tensor triu(const Tensor& input, int64_t diagonal = 0);
// A contiguous copy of input with every element above `diagonal` zeroed.
Tensor tril(const Tensor& input, int64_t diagonal = 0);

}  // namespace mg::kernels
