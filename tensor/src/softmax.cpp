// softmax, log_softmax and their backwards, in the arithmetic of PyTorch 1.13's CPU kernels (AVX2
// build): aten/src/ATen/native/cpu/SoftMaxKernel.cpp's last-dim and other-dim kernels (the
// other-dim backwards' order, sums from 0 per column, was found from PyTorch's bits, not its
// source). Every kernel works on contiguous data seen as [outer, dim_size, inner].
//
// PyTorch's vector loops take exp and log from SLEEF (Sleef_expf8_u10 / Sleef_expd4_u10,
// Sleef_logf8_u10 / Sleef_logd4_u10), its scalar loops from std::exp; so do these loops, through
// vec_math.h. Every sum, max and product comes in PyTorch's order, fused where its build fuses
// them, so the results match PyTorch's bits (checked on the golden cases; glibc's exp is assumed
// to be the one PyTorch's scalar loops called).
#include "minigrad/tensor/softmax.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>
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

// Softmax along a dim of contiguous data seen as [outer, dim_size, inner]: `outer` slices of
// dim_size rows by `inner` columns, one softmax down each column of a slice. Along the last dim a
// slice is one row (inner is 1), which PyTorch gives a kernel of its own. The one place of the
// kernels' index arithmetic.
struct Slices {
  int64_t outer = 1, dim_size = 1, inner = 1;
  bool last_dim = false;  // PyTorch's last-dim kernel

  Slices(const Shape& shape, int64_t dim) {
    const int64_t ndim = static_cast<int64_t>(shape.size());
    for (int64_t d = 0; d < ndim; ++d) {
      if (d < dim) outer *= shape[d];
      if (d == dim) dim_size = shape[d];
      if (d > dim) inner *= shape[d];
    }
    last_dim = ndim > 0 && dim == ndim - 1;
  }

  int64_t slice_size() const { return dim_size * inner; }
  int64_t slice(int64_t o) const { return o * slice_size(); }  // where slice o starts
  int64_t at(int64_t d, int64_t column) const { return d * inner + column; }  // within a slice

  // Calls element(i, column) for each element i of a slice, row by row.
  template <typename Element>
  void for_each(const Element& element) const {
    for (int64_t d = 0; d < dim_size; ++d)
      for (int64_t column = 0; column < inner; ++column) element(at(d, column), column);
  }

  // The columns that PyTorch's other-dim kernels run in their vector loop: all but the last
  // inner % lanes, which their scalar tail loop does.
  template <typename T>
  bool vector_lane(int64_t column) const {
    return column < inner - inner % kLanes<T>;
  }
};

// Each op's two kernels, as PyTorch's: last_dim over one row, other_dim over `count` slices of
// columns sharing its buffers of one value per column, each column a lane of PyTorch's vector loop.

// y = exp(x - maxval) over one row, SLEEF's exp; returns maxval, the row's max, and the sum of y.
template <typename T>
std::pair<T, T> exp_shifted_row(const T* x, T* y, int64_t dim_size) {
  const T maxval = reduce_all<T>(
      dim_size, [&](int64_t i) { return x[i]; }, maximum<T>);
  for (int64_t i = 0; i < dim_size; ++i) y[i] = x[i] - maxval;
  vec::exp(y, y, dim_size);
  const T sum = reduce_all<T>(
      dim_size, [&](int64_t i) { return y[i]; }, [](T a, T b) { return a + b; });
  return {maxval, sum};
}

// The same over the columns of one slice: maxval[column] the max down the column, y = exp(x -
// maxval) and sum[column] its sum from 0. With tail_in_scalar the tail columns are those of
// PyTorch's scalar loop, std::max (which lets a later nan through) and std::exp.
template <typename T>
void exp_shifted_columns(const T* x, T* y, T* maxval, T* sum, const Slices& s,
                         bool tail_in_scalar) {
  for (int64_t column = 0; column < s.inner; ++column) {
    maxval[column] = x[column];
    for (int64_t d = 1; d < s.dim_size; ++d)
      maxval[column] = !tail_in_scalar || s.vector_lane<T>(column)
                           ? maximum(maxval[column], x[s.at(d, column)])
                           : std::max(maxval[column], x[s.at(d, column)]);
  }
  s.for_each([&](int64_t i, int64_t column) { y[i] = x[i] - maxval[column]; });
  vec::exp(y, y, s.slice_size());
  if (tail_in_scalar)
    s.for_each([&](int64_t i, int64_t column) {
      if (!s.vector_lane<T>(column)) y[i] = std::exp(x[i] - maxval[column]);
    });
  std::fill(sum, sum + s.inner, T(0));
  s.for_each([&](int64_t i, int64_t column) { sum[column] += y[i]; });
}

