#include "minigrad/tensor/matmul.h"

#include <algorithm>
#include <climits>
#include <optional>
#include <thread>
#include <type_traits>

#include "blas.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/views.h"
#include "strided_loop.h"

namespace mg::kernels {
namespace {

// The BLAS reading of a strided matrix, or none when its layout needs a copy. A dim of size 1 is
// never stepped along, so its stride is free: a strided vector is a Trans matrix of one row.
std::optional<BlasMatrix> blas_layout(int64_t rows, int64_t cols, int64_t row_stride,
                                      int64_t col_stride) {
  if (col_stride == 1 || cols == 1) {
    const int64_t ld = rows == 1 ? std::max<int64_t>(1, cols) : row_stride;
    if (ld >= std::max<int64_t>(1, cols)) return BlasMatrix{CblasNoTrans, ld};
  }
  if (row_stride == 1 || rows == 1) {
    const int64_t ld = cols == 1 ? std::max<int64_t>(1, rows) : col_stride;
    if (ld >= std::max<int64_t>(1, rows)) return BlasMatrix{CblasTrans, ld};
  }
  return std::nullopt;
}

// A matrix operand (the last two dims of `matrix`) in a layout BLAS reads: the input itself, or
// a contiguous copy when its strides are neither row- nor column-major.
struct MatrixOperand {
  Tensor matrix;
  BlasMatrix layout;
};

MatrixOperand blas_operand(const Tensor& matrix) {
  const int64_t rows = matrix.size(-2), cols = matrix.size(-1);
  if (auto layout = blas_layout(rows, cols, matrix.stride(-2), matrix.stride(-1)))
    return {matrix, *layout};
  Tensor copy = contiguous(matrix);
  return {copy, *blas_layout(rows, cols, copy.stride(-2), copy.stride(-1))};
}

void check_blas_size(int64_t value, const Shape& a_shape, const Shape& b_shape) {
  check(value <= INT_MAX, "matmul: multiplying ", a_shape, " by ", b_shape,
        " needs a size or stride beyond BLAS's 32-bit integers");
}

// OpenBLAS always runs on one thread, and minigrad's pool runs large products as parts: OpenBLAS's
// own workers spin on sched_yield between calls (half of all cycles in a training step on this
// 2-core machine, stealing the core from whatever else runs), while the pool's sleep. A product of
// m * n * k multiply-adds is cut into parts of about kPartProducts, by rows of c, or by columns
// when it has more of those, but no part is narrower than kMinPartLength and there are at most two
// parts per core: every part packs the whole of the other operand again, which for 16-row parts
// of 1024x768x768 cost a third more time than OpenBLAS's own two threads, and two parts per core
// are enough to even out a core that the VM's neighbours slow down. The cut depends only on the
// shape and the machine, never on the thread count, so a product gives the same bits on any
// number of threads. Measured here (Release, alternating runs, medians of four), parts of 2^22
// and at least 64 rows took the training step from 89 to 69 ms and the 8 x 128 attention forward
// and backward from 138 to 123 ms, against OpenBLAS on two threads from 2^24; 128 or 256 rows
// were slower on the training step, 2^21 or 2^23 no faster. At most four parts (two per core)
// then took BM_CausalMHAFwdBwd/8/128 from 109 to 95 ms and the training step from 52.6 to 50.2.
constexpr int64_t kPartProducts = int64_t{1} << 22;
constexpr int64_t kMinPartLength = 64;

int64_t max_parts() {
  static const int64_t parts =
      2 * static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  return parts;
}

// The rows or columns of c in one part, rounded up to a multiple of 16 so that every part but the
// last fills OpenBLAS's register tiles.
int64_t part_size(int64_t length, int64_t products) {
  const int64_t parts = std::max<int64_t>(
      1, std::min({products / kPartProducts, length / kMinPartLength, max_parts()}));
  return ((length + parts - 1) / parts + 15) / 16 * 16;
}

// c[m, n] = a[m, k] @ b[k, n], c row-major with leading dim ldc, in parts on the pool. All sizes
// are positive.
template <typename T>
void gemm(const BlasMatrix& a_layout, const BlasMatrix& b_layout, int64_t m, int64_t n, int64_t k,
          const T* a, const T* b, T* c, int64_t ldc) {
  const int64_t products = m * n * k;
  get_num_threads();  // starts the pool, which holds OpenBLAS at one thread
  if (m >= n) {
    parallel_for(0, m, part_size(m, products), [&](int64_t first, int64_t last) {
      gemm_overwrite(a_layout, b_layout, last - first, n, k, T(1), a + a_layout.offset(first, 0), b,
                     c + first * ldc, ldc);
    });
  } else {
    parallel_for(0, n, part_size(n, products), [&](int64_t first, int64_t last) {
      gemm_overwrite(a_layout, b_layout, m, last - first, k, T(1), a, b + b_layout.offset(0, first),
                     c + first, ldc);
    });
  }
}

// The inner product of [n] vectors; both have the same dtype and length.
Tensor dot_product(const Tensor& a, const Tensor& b) {
  const int64_t n = a.size(0);
  check(n <= INT_MAX && a.stride(0) <= INT_MAX && b.stride(0) <= INT_MAX, "dot: length ", n,
        " is beyond BLAS's 32-bit integers");
  Tensor out = empty({}, a.dtype());
  dispatch(a.dtype(), "dot", [&]<typename scalar_t>() {
    const auto length = static_cast<int>(n);
    const auto a_step = static_cast<int>(a.stride(0)), b_step = static_cast<int>(b.stride(0));
    const scalar_t* x = first_element<scalar_t>(a);
    const scalar_t* y = first_element<scalar_t>(b);
    scalar_t result = 0;
    if (n > 0) {
      if constexpr (std::is_same_v<scalar_t, float>)
        result = cblas_sdot(length, x, a_step, y, b_step);
      else
        result = cblas_ddot(length, x, a_step, y, b_step);
    }
    *out.data_ptr<scalar_t>() = result;
  });
  return out;
}

void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  check(a.dtype() == b.dtype(), op, ": both operands must have the same dtype (",
        dtype_name(a.dtype()), " vs ", dtype_name(b.dtype()), ")");
}

// The one stride that walks dims `sizes` (with `strides`) as a single dim, or none. Dims of
// size 1 are skipped; `fallback` is returned when every dim has size 1.
std::optional<int64_t> merged_stride(const Shape& sizes, const Shape& strides, int64_t fallback) {
  std::optional<int64_t> stride;
  int64_t span = 0;  // stride * elements merged so far
  for (int64_t d = static_cast<int64_t>(sizes.size()) - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    if (!stride)
      stride = strides[d];
    else if (strides[d] != span)
      return std::nullopt;
    span = strides[d] * sizes[d];
  }
  return stride.value_or(fallback);
}

}  // namespace

