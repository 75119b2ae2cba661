#pragma once

#include <concepts>
#include <initializer_list>
#include <vector>

#include "minigrad/tensor/tensor.h"

namespace mg {

// New contiguous tensors, named as in PyTorch. float32 unless a dtype is given; every dtype
// works but for rand and randn, which are floating point only.
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

// start, start + step, ... up to end (excluded), like torch.arange: ceil((end - start) / step)
// values, computed in double and rounded to dtype (not bool) exactly as PyTorch's CPU kernel
// does. Throws when step is 0 or points away from end.
Tensor arange(double start, double end, double step, Dtype dtype);
Tensor arange(double end, Dtype dtype);
// libtorch's defaults: all-integer arguments give int64 (mg::arange(5), mg::arange(2, 10, 3)),
// any floating-point one float32 (mg::arange(0.0, 1.0, 0.25), mg::arange(2.5)).
template <typename T>
concept ArangeNumber = std::integral<T> || std::floating_point<T>;
template <ArangeNumber Start, ArangeNumber End, ArangeNumber Step = int>
Tensor arange(Start start, End end, Step step = 1) {
  constexpr bool integral = std::integral<Start> && std::integral<End> && std::integral<Step>;
  return arange(static_cast<double>(start), static_cast<double>(end), static_cast<double>(step),
                integral ? kInt64 : kFloat32);
}
template <ArangeNumber End>
Tensor arange(End end) {
  return arange(0, end);
}

// Row-major values and a shape: from_vector(std::vector<float>{...}, {2, 3}). The dtype follows
// T (float, double, int64_t or bool) unless given.
template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Dtype dtype = dtype_of<T>());

// Literals, 0-D (a scalar) up to 3-D, like torch.tensor: mg::tensor({{0.43, 0.15}, {0.55, 0.87}}).
Tensor tensor(double value, Dtype dtype = kFloat32);
Tensor tensor(std::initializer_list<double> values, Dtype dtype = kFloat32);
Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, Dtype dtype = kFloat32);
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> matrices,
              Dtype dtype = kFloat32);

}  // namespace mg
