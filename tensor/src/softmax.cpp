// softmax, log_softmax and their backwards, in the arithmetic of PyTorch 1.13's CPU kernels (AVX2
// build): aten/src/ATen/native/cpu/SoftMaxKernel.cpp's last-dim and other-dim kernels (the
// other-dim backwards' order, sums from 0 per column, was found from PyTorch's bits, not its
// source).
// Every kernel works on contiguous data seen as [outer, dim_size, inner].
//
// PyTorch's vector loops take exp and log from SLEEF (Sleef_expf8_u10 / Sleef_expd4_u10,
// Sleef_logf8_u10 / Sleef_logd4_u10), its scalar loops from std::exp; so do these loops, through
// vec_math.h. Every sum, max and product comes in PyTorch's order, fused where its build fuses
// them, so the results match PyTorch's bits (checked on the golden cases; glibc's exp is assumed
// to be the one PyTorch's scalar loops called).
#include "minigrad/tensor/softmax.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "cpu_dispatch.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/views.h"
#include "reduce_lanes.h"
#include "strided_loop.h"
#include "vec_math.h"

namespace mg::kernels {
namespace {

// input and output are (outer, dim_size): one softmax per row.
template <typename T>
void softmax_lastdim(const T* input, T* output, int64_t outer, int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* x = input + row * dim_size;
    T* y = output + row * dim_size;
    const T maxval = reduce_all<T>(
        dim_size, [&](int64_t i) { return x[i]; }, maximum<T>);
    for (int64_t i = 0; i < dim_size; ++i) y[i] = x[i] - maxval;
    vec::exp(y, y, dim_size);
    const T sum = reduce_all<T>(
        dim_size, [&](int64_t i) { return y[i]; }, [](T a, T b) { return a + b; });
    const T scale = T(1) / sum;  // PyTorch multiplies by the reciprocal
    for (int64_t i = 0; i < dim_size; ++i) y[i] *= scale;
  }
}

// The columns of a [dim_size, inner] block that PyTorch's other-dim kernels run in its vector
// loop: all but the last inner % lanes, which its scalar tail loop does.
template <typename T>
bool vector_lane(int64_t column, int64_t inner) {
  return column < inner - inner % kLanes<T>;
}

// y = exp(x - maxval[column]) over a [dim_size, inner] block, SLEEF's exp in the vector lanes and
// std::exp in the tail columns.
template <typename T>
void exp_shifted_columns(const T* x, const T* maxval, T* y, int64_t dim_size, int64_t inner,
                         bool tail_in_scalar) {
  for (int64_t d = 0; d < dim_size; ++d)
    for (int64_t column = 0; column < inner; ++column)
      y[d * inner + column] = x[d * inner + column] - maxval[column];
  vec::exp(y, y, dim_size * inner);
  if (!tail_in_scalar) return;
  for (int64_t d = 0; d < dim_size; ++d)
    for (int64_t column = 0; column < inner; ++column)
      if (!vector_lane<T>(column, inner))
        y[d * inner + column] = std::exp(x[d * inner + column] - maxval[column]);
}

// input and output are (outer, dim_size, inner): one softmax per (outer, inner) column, each a
// lane of PyTorch's vector loop, except the tail columns, which its scalar loop does (std::max,
// which lets a later nan through, for vec::maximum).
template <typename T>
void softmax_dim(const T* input, T* output, int64_t outer, int64_t dim_size, int64_t inner) {
  std::vector<T> maxval(inner), sum(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const T* x = input + o * dim_size * inner;
    T* y = output + o * dim_size * inner;
    // pass 1: the max over the dim
    for (int64_t column = 0; column < inner; ++column) {
      maxval[column] = x[column];
      for (int64_t d = 1; d < dim_size; ++d)
        maxval[column] = vector_lane<T>(column, inner)
                             ? maximum(maxval[column], x[d * inner + column])
                             : std::max(maxval[column], x[d * inner + column]);
    }
    // pass 2: exp(x - max) and its sum, from 0
    exp_shifted_columns(x, maxval.data(), y, dim_size, inner, /*tail_in_scalar=*/true);
    std::fill(sum.begin(), sum.end(), T(0));
    for (int64_t d = 0; d < dim_size; ++d)
      for (int64_t column = 0; column < inner; ++column) sum[column] += y[d * inner + column];
    // pass 3: normalise; a true division here
    for (int64_t d = 0; d < dim_size; ++d)
      for (int64_t column = 0; column < inner; ++column) y[d * inner + column] /= sum[column];
  }
}

// PyTorch's AVX2 kernels are compiled with -mfma, and GCC fuses their vector `acc + x * y` into
// one fused multiply-add, rounding once: the backward's sums below do the same with std::fma.

// grad_out, output and grad_in are (outer, dim_size). Forward: y = softmax(x) over each row.
template <typename T>
void softmax_backward_lastdim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                              int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* dout = grad_out + row * dim_size;
    const T* y = output + row * dim_size;
    T* dinp = grad_in + row * dim_size;
    // sum = sum_i dout_i * y_i: vec::map2_reduce_all, lanes as in the forward's sum. The first
    // vector of products and the short rows are products rounded on their own; the rest fuse.
    const int64_t lanes = kLanes<T>;
    T sum;
    if (dim_size < lanes) {
      sum = dout[0] * y[0];
      for (int64_t i = 1; i < dim_size; ++i) sum += dout[i] * y[i];
    } else {
      sum = reduce_all<T>(
          dim_size, [&](int64_t i) { return dout[i] * y[i]; }, [](T a, T b) { return a + b; },
          [&](T acc, int64_t i) { return std::fma(dout[i], y[i], acc); });
    }
    for (int64_t i = 0; i < dim_size; ++i) dinp[i] = (dout[i] - sum) * y[i];
  }
}

