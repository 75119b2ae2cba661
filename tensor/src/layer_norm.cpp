// layer_norm and its backwards: plain loops over rows of normalized_size elements, after llm.c's
// layernorm_forward / layernorm_backward (train_gpt2.c), with mean and rstd saved per row.
#include "minigrad/tensor/layer_norm.h"

#include <cmath>
#include <vector>

#include "cpu_dispatch.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/parallel.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {

namespace {

// The weight's elements, or a null pointer when it is undefined (meaning all ones, or zeros for
// the bias).
template <typename T>
const T* data_or_null(const Tensor& contiguous_tensor) {
  return contiguous_tensor.defined() ? contiguous_tensor.data_ptr<T>() : nullptr;
}

Tensor contiguous_or_undefined(const Tensor& tensor) {
  return tensor.defined() ? contiguous(tensor) : Tensor();
}

// Calls row_fn(row) for each of `rows` rows of normalized_size elements, on AVX2 where the CPU
// has it (the same bits: no multiply-add is fused, see cpu_dispatch.h); rows are independent, so
// they run in parallel.
template <typename RowFn>
void for_rows(int64_t rows, int64_t normalized_size, const RowFn& row_fn) {
  parallel_for(0, rows, grain_for(normalized_size), [&](int64_t begin, int64_t end) {
    on_best_cpu([&] {
      for (int64_t row = begin; row < end; ++row) row_fn(row);
    });
  });
}

// The sum over i < n of term(i) in double, in four interleaved lanes added at the end: one chain
// of dependent additions was a row's whole cost (the vectoriser may not reorder a sum), four are
// independent. A sum of floats in double rounds so little that the float results seldom move.
template <typename Term>
double lane_sum(int64_t n, const Term& term) {
  double lanes[4] = {};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int lane = 0; lane < 4; ++lane) lanes[lane] += term(i + lane);
  double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) sum += term(i);
  return sum;
}

}  // namespace

LayerNormResult layer_norm(const Tensor& input, int64_t normalized_size, const Tensor& weight,
                           const Tensor& bias, double eps) {
  const int64_t rows = normalized_size == 0 ? 0 : input.numel() / normalized_size;
  const Tensor x = contiguous(input);
  const Tensor w = contiguous_or_undefined(weight), b = contiguous_or_undefined(bias);
  LayerNormResult result{empty(input.shape(), input.dtype()), empty({rows}, input.dtype()),
                         empty({rows}, input.dtype())};
  dispatch(input.dtype(), "layer_norm", [&]<typename T>() {
    // x and out are (rows, normalized_size), mean and rstd are (rows)
    const T* weight_data = data_or_null<T>(w);
    const T* bias_data = data_or_null<T>(b);
    T* mean_data = result.mean.data_ptr<T>();
    T* rstd_data = result.rstd.data_ptr<T>();
    for_rows(rows, normalized_size, [&](int64_t row) {
      const T* x_row = x.data_ptr<T>() + row * normalized_size;
      T* out_row = result.out.data_ptr<T>() + row * normalized_size;
      const double m = lane_sum(normalized_size, [&](int64_t i) { return double{x_row[i]}; }) /
                       static_cast<double>(normalized_size);
      // The biased variance, from the deviations (a second pass: no cancellation).
      const double sum_sq = lane_sum(normalized_size, [&](int64_t i) {
        const double deviation = x_row[i] - m;
        return deviation * deviation;
      });
      const double s = 1.0 / std::sqrt(sum_sq / static_cast<double>(normalized_size) + eps);
      for (int64_t i = 0; i < normalized_size; ++i) {
        const double norm = (x_row[i] - m) * s;
        const double scaled = weight_data ? norm * weight_data[i] : norm;
        out_row[i] = static_cast<T>(bias_data ? scaled + bias_data[i] : scaled);
      }
      mean_data[row] = static_cast<T>(m);
      rstd_data[row] = static_cast<T>(s);
    });
  });
  return result;
}

Tensor layer_norm_backward(const Tensor& grad_out, const Tensor& input, const Tensor& mean,
                           const Tensor& rstd, const Tensor& weight, int64_t normalized_size) {
  const int64_t rows = mean.numel();
  const Tensor dout = contiguous(grad_out), x = contiguous(input);
  const Tensor w = contiguous_or_undefined(weight);
  Tensor grad_input = empty(input.shape(), input.dtype());
  dispatch(input.dtype(), "layer_norm_backward", [&]<typename T>() {
    // dout, x and dinp are (rows, normalized_size), mean and rstd are (rows)
    const T* weight_data = data_or_null<T>(w);
    for_rows(rows, normalized_size, [&](int64_t row) {
      const T* dout_row = dout.data_ptr<T>() + row * normalized_size;
      const T* x_row = x.data_ptr<T>() + row * normalized_size;
      T* dinp_row = grad_input.data_ptr<T>() + row * normalized_size;
      const double m = mean.data_ptr<T>()[row], s = rstd.data_ptr<T>()[row];
      // pass 1: the two means the input gradient subtracts
      const auto dnorm = [&](int64_t i) {
        return weight_data ? double{weight_data[i] * dout_row[i]} : double{dout_row[i]};
      };
      const double dnorm_sum = lane_sum(normalized_size, dnorm);
      const double dnorm_norm_sum =
          lane_sum(normalized_size, [&](int64_t i) { return dnorm(i) * ((x_row[i] - m) * s); });
      const double dnorm_mean = dnorm_sum / static_cast<double>(normalized_size);
      const double dnorm_norm_mean = dnorm_norm_sum / static_cast<double>(normalized_size);
      // pass 2: through norm = (x - mean) * rstd, where mean and rstd depend on every x of the row
      for (int64_t i = 0; i < normalized_size; ++i) {
        const double norm = (x_row[i] - m) * s;
        dinp_row[i] = static_cast<T>((dnorm(i) - dnorm_mean - norm * dnorm_norm_mean) * s);
      }
    });
  });
  return grad_input;
}

Tensor layer_norm_backward_weight(const Tensor& grad_out, const Tensor& input, const Tensor& mean,
                                  const Tensor& rstd, int64_t normalized_size) {
  const int64_t rows = mean.numel();
  const Tensor dout = contiguous(grad_out), x = contiguous(input);
  Tensor grad_weight = empty({normalized_size}, input.dtype());
  dispatch(input.dtype(), "layer_norm_backward_weight", [&]<typename T>() {
    // dout and x are (rows, normalized_size), dweight is (normalized_size)
    // Each column sums over the rows in order; columns are independent, so they run in parallel.
    parallel_for(0, normalized_size, grain_for(rows), [&](int64_t begin, int64_t end) {
      std::vector<double> dweight(static_cast<size_t>(end - begin), 0.0);
      on_best_cpu([&] {
        for (int64_t row = 0; row < rows; ++row) {
          const T* dout_row = dout.data_ptr<T>() + row * normalized_size;
          const T* x_row = x.data_ptr<T>() + row * normalized_size;
          const double m = mean.data_ptr<T>()[row], s = rstd.data_ptr<T>()[row];
          // out = norm * weight + bias
          for (int64_t i = begin; i < end; ++i)
            dweight[static_cast<size_t>(i - begin)] += (x_row[i] - m) * s * dout_row[i];
        }
      });
      for (int64_t i = begin; i < end; ++i)
        grad_weight.data_ptr<T>()[i] = static_cast<T>(dweight[static_cast<size_t>(i - begin)]);
    });
  });
  return grad_weight;
}

}  // namespace mg::kernels
