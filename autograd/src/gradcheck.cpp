#include "minigrad/autograd/gradcheck.h"

#include <cmath>
#include <cstring>

#include "minigrad/autograd/grad_mode.h"
#include "minigrad/tensor/factory.h"

namespace mg {

namespace {

// A leaf copy of `input` in a storage of its own with the same strides, non-contiguous if input is.
Tensor copy_keeping_layout(const Tensor& input) {
  auto storage = std::make_shared<Storage>(input.storage()->nbytes());
  std::memcpy(storage->data(), input.storage()->data(), input.storage()->nbytes());
  auto impl = std::make_shared<TensorImpl>(input.impl());
  impl->storage = std::move(storage);
  impl->autograd = nullptr;
  Tensor copy(std::move(impl));
  if (input.requires_grad()) copy.requires_grad_();
  return copy;
}

// Storage position of the element at row-major index `flat`.
double& element(const Tensor& t, int64_t flat) {
  int64_t offset = t.storage_offset();
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    offset += (flat % t.shape()[d]) * t.strides()[d];
    flat /= t.shape()[d];
  }
  return static_cast<double*>(t.storage()->data())[offset];
}

}  // namespace

bool gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
               const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  for (size_t i = 0; i < inputs.size(); ++i)
    check(inputs[i].dtype() == kFloat64, "gradcheck: input ", i, " is ",
          dtype_name(inputs[i].dtype()), "; finite differences need float64 inputs");
  std::vector<Tensor> leaves;
  for (const Tensor& input : inputs) leaves.push_back(copy_keeping_layout(input));

  const int64_t out_numel = [&] {
    NoGradGuard no_grad;
    return fn(leaves).numel();
  }();
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].requires_grad()) continue;
    const int64_t in_numel = leaves[i].numel();
    // analytical[k][j] = d out[k] / d input[j], one backward per output element.
    std::vector<std::vector<double>> analytical(out_numel);
    for (int64_t k = 0; k < out_numel; ++k) {
      for (Tensor& leaf : leaves) leaf.zero_grad();
      const Tensor out = fn(leaves);
      check(out.dtype() == kFloat64, "gradcheck: fn returned ", dtype_name(out.dtype()),
            " for float64 inputs");
      std::vector<double> one_hot(out_numel, 0.0);
      one_hot[k] = 1.0;
      if (!out.requires_grad()) break;
      out.backward(from_vector(one_hot, out.shape()));
      const Tensor grad = leaves[i].grad();
      analytical[k] =
          grad.defined() ? grad.to_vector<double>() : std::vector<double>(in_numel, 0.0);
    }
    for (int64_t j = 0; j < in_numel; ++j) {
      NoGradGuard no_grad;
      double& x = element(leaves[i], j);
      const double original = x;
      x = original + eps;
      const std::vector<double> plus = fn(leaves).to_vector<double>();
      x = original - eps;
      const std::vector<double> minus = fn(leaves).to_vector<double>();
      x = original;
      for (int64_t k = 0; k < out_numel; ++k) {
        const double numerical = (plus[k] - minus[k]) / (2 * eps);
        const double analytic = analytical[k].empty() ? 0.0 : analytical[k][j];
        check(std::abs(analytic - numerical) <= atol + rtol * std::abs(numerical),
              "gradcheck: gradient mismatch for input ", i, ", element ", j, ", output element ", k,
              ": numerical ", numerical, " vs analytical ", analytic);
      }
    }
  }
  return true;
}

}  // namespace mg