// grad_out, output and grad_in are (outer, dim_size, inner). Each (outer, inner) column sums
// dout * y from 0 in order, fused, then dinp = y * (dout - sum).
template <typename T>
void softmax_backward_dim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                          int64_t dim_size, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t column = 0; column < inner; ++column) {
      const int64_t first = o * dim_size * inner + column;
      const T* dout = grad_out + first;
      const T* y = output + first;
      T* dinp = grad_in + first;
      T sum = 0;
      for (int64_t d = 0; d < dim_size; ++d) sum = std::fma(dout[d * inner], y[d * inner], sum);
      for (int64_t d = 0; d < dim_size; ++d)
        dinp[d * inner] = y[d * inner] * (dout[d * inner] - sum);
    }
  }
}

// input and output are (outer, dim_size): one log_softmax per row; PyTorch's vec::map takes
// the log of the row sums.
template <typename T>
void log_softmax_lastdim(const T* input, T* output, int64_t outer, int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* x = input + row * dim_size;
    T* y = output + row * dim_size;
    const T maxval = reduce_all<T>(
        dim_size, [&](int64_t i) { return x[i]; }, maximum<T>);
    for (int64_t i = 0; i < dim_size; ++i) y[i] = x[i] - maxval;  // exp(y) summed, then replaced
    vec::exp(y, y, dim_size);
    const T sum = reduce_all<T>(
        dim_size, [&](int64_t i) { return y[i]; }, [](T a, T b) { return a + b; });
    T log_sum;
    vec::log(&sum, &log_sum, 1);
    for (int64_t i = 0; i < dim_size; ++i) y[i] = x[i] - maxval - log_sum;
  }
}

