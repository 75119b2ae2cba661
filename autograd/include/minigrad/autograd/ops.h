#pragma once

#include <string_view>
#include <vector>

#include "minigrad/tensor/tensor.h"

// Differentiable ops as free functions, named as in PyTorch; each also exists as a Tensor method
// where PyTorch has one. Elementwise ops broadcast with NumPy's rules; a scalar operand takes the
// tensor's dtype, as a Python number does in PyTorch.
namespace mg {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& input);
Tensor exp(const Tensor& input);
Tensor log(const Tensor& input);
Tensor sqrt(const Tensor& input);
Tensor pow(const Tensor& input, double exponent);
Tensor abs(const Tensor& input);
Tensor tanh(const Tensor& input);
Tensor sigmoid(const Tensor& input);
Tensor relu(const Tensor& input);
// approximate: "none" (x * Phi(x), Phi the normal CDF) or "tanh", as libtorch's torch::gelu.
Tensor gelu(const Tensor& input, std::string_view approximate = "none");

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& input);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);

// All elements when dims is empty.
Tensor sum(const Tensor& input, const std::vector<int64_t>& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& input, const std::vector<int64_t>& dims = {}, bool keepdim = false);

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor softmax(const Tensor& input, int64_t dim);
Tensor log_softmax(const Tensor& input, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);

}  // namespace mg
