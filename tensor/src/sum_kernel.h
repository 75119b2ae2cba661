#pragma once

// Floating-point sums that add in exactly PyTorch 1.13's CPU order (AVX2 build, one thread), so
// minigrad's results match torch's to the last bit. The order is described in sum_kernel.cpp.
//
// Which kernel a reduction uses follows the memory layout, not the logical view: PyTorch sorts
// the dims (reduced dims first, then by input stride), merges dims that are contiguous with each
// other, then for each output
//   - the reduced dim has the smaller stride   -> sum_inner(first, n, reduced_stride)
//   - otherwise (outputs side by side)         -> sum_outer(first, n, reduced_stride, width,
//                                                           out, output_stride)
// and, when dims are left over after the first two, loops over them adding each partial result
// into the output (out = ((0 + part_0) + part_1) + ...). So x.T.sum(0) gives the bits of
// x.sum(1), but x.T.contiguous().sum(0) does not; x[:, :k].sum() of a [R, C] x is the sequential
// sum of the R row sums. With more than one thread PyTorch splits large inputs (seen at 2^20
// elements) and its bits differ from these; minigrad's stay these at every thread count, its
// parallel parts being sums that are independent in this order. The vector width the order
// depends on is vector_width.h's, which also says how to match PyTorch's AVX-512 builds.

#include <cstdint>

namespace mg::kernels {

// Sum of the n elements data[0], data[stride], ..., data[(n - 1) * stride].
// Gives torch's bits for: the sum of all elements of a contiguous tensor (stride 1), the sum over
// the last dim of a contiguous [rows, n] tensor (one call per row, same bits as the 1-D sum), and
// a strided 1-D view.
template <typename T>
T sum_inner(const T* data, int64_t n, int64_t stride = 1);

// out[j * out_stride] = sum over i < n of data[i * row_stride + j * column_stride], for j < width.
// Reduction over an outer dim: dim 0 of [n, width] (row_stride = width), a [B, T, C] gradient
// summed to [C] (n = B * T), or a middle dim of [A, n, B] (one call per A).
template <typename T>
void sum_outer(const T* data, int64_t n, int64_t row_stride, int64_t width, T* out,
               int64_t column_stride = 1, int64_t out_stride = 1);

}  // namespace mg::kernels