// input and output are (outer, dim_size, inner): one log_softmax per (outer, inner) column, as
// softmax_dim.
template <typename T>
void log_softmax_dim(const T* input, T* output, int64_t outer, int64_t dim_size, int64_t inner) {
  std::vector<T> maxval(inner), log_sum(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const T* x = input + o * dim_size * inner;
    T* y = output + o * dim_size * inner;
    for (int64_t column = 0; column < inner; ++column) {
      maxval[column] = x[column];
      for (int64_t d = 1; d < dim_size; ++d)
        maxval[column] = maximum(maxval[column], x[d * inner + column]);
    }
    // exp(x - max) in y, summed from 0 per column, then replaced by the result
    exp_shifted_columns(x, maxval.data(), y, dim_size, inner, /*tail_in_scalar=*/false);
    std::fill(log_sum.begin(), log_sum.end(), T(0));
    for (int64_t d = 0; d < dim_size; ++d)
      for (int64_t column = 0; column < inner; ++column) log_sum[column] += y[d * inner + column];
    vec::log(log_sum.data(), log_sum.data(), inner);
    for (int64_t d = 0; d < dim_size; ++d)
      for (int64_t column = 0; column < inner; ++column)
        y[d * inner + column] = x[d * inner + column] - maxval[column] - log_sum[column];
  }
}

// grad_out, output and grad_in are (outer, dim_size). Forward: y = log_softmax(x) over each row.
template <typename T>
void log_softmax_backward_lastdim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                                  int64_t dim_size) {
  for (int64_t row = 0; row < outer; ++row) {
    const T* dout = grad_out + row * dim_size;
    const T* y = output + row * dim_size;
    T* dinp = grad_in + row * dim_size;
    const T sum = reduce_all<T>(
        dim_size, [&](int64_t i) { return dout[i]; }, [](T a, T b) { return a + b; });
    // dinp = dout - exp(y) * sum, fused
    vec::exp(y, dinp, dim_size);
    for (int64_t i = 0; i < dim_size; ++i) dinp[i] = std::fma(-dinp[i], sum, dout[i]);
  }
}

// grad_out, output and grad_in are (outer, dim_size, inner). Each (outer, inner) column sums
// dout from 0 in order, then dinp = dout - exp(y) * sum, fused.
template <typename T>
void log_softmax_backward_dim(const T* grad_out, const T* output, T* grad_in, int64_t outer,
                              int64_t dim_size, int64_t inner) {
  std::vector<T> sum(inner);
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t first = o * dim_size * inner;
    const T* dout = grad_out + first;
    const T* y = output + first;
    T* dinp = grad_in + first;
    std::fill(sum.begin(), sum.end(), T(0));
    for (int64_t d = 0; d < dim_size; ++d)
      for (int64_t column = 0; column < inner; ++column) sum[column] += dout[d * inner + column];
    // exp(y) in dinp, std::exp's in the tail columns, then dinp = dout - exp(y) * sum, fused
    vec::exp(y, dinp, dim_size * inner);
    for (int64_t d = 0; d < dim_size; ++d)
      for (int64_t column = 0; column < inner; ++column) {
        const int64_t i = d * inner + column;
        const T exp_y = vector_lane<T>(column, inner) ? dinp[i] : std::exp(y[i]);
        dinp[i] = std::fma(-exp_y, sum[column], dout[i]);
      }
  }
}

// The sizes of [outer, dim_size, inner] for softmax over `dim`.
struct Slices {
  int64_t outer = 1, dim_size = 1, inner = 1;
  bool last_dim = false;  // PyTorch's last-dim kernel
};

Slices slices(const Shape& shape, int64_t dim) {
  Slices s;
  const int64_t ndim = static_cast<int64_t>(shape.size());
  for (int64_t d = 0; d < ndim; ++d) {
    if (d < dim) s.outer *= shape[d];
    if (d == dim) s.dim_size = shape[d];
    if (d > dim) s.inner *= shape[d];
  }
  s.last_dim = ndim > 0 && dim == ndim - 1;
  return s;
}

// forward(x, y, slices) over contiguous data of input's dtype T, x the input, y the new output.
template <typename Forward>
Tensor along_dim(const char* op, const Tensor& input, int64_t dim, Forward forward) {
  const int64_t d = normalize_dim(dim, input.dim(), op);
  const Tensor x = contiguous(input);
  Tensor out = empty(input.shape(), input.dtype());
  if (input.numel() == 0) return out;
  dispatch(input.dtype(), op, [&]<typename T>() {
    forward(x.data_ptr<T>(), out.data_ptr<T>(), slices(input.shape(), d));
  });
  return out;
}

