// torch.nn.utils.clip_grad_norm_: the norm accumulates in double over raw elements, then the
// gradients are scaled in place, bumping their version.
#include "minigrad/nn/clip_grad.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "minigrad/tensor/parallel.h"

namespace mg::nn::utils {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  check(norm_type > 0.0, "clip_grad_norm_: norm_type must be positive or INFINITY, got ",
        norm_type);
  std::vector<Tensor> grads;
  for (const Tensor& param : params)
    if (param.defined() && param.grad().defined()) grads.push_back(param.grad());
  if (grads.empty()) return 0.0;

  const bool infinity_norm = std::isinf(norm_type);
  // Accumulates in double: sum |g|^p, or max |g| (NaN wins, as torch.max). Each gradient in
  // fixed chunks, all gradients' chunks at once, whose results are combined in order: the same
  // bits at any thread count.
  const auto term = [&](double magnitude) {
    if (infinity_norm) return magnitude;
    return norm_type == 2.0 ? magnitude * magnitude : std::pow(magnitude, norm_type);
  };
  const auto combine = [&](double total, double part) {
    if (infinity_norm) return std::isnan(part) || part > total ? part : total;
    return total + part;
  };
  std::vector<int64_t> sizes;
  for (const Tensor& grad : grads) {
    check(grad.is_contiguous(), "clip_grad_norm_: a gradient of shape ", grad.shape(),
          " is not contiguous");
    sizes.push_back(grad.numel());
  }
  const double total = parallel_reduce_each(
      sizes, 0.0,
      [&](size_t i, int64_t begin, int64_t end) {
        double chunk_total = 0.0;
        dispatch(grads[i].dtype(), "clip_grad_norm_", [&]<typename scalar_t>() {
          const scalar_t* g = grads[i].data_ptr<scalar_t>();
          for (int64_t j = begin; j < end; ++j)
            chunk_total = combine(chunk_total, term(std::abs(static_cast<double>(g[j]))));
        });
        return chunk_total;
      },
      combine);
  const double total_norm = infinity_norm      ? total
                            : norm_type == 2.0 ? std::sqrt(total)
                                               : std::pow(total, 1.0 / norm_type);

  // std::min keeps a NaN coefficient, which then spreads to the gradients as in PyTorch.
  const double clip_coef = std::min(max_norm / (total_norm + 1e-6), 1.0);
  if (clip_coef == 1.0) return total_norm;
  // One gradient after another: a gradient listed twice is scaled twice, as in PyTorch.
  for (const Tensor& grad : grads) {
    dispatch(grad.dtype(), "clip_grad_norm_", [&]<typename scalar_t>() {
      scalar_t* g = grad.data_ptr<scalar_t>();
      const auto coef = static_cast<scalar_t>(clip_coef);
      parallel_for(0, grad.numel(), kGrainSize, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) g[i] = g[i] * coef;
      });
    });
    grad.storage()->bump_version();
  }
  return total_norm;
}

}  // namespace mg::nn::utils