// x and y are (dim_size), input and output (count, dim_size, inner).
struct Softmax {
  template <typename T>
  static void last_dim(const T* x, T* y, int64_t dim_size) {
    const T scale = T(1) / exp_shifted_row(x, y, dim_size).second;  // as PyTorch, the reciprocal
    for (int64_t i = 0; i < dim_size; ++i) y[i] *= scale;
  }

  template <typename T>
  static void other_dim(const T* input, T* output, int64_t count, const Slices& s) {
    std::vector<T> maxval(s.inner), sum(s.inner);
    for (int64_t o = 0; o < count; ++o) {
      T* y = output + s.slice(o);
      exp_shifted_columns(input + s.slice(o), y, maxval.data(), sum.data(), s,
                          /*tail_in_scalar=*/true);
      s.for_each([&](int64_t i, int64_t column) { y[i] /= sum[column]; });  // a true division
    }
  }
};

// PyTorch's AVX2 kernels are compiled with -mfma, and GCC fuses their vector `acc + x * y` into
// one fused multiply-add, rounding once: the backward's sums below do the same with std::fma.

// dout, y and dinp are (dim_size), grad_out, output and grad_in (count, dim_size, inner).
// Forward: y = softmax(x).
struct SoftmaxBackward {
  template <typename T>
  static void last_dim(const T* dout, const T* y, T* dinp, int64_t dim_size) {
    // sum = sum_i dout_i * y_i: vec::map2_reduce_all, lanes as in the forward's sum. The first
    // vector of products and the short rows are products rounded on their own; the rest fuse.
    T sum;
    if (dim_size < kLanes<T>) {
      sum = dout[0] * y[0];
      for (int64_t i = 1; i < dim_size; ++i) sum += dout[i] * y[i];
    } else {
      sum = reduce_all<T>(
          dim_size, [&](int64_t i) { return dout[i] * y[i]; }, [](T a, T b) { return a + b; },
          [&](T acc, int64_t i) { return std::fma(dout[i], y[i], acc); });
    }
    for (int64_t i = 0; i < dim_size; ++i) dinp[i] = (dout[i] - sum) * y[i];
  }

  // Each column sums dout * y from 0 in order, fused, then dinp = y * (dout - sum).
  template <typename T>
  static void other_dim(const T* grad_out, const T* output, T* grad_in, int64_t count,
                        const Slices& s) {
    for (int64_t o = 0; o < count; ++o) {
      const T* dout = grad_out + s.slice(o);
      const T* y = output + s.slice(o);
      T* dinp = grad_in + s.slice(o);
      for (int64_t column = 0; column < s.inner; ++column) {
        T sum = 0;
        for (int64_t d = 0; d < s.dim_size; ++d)
          sum = std::fma(dout[s.at(d, column)], y[s.at(d, column)], sum);
        for (int64_t d = 0; d < s.dim_size; ++d)
          dinp[s.at(d, column)] = y[s.at(d, column)] * (dout[s.at(d, column)] - sum);
      }
    }
  }
};

// As Softmax's; PyTorch's vec::map takes the log of the sums.
struct LogSoftmax {
  template <typename T>
  static void last_dim(const T* x, T* y, int64_t dim_size) {
    const auto [maxval, sum] = exp_shifted_row(x, y, dim_size);  // y replaced below
    T log_sum;
    vec::log(&sum, &log_sum, 1);
    for (int64_t i = 0; i < dim_size; ++i) y[i] = x[i] - maxval - log_sum;
  }