// backward(dout, y, dinp, slices) over contiguous data: the gradient grad_in from grad_out and
// the forward's output.
template <typename Backward>
Tensor backward_along_dim(const char* op, const Tensor& grad_out, const Tensor& output, int64_t dim,
                          Backward backward) {
  check(grad_out.shape() == output.shape(), op, ": grad_out has shape ", grad_out.shape(),
        " but the output has shape ", output.shape());
  check(grad_out.dtype() == output.dtype(), op, ": grad_out is ", dtype_name(grad_out.dtype()),
        " but the output is ", dtype_name(output.dtype()));
  const int64_t d = normalize_dim(dim, output.dim(), op);
  const Tensor dout = contiguous(grad_out);
  const Tensor y = contiguous(output);
  Tensor grad_in = empty(output.shape(), output.dtype());
  if (output.numel() == 0) return grad_in;
  dispatch(output.dtype(), op, [&]<typename T>() {
    backward(dout.data_ptr<T>(), y.data_ptr<T>(), grad_in.data_ptr<T>(), slices(output.shape(), d));
  });
  return grad_in;
}

// Calls kernel(first, count, at) for chunks [first, first + count) of the s.outer slices, which
// start at element `at`, on both cores (the slices are independent), each chunk compiled for the
// best CPU.
template <typename Kernel>
void on_outer_chunks(const Slices& s, const Kernel& kernel) {
  const int64_t slice_size = s.dim_size * s.inner;
  parallel_for(0, s.outer, grain_for(slice_size), [&](int64_t begin, int64_t end) {
    on_best_cpu([&] { kernel(begin, end - begin, begin * slice_size); });
  });
}

void check_mask(const char* op, const Tensor& mask, const Shape& shape) {
  check(broadcasts_to(mask.shape(), shape), op, ": mask of shape ", mask.shape(),
        " cannot be broadcast to the input's shape ", shape);
}

// mask (any dtype, nonzero is true) broadcast to `shape`, row by row of shape's last dim:
// row(r)[i] != 0 says that element i of row r is masked out. The mask's rows are made contiguous
// bools first (a copy of the size of the mask, not of `shape`), so that the kernels read them as
// plain arrays, of bytes, since GCC 12 does not vectorise loads of bool.
class MaskRows {
 public:
  MaskRows(const Tensor& mask, const Shape& shape) {
    const Shape rows_shape = shape.empty() ? Shape{1} : shape;  // a 0-dim input is one row
    Shape widened = mask.dim() == 0 ? Shape{1} : mask.shape();
    widened.back() = rows_shape.back();
    masked_out_ = expand(contiguous(expand(to(mask, kBool), widened)), rows_shape);
    data_ = reinterpret_cast<const uint8_t*>(masked_out_.data_ptr<bool>());
    row_sizes_ = Shape(rows_shape.begin(), rows_shape.end() - 1);
    row_strides_ = Shape(masked_out_.strides().begin(), masked_out_.strides().end() - 1);
  }

  const uint8_t* row(int64_t r) const {
    return data_ + detail::offset_of(r, row_sizes_, row_strides_);
  }

 private:
  Tensor masked_out_;  // owns what data_ points into
  const uint8_t* data_;
  Shape row_sizes_, row_strides_;
};

}  // namespace

Tensor softmax(const Tensor& input, int64_t dim) {
  return along_dim("softmax", input, dim, [](const auto* x, auto* y, const Slices& s) {
    on_outer_chunks(s, [&](int64_t, int64_t count, int64_t at) {
      if (s.last_dim)
        softmax_lastdim(x + at, y + at, count, s.dim_size);
      else
        softmax_dim(x + at, y + at, count, s.dim_size, s.inner);
    });
  });
}

