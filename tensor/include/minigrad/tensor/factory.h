#pragma once

#include <initializer_list>
#include <vector>

#include "minigrad/tensor/tensor.h"

namespace mg {

// New contiguous tensors, named as in PyTorch. float32 unless a dtype is given.
Tensor empty(const Shape& shape, Dtype dtype = kFloat32);
Tensor zeros(const Shape& shape, Dtype dtype = kFloat32);
Tensor ones(const Shape& shape, Dtype dtype = kFloat32);
Tensor full(const Shape& shape, double value, Dtype dtype = kFloat32);

// Uniform on [0, 1) and standard normal, drawing exactly what PyTorch draws for the same seed.
Tensor rand(const Shape& shape, Dtype dtype = kFloat32);
Tensor randn(const Shape& shape, Dtype dtype = kFloat32);

Tensor empty_like(const Tensor& other);
Tensor zeros_like(const Tensor& other);
Tensor ones_like(const Tensor& other);
Tensor full_like(const Tensor& other, double value);
Tensor rand_like(const Tensor& other);
Tensor randn_like(const Tensor& other);

// Row-major values and a shape: from_vector(std::vector<float>{...}, {2, 3}). The dtype follows
// T unless given.
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Dtype dtype = dtype_of<T>());

// Literals up to 3-D, like torch.tensor: mg::tensor({{0.43, 0.15}, {0.55, 0.87}}). A scalar gives
// a 0-dim tensor.
Tensor tensor(double value, Dtype dtype = kFloat32);
Tensor tensor(std::initializer_list<double> values, Dtype dtype = kFloat32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, Dtype dtype = kFloat32);
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> matrices,
              Dtype dtype = kFloat32);

}  // namespace mg