  template <typename T>
  static void other_dim(const T* input, T* output, int64_t count, const Slices& s) {
    std::vector<T> maxval(s.inner), log_sum(s.inner);
    for (int64_t o = 0; o < count; ++o) {
      const T* x = input + s.slice(o);
      T* y = output + s.slice(o);
      exp_shifted_columns(x, y, maxval.data(), log_sum.data(), s, /*tail_in_scalar=*/false);
      vec::log(log_sum.data(), log_sum.data(), s.inner);
      s.for_each(
          [&](int64_t i, int64_t column) { y[i] = x[i] - maxval[column] - log_sum[column]; });
    }
  }
};

// As SoftmaxBackward's. Forward: y = log_softmax(x). Each row or column sums dout, then
// dinp = dout - exp(y) * sum, fused.
struct LogSoftmaxBackward {
  template <typename T>
  static void last_dim(const T* dout, const T* y, T* dinp, int64_t dim_size) {
    const T sum = reduce_all<T>(
        dim_size, [&](int64_t i) { return dout[i]; }, [](T a, T b) { return a + b; });
    vec::exp(y, dinp, dim_size);
    for (int64_t i = 0; i < dim_size; ++i) dinp[i] = std::fma(-dinp[i], sum, dout[i]);
  }

  // The columns sum from 0 in order; exp(y) is std::exp's in the tail columns.
  template <typename T>
  static void other_dim(const T* grad_out, const T* output, T* grad_in, int64_t count,
                        const Slices& s) {
    std::vector<T> sum(s.inner);
    for (int64_t o = 0; o < count; ++o) {
      const T* dout = grad_out + s.slice(o);
      const T* y = output + s.slice(o);
      T* dinp = grad_in + s.slice(o);
      std::fill(sum.begin(), sum.end(), T(0));
      s.for_each([&](int64_t i, int64_t column) { sum[column] += dout[i]; });
      vec::exp(y, dinp, s.slice_size());
      s.for_each([&](int64_t i, int64_t column) {
        const T exp_y = s.vector_lane<T>(column) ? dinp[i] : std::exp(y[i]);
        dinp[i] = std::fma(-exp_y, sum[column], dout[i]);
      });
    }
  }
};

// The kernel PyTorch runs: Kernels::last_dim on each row along the last dim, other_dim elsewhere.
template <typename Kernels>
struct ByDim {
  // s by value: a copy that no call can change, so its sizes stay in registers across vec::exp
  void operator()(Slices s, int64_t /*first*/, int64_t count, auto*... data) const {
    if (!s.last_dim) return Kernels::other_dim(data..., count, s);
    for (int64_t row = 0; row < count; ++row) Kernels::last_dim(data + s.slice(row)..., s.dim_size);
  }
};

// The softmax family's one wrapper: a new output of the inputs' shape and dtype, from contiguous
// copies of them, by kernel(s, first, count, inputs' data..., output's data) on chunks [first,
// first + count) of the s.outer slices, the data from slice `first` on. The chunks run on both
// cores (the slices are independent), each compiled for the best CPU.
template <typename Kernel, typename... Inputs>
Tensor along_dim(const char* op, int64_t dim, const Kernel& kernel, const Tensor& input,
                 const Inputs&... more_inputs) {
  const Slices s(input.shape(), normalize_dim(dim, input.dim(), op));
  const std::array sources{contiguous(input), contiguous(more_inputs)...};
  Tensor out = empty(input.shape(), input.dtype());
  if (input.numel() == 0) return out;
  dispatch(input.dtype(), op, [&]<typename T>() {
    parallel_for(0, s.outer, grain_for(s.slice_size()), [&](int64_t begin, int64_t end) {
      on_best_cpu([&] {
        const int64_t at = s.slice(begin);
        std::apply(
            [&](const auto&... source) {
              kernel(s, begin, end - begin, source.template data_ptr<T>() + at...,
                     out.data_ptr<T>() + at);
            },
            sources);
      });
    });
  });
  return out;
}

