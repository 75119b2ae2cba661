#include "minigrad/tensor/triangular.h"

#include <algorithm>

#include "minigrad/tensor/views.h"

namespace mg::kernels {

namespace {
// out: a contiguous copy of input, [matrices, rows, cols]; in row i of each matrix, the columns
// [begin, end) that zero_range(i, cols) returns are zeroed.
template <typename ZeroRange>
Tensor zero_part(const char* op, const Tensor& input, ZeroRange zero_range) {
  Tensor out = clone(input);
  if (input.numel() == 0) return out;  // PyTorch returns before it checks the rank
  check(input.dim() >= 2, op, ": expected a tensor of at least 2 dims, got shape ", input.shape());
  const int64_t rows = input.size(-2), cols = input.size(-1);
  const int64_t matrices = rows * cols == 0 ? 0 : out.numel() / (rows * cols);
  dispatch_all(out.dtype(), [&]<typename scalar_t>() {
    scalar_t* matrix = out.data_ptr<scalar_t>();
    for (int64_t b = 0; b < matrices; ++b, matrix += rows * cols)
      for (int64_t i = 0; i < rows; ++i) {
        const auto [begin, end] = zero_range(i, cols);
        std::fill(matrix + i * cols + begin, matrix + i * cols + end, scalar_t{0});
      }
  });
  return out;
}

int64_t clamp_column(int64_t column, int64_t cols) {
  return std::clamp(column, int64_t{0}, cols);
}
}  // namespace

Tensor triu(const Tensor& input, int64_t diagonal) {
  // Row i keeps the columns j with j - i >= diagonal.
  return zero_part("triu", input, [diagonal](int64_t i, int64_t cols) {
    return std::pair{int64_t{0}, clamp_column(i + diagonal, cols)};
  });
}

Tensor tril(const Tensor& input, int64_t diagonal) {
  // Row i keeps the columns j with j - i <= diagonal.
  return zero_part("tril", input, [diagonal](int64_t i, int64_t cols) {
    return std::pair{clamp_column(i + diagonal + 1, cols), cols};
  });
}

}  // namespace mg::kernels