Tensor dot(const Tensor& a, const Tensor& b) {
  check(a.dim() == 1 && b.dim() == 1 && a.size(0) == b.size(0),
        "dot: expected 1-D tensors of the same length, got ", a.shape(), " and ", b.shape());
  check_same_dtype("dot", a, b);
  return dot_product(a, b);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  check(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dimension, got ",
        a.shape(), " and ", b.shape());
  check_same_dtype("matmul", a, b);
  if (a.dim() == 1 && b.dim() == 1) {
    check(a.size(0) == b.size(0), "matmul: cannot multiply ", a.shape(), " by ", b.shape(), " (",
          a.size(0), " != ", b.size(0), ")");
    return dot_product(a, b);
  }

  // A 1-D a is a row [1, K], a 1-D b a column [K, 1]; the added dim is dropped from the result.
  const Tensor a_matrix = a.dim() == 1 ? unsqueeze(a, 0) : a;
  const Tensor b_matrix = b.dim() == 1 ? unsqueeze(b, 1) : b;
  const int64_t m = a_matrix.size(-2), k = a_matrix.size(-1), n = b_matrix.size(-1);
  check(k == b_matrix.size(-2), "matmul: cannot multiply ", a.shape(), " by ", b.shape(), " (", k,
        " != ", b_matrix.size(-2), ")");

  // Batch dims broadcast as in elementwise ops, aligned from the right.
  const Shape a_batch(a_matrix.shape().begin(), a_matrix.shape().end() - 2);
  const Shape b_batch(b_matrix.shape().begin(), b_matrix.shape().end() - 2);
  Shape batch(std::max(a_batch.size(), b_batch.size()), 1);
  for (size_t i = 1; i <= batch.size(); ++i) {
    const int64_t a_size = i <= a_batch.size() ? a_batch[a_batch.size() - i] : 1;
    const int64_t b_size = i <= b_batch.size() ? b_batch[b_batch.size() - i] : 1;
    check(a_size == b_size || a_size == 1 || b_size == 1, "matmul: batch dims ", a_batch, " of ",
          a.shape(), " and ", b_batch, " of ", b.shape(), " do not broadcast");
    batch[batch.size() - i] = a_size == 1 ? b_size : a_size;
  }

  Shape out_shape = batch;
  if (a.dim() > 1) out_shape.push_back(m);
  if (b.dim() > 1) out_shape.push_back(n);
  // An empty sum is zero: k == 0 gives zeros without calling BLAS.
  Tensor out = k == 0 ? zeros(out_shape, a.dtype()) : empty(out_shape, a.dtype());
  if (k == 0 || out.numel() == 0) return out;

  const MatrixOperand a_operand = blas_operand(a_matrix);
  const MatrixOperand b_operand = blas_operand(b_matrix);
  const Shape a_strides = batch_strides(a_operand.matrix, batch);
  const Shape b_strides = batch_strides(b_operand.matrix, batch);
  const int64_t batch_count = numel(batch);
  for (int64_t size : {m, n, k, a_operand.layout.ld, b_operand.layout.ld})
    check_blas_size(size, a.shape(), b.shape());

  dispatch(a.dtype(), "matmul", [&]<typename scalar_t>() {
    const scalar_t* a_data = first_element<scalar_t>(a_operand.matrix);
    const scalar_t* b_data = first_element<scalar_t>(b_operand.matrix);
    scalar_t* out_data = out.data_ptr<scalar_t>();

    // [B..., M, K] @ [K, N] with b shared by every batch: when a's rows over all batches are
    // evenly spaced, the batch folds into M and one gemm computes everything.
    const bool b_shared =
        std::all_of(b_strides.begin(), b_strides.end(), [](int64_t stride) { return stride == 0; });
    if (b_shared && a_operand.layout.trans == CblasNoTrans && batch_count * m <= INT_MAX) {
      Shape row_sizes = batch, row_strides = a_strides;
      row_sizes.push_back(m);
      row_strides.push_back(a_operand.layout.ld);
      const auto row_stride = merged_stride(row_sizes, row_strides, a_operand.layout.ld);
      if (row_stride && *row_stride >= k && *row_stride <= INT_MAX) {
        gemm(BlasMatrix{CblasNoTrans, *row_stride}, b_operand.layout, batch_count * m, n, k, a_data,
             b_data, out_data, n);
        return;
      }
    }
    // Otherwise one gemm per batch, each reading its matrices in place, as many to a part as
    // make about kPartProducts.
    parallel_for(0, batch_count, std::max<int64_t>(1, kPartProducts / (m * n * k)),
                 [&](int64_t first, int64_t last) {
                   for (int64_t index = first; index < last; ++index)
                     gemm(a_operand.layout, b_operand.layout, m, n, k,
                          a_data + detail::offset_of(index, batch, a_strides),
                          b_data + detail::offset_of(index, batch, b_strides),
                          out_data + index * m * n, n);
                 });
  });
  return out;
}

}  // namespace mg::kernels
