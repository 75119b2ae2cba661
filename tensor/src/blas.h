#pragma once

#include <cblas.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "minigrad/tensor/shape.h"
#include "minigrad/tensor/tensor.h"

// The few BLAS words the matrix kernels share (matmul.cpp, attention.cpp).
namespace mg::kernels {

// How BLAS reads a [rows, cols] matrix in row-major terms: element (r, c) sits at
// data[offset(r, c)], r * ld + c when NoTrans, c * ld + r when Trans (a transposed view).
struct BlasMatrix {
  CBLAS_TRANSPOSE trans;
  int64_t ld;

  int64_t offset(int64_t r, int64_t c) const {
    return trans == CblasNoTrans ? r * ld + c : c * ld + r;
  }
};

// c[m, n] = alpha * a[m, k] @ b[k, n] + beta * c, c row-major with leading dim ldc: one BLAS
// call, on this thread (OpenBLAS is held at one).
template <typename T>
void gemm_call(const BlasMatrix& a_layout, const BlasMatrix& b_layout, int64_t m, int64_t n,
               int64_t k, T alpha, const T* a, const T* b, T beta, T* c, int64_t ldc) {
  const auto as_int = [](int64_t value) { return static_cast<int>(value); };
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, a_layout.trans, b_layout.trans, as_int(m), as_int(n), as_int(k),
                alpha, a, as_int(a_layout.ld), b, as_int(b_layout.ld), beta, c, as_int(ldc));
  else
    cblas_dgemm(CblasRowMajor, a_layout.trans, b_layout.trans, as_int(m), as_int(n), as_int(k),
                alpha, a, as_int(a_layout.ld), b, as_int(b_layout.ld), beta, c, as_int(ldc));
}

// c[m, n] = alpha * a[m, k] @ b[k, n], overwriting c, in one call. For beta = 0 OpenBLAS first
// clears c with a loop of its own (sgemm_beta, 5% of a training step), then adds a @ b into it;
// clearing c here with memset and asking for c += alpha * a @ b (beta = 1) is the same
// arithmetic, so the same bits, and took 0.76x the time for the per-head 64x64x32 products,
// 0.96x for 1024x128x512 (one thread, best of five).
template <typename T>
void gemm_overwrite(const BlasMatrix& a_layout, const BlasMatrix& b_layout, int64_t m, int64_t n,
                    int64_t k, T alpha, const T* a, const T* b, T* c, int64_t ldc) {
  for (int64_t row = 0; row < m; ++row) std::fill_n(c + row * ldc, n, T(0));
  gemm_call(a_layout, b_layout, m, n, k, alpha, a, b, T(1), c, ldc);
}

// The strides that step `tensor`'s matrices (its last two dims) over the batch dims `batch`,
// which its own batch dims broadcast to: 0 on the dims it lacks or has of size 1.
inline Shape batch_strides(const Tensor& tensor, const Shape& batch) {
  const int64_t shift = static_cast<int64_t>(batch.size()) - (tensor.dim() - 2);
  Shape strides(batch.size(), 0);
  for (int64_t d = 0; d + 2 < tensor.dim(); ++d)
    if (tensor.size(d) != 1) strides[shift + d] = tensor.stride(d);
  return strides;
}

template <typename T>
const T* first_element(const Tensor& tensor) {
  return static_cast<const T*>(tensor.storage()->data()) + tensor.storage_offset();
}

}  // namespace mg::kernels
