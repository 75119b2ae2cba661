#pragma once

#include "minigrad/tensor/tensor.h"

// Matrix products on raw tensors, computed by BLAS (sgemm/dgemm, sdot/ddot). Graph-free;
// autograd/ wraps them in differentiable ops. Results are new contiguous tensors.
namespace mg::kernels {

// torch.matmul's rules:
//   [K] @ [K]             -> []          (dot)
//   [M, K] @ [K, N]       -> [M, N]
//   [K] @ [K, N]          -> [N]         (a is treated as [1, K], then the 1 is dropped)
//   [M, K] @ [K]          -> [M]         (matrix-vector)
//   [..., M, K] @ [..., K, N] -> [..., M, N]  batch dims broadcast; a 1-D side as above
// Transposed operands reach BLAS as a transpose flag and a leading dimension, not as copies.
Tensor matmul(const Tensor& a, const Tensor& b);

// The inner product of two 1-D tensors of the same length, as a 0-dim tensor.
Tensor dot(const Tensor& a, const Tensor& b);

}  // namespace mg::kernels