Tensor softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim) {
  return backward_along_dim(
      "softmax_backward", grad_out, output, dim,
      [](const auto* dout, const auto* y, auto* dinp, const Slices& s) {
        on_outer_chunks(s, [&](int64_t, int64_t count, int64_t at) {
          if (s.last_dim)
            softmax_backward_lastdim(dout + at, y + at, dinp + at, count, s.dim_size);
          else
            softmax_backward_dim(dout + at, y + at, dinp + at, count, s.dim_size, s.inner);
        });
      });
}

// PyTorch's three ops, masked_fill_(mask, -inf), then / divisor (a true division in float, as
// for a Python float), then softmax, in one pass per row, each row's arithmetic that of softmax.
Tensor masked_softmax(const Tensor& input, const Tensor& mask, double divisor) {
  check_mask("masked_softmax", mask, input.shape());
  return along_dim("masked_softmax", input, -1, [&](const auto* x, auto* y, const Slices& s) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    const MaskRows mask_rows(mask, input.shape());
    on_outer_chunks(s, [&](int64_t first, int64_t count, int64_t) {
      // One row of masked and divided scores, apart from y: softmax's loops vectorise only when
      // their input and output do not overlap.
      std::vector<T> scaled_row(s.dim_size);
      for (int64_t row = first; row < first + count; ++row) {
        const T* x_row = x + row * s.dim_size;
        const uint8_t* masked = mask_rows.row(row);
        for (int64_t i = 0; i < s.dim_size; ++i) {
          const T scaled = x_row[i] / static_cast<T>(divisor);
          scaled_row[i] = masked[i] != 0 ? -std::numeric_limits<T>::infinity() : scaled;
        }
        softmax_lastdim(scaled_row.data(), y + row * s.dim_size, 1, s.dim_size);
      }
    });
  });
}

// PyTorch's three backwards in one pass per row: softmax's, then / divisor, then
// masked_fill(mask, 0).
Tensor masked_softmax_backward(const Tensor& grad_out, const Tensor& output, const Tensor& mask,
                               double divisor) {
  check_mask("masked_softmax_backward", mask, output.shape());
  return backward_along_dim("masked_softmax_backward", grad_out, output, -1,
                            [&](const auto* dout, const auto* y, auto* dinp, const Slices& s) {
                              using T = std::remove_pointer_t<decltype(dinp)>;
                              const MaskRows mask_rows(mask, output.shape());
                              on_outer_chunks(s, [&](int64_t first, int64_t count, int64_t) {
                                for (int64_t row = first; row < first + count; ++row) {
                                  const int64_t at = row * s.dim_size;
                                  const uint8_t* masked = mask_rows.row(row);
                                  softmax_backward_lastdim(dout + at, y + at, dinp + at, 1,
                                                           s.dim_size);
                                  for (int64_t i = 0; i < s.dim_size; ++i) {
                                    const T scaled = dinp[at + i] / static_cast<T>(divisor);
                                    dinp[at + i] = masked[i] != 0 ? T(0) : scaled;
                                  }
                                }
                              });
                            });
}

Tensor log_softmax(const Tensor& input, int64_t dim) {
  return along_dim("log_softmax", input, dim, [](const auto* x, auto* y, const Slices& s) {
    on_outer_chunks(s, [&](int64_t, int64_t count, int64_t at) {
      if (s.last_dim)
        log_softmax_lastdim(x + at, y + at, count, s.dim_size);
      else
        log_softmax_dim(x + at, y + at, count, s.dim_size, s.inner);
    });
  });
}

Tensor log_softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim) {
  return backward_along_dim(
      "log_softmax_backward", grad_out, output, dim,
      [](const auto* dout, const auto* y, auto* dinp, const Slices& s) {
        on_outer_chunks(s, [&](int64_t, int64_t count, int64_t at) {
          if (s.last_dim)
            log_softmax_backward_lastdim(dout + at, y + at, dinp + at, count, s.dim_size);
          else
            log_softmax_backward_dim(dout + at, y + at, dinp + at, count, s.dim_size, s.inner);
        });
      });
}

}  // namespace mg::kernels