void check_grad_out(const char* op, const Tensor& grad_out, const Tensor& output) {
  check(grad_out.shape() == output.shape(), op, ": grad_out has shape ", grad_out.shape(),
        " but the output has shape ", output.shape());
  check(grad_out.dtype() == output.dtype(), op, ": grad_out is ", dtype_name(grad_out.dtype()),
        " but the output is ", dtype_name(output.dtype()));
}

// mask (any dtype, nonzero is true) broadcast to `shape` (checked, naming op), row by row of
// shape's last dim: row(r)[i] != 0 says that element i of row r is masked out. The mask's rows are
// made contiguous bools first (a copy of the size of the mask, not of `shape`), so that the kernels
// read them as plain arrays, of bytes, since GCC 12 does not vectorise loads of bool.
class MaskRows {
 public:
  MaskRows(const char* op, const Tensor& mask, const Shape& shape) {
    check(broadcasts_to(mask.shape(), shape), op, ": mask of shape ", mask.shape(),
          " cannot be broadcast to the input's shape ", shape);
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
  return along_dim("softmax", dim, ByDim<Softmax>{}, input);
}

Tensor softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim) {
  check_grad_out("softmax_backward", grad_out, output);
  return along_dim("softmax_backward", dim, ByDim<SoftmaxBackward>{}, grad_out, output);
}

// PyTorch's three ops, masked_fill_(mask, -inf), then / divisor (a true division in float, as
// for a Python float), then softmax, in one pass per row, each row's arithmetic that of softmax.
Tensor masked_softmax(const Tensor& input, const Tensor& mask, double divisor) {
  const MaskRows mask_rows("masked_softmax", mask, input.shape());
  const auto kernel = [&](const Slices& s, int64_t first, int64_t count, const auto* x, auto* y) {
    using T = std::remove_const_t<std::remove_pointer_t<decltype(x)>>;
    // One row of masked and divided scores, apart from y: softmax's loops vectorise only when
    // their input and output do not overlap.
    std::vector<T> scaled_row(s.dim_size);
    for (int64_t row = 0; row < count; ++row) {
      const T* x_row = x + s.slice(row);
      const uint8_t* masked = mask_rows.row(first + row);
      for (int64_t i = 0; i < s.dim_size; ++i) {
        const T scaled = x_row[i] / static_cast<T>(divisor);
        scaled_row[i] = masked[i] != 0 ? -std::numeric_limits<T>::infinity() : scaled;
      }
      Softmax::last_dim(scaled_row.data(), y + s.slice(row), s.dim_size);
    }
  };
  return along_dim("masked_softmax", -1, kernel, input);
}

// PyTorch's three backwards in one pass per row: softmax's, / divisor, then masked_fill(mask, 0).
Tensor masked_softmax_backward(const Tensor& grad_out, const Tensor& output, const Tensor& mask,
                               double divisor) {
  const MaskRows mask_rows("masked_softmax_backward", mask, output.shape());
  check_grad_out("masked_softmax_backward", grad_out, output);
  const auto kernel = [&](const Slices& s, int64_t first, int64_t count, const auto* dout,
                          const auto* y, auto* dinp) {
    using T = std::remove_pointer_t<decltype(dinp)>;
    for (int64_t row = 0; row < count; ++row) {
      T* dinp_row = dinp + s.slice(row);
      const uint8_t* masked = mask_rows.row(first + row);
      SoftmaxBackward::last_dim(dout + s.slice(row), y + s.slice(row), dinp_row, s.dim_size);
      for (int64_t i = 0; i < s.dim_size; ++i) {
        const T scaled = dinp_row[i] / static_cast<T>(divisor);
        dinp_row[i] = masked[i] != 0 ? T(0) : scaled;
      }
    }
  };
  return along_dim("masked_softmax_backward", -1, kernel, grad_out, output);
}

Tensor log_softmax(const Tensor& input, int64_t dim) {
  return along_dim("log_softmax", dim, ByDim<LogSoftmax>{}, input);
}

Tensor log_softmax_backward(const Tensor& grad_out, const Tensor& output, int64_t dim) {
  check_grad_out("log_softmax_backward", grad_out, output);
  return along_dim("log_softmax_backward", dim, ByDim<LogSoftmaxBackward>{}, grad_out, output);
}

}  // namespace mg::kernels
