#include "minigrad/tensor/factory.h"

#include <algorithm>
#include <cmath>

#include "minigrad/tensor/random.h"

namespace mg {

Tensor empty(const Shape& shape, Dtype dtype) {
  for (int64_t size : shape)
    check(size >= 0, "empty: sizes must be non-negative, got shape ", shape);
  auto impl = make_pooled<TensorImpl>();
  impl->storage = make_pooled<Storage>(numel(shape) * element_size(dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor full(const Shape& shape, double value, Dtype dtype) {
  Tensor out = empty(shape, dtype);
  dispatch_all(dtype, [&]<typename scalar_t>() {
    std::fill_n(out.data_ptr<scalar_t>(), out.numel(), static_cast<scalar_t>(value));
  });
  return out;
}

Tensor zeros(const Shape& shape, Dtype dtype) {
  return full(shape, 0.0, dtype);
}
Tensor ones(const Shape& shape, Dtype dtype) {
  return full(shape, 1.0, dtype);
}

Tensor rand(const Shape& shape, Dtype dtype) {
  Tensor out = empty(shape, dtype);
  dispatch(dtype, "rand", [&]<typename scalar_t>() {
    kernels::uniform_fill(out.data_ptr<scalar_t>(), out.numel(), 0.0, 1.0, default_generator());
  });
  return out;
}

Tensor randn(const Shape& shape, Dtype dtype) {
  Tensor out = empty(shape, dtype);
  dispatch(dtype, "randn", [&]<typename scalar_t>() {
    kernels::normal_fill(out.data_ptr<scalar_t>(), out.numel(), 0.0, 1.0, default_generator());
  });
  return out;
}

Tensor empty_like(const Tensor& other) {
  return empty(other.shape(), other.dtype());
}
Tensor zeros_like(const Tensor& other) {
  return zeros(other.shape(), other.dtype());
}
Tensor ones_like(const Tensor& other) {
  return ones(other.shape(), other.dtype());
}
Tensor full_like(const Tensor& other, double value) {
  return full(other.shape(), value, other.dtype());
}
Tensor rand_like(const Tensor& other) {
  return rand(other.shape(), other.dtype());
}
Tensor randn_like(const Tensor& other) {
  return randn(other.shape(), other.dtype());
}

template <typename T>
Tensor from_vector(const std::vector<T>& values, const Shape& shape, Dtype dtype) {
  check(static_cast<int64_t>(values.size()) == numel(shape), "from_vector: ", values.size(),
        " values cannot fill shape ", shape, " (", numel(shape), " elements)");
  Tensor out = empty(shape, dtype);
  dispatch_all(dtype, [&]<typename scalar_t>() {
    std::transform(values.begin(), values.end(), out.data_ptr<scalar_t>(),
                   [](T value) { return static_cast<scalar_t>(value); });
  });
  return out;
}
template Tensor from_vector(const std::vector<float>&, const Shape&, Dtype);
template Tensor from_vector(const std::vector<double>&, const Shape&, Dtype);
template Tensor from_vector(const std::vector<int64_t>&, const Shape&, Dtype);
template Tensor from_vector(const std::vector<bool>&, const Shape&, Dtype);

Tensor arange(double start, double end, double step, Dtype dtype) {
  check(dtype != kBool, "arange: bool is not supported; use an int64 or floating-point dtype");
  check(std::isfinite(start) && std::isfinite(end), "arange: start ", start, " and end ", end,
        " must be finite");
  check(step != 0, "arange: step must be nonzero");
  check((step > 0 && end >= start) || (step < 0 && end <= start), "arange: step ", step,
        " cannot go from start ", start, " to end ", end, " (the step's sign is wrong)");
  const auto size = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor out = empty({size}, dtype);
  dispatch_all(dtype, [&]<typename scalar_t>() {
    scalar_t* values = out.data_ptr<scalar_t>();
    // PyTorch's CPU kernel as it runs on AVX2, bit for bit: whole pairs of 32-byte vectors
    // first, each vector's elements stepped from its own base, fma(k, step, base), with base
    // rounded to scalar_t; then fma(step, i, start) for the rest. (Exact either way for int64.)
    const int64_t width = 32 / static_cast<int64_t>(sizeof(scalar_t));
    const int64_t vectorised = size / (2 * width) * (2 * width);
    for (int64_t i = 0; i < vectorised; i += width) {
      const double base = static_cast<scalar_t>(std::fma(step, static_cast<double>(i), start));
      for (int64_t k = 0; k < width; ++k)
        values[i + k] = static_cast<scalar_t>(std::fma(static_cast<double>(k), step, base));
    }
    for (int64_t i = vectorised; i < size; ++i)
      values[i] = static_cast<scalar_t>(std::fma(step, static_cast<double>(i), start));
  });
  return out;
}

Tensor arange(double end, Dtype dtype) {
  return arange(0, end, 1, dtype);
}

Tensor tensor(double value, Dtype dtype) {
  return full({}, value, dtype);
}

Tensor tensor(std::initializer_list<double> values, Dtype dtype) {
  return from_vector(std::vector<double>(values), {static_cast<int64_t>(values.size())}, dtype);
}

namespace {
template <typename T>
constexpr size_t nesting_depth = 0;
template <typename T>
constexpr size_t nesting_depth<std::initializer_list<T>> = 1 + nesting_depth<T>;

// Flattens nested literal lists, checking that every row has the same length.
template <typename Nested>
void flatten_into(const Nested& items, Shape& shape, size_t depth, std::vector<double>& values) {
  const auto size = static_cast<int64_t>(items.size());
  if (shape[depth] < 0) shape[depth] = size;  // the first sequence at this depth sets its size
  check(shape[depth] == size, "tensor: expected a sequence of length ", shape[depth], " at dim ",
        depth, " (got ", size, ")");
  for (const auto& item : items) {
    if constexpr (std::is_same_v<std::decay_t<decltype(item)>, double>)
      values.push_back(item);
    else
      flatten_into(item, shape, depth + 1, values);
  }
}

template <typename Nested>
Tensor from_nested(const Nested& items, Dtype dtype) {
  // Sized up front: push_back here trips GCC 12's false -Warray-bounds at -O3.
  Shape shape(nesting_depth<Nested>, -1);
  std::vector<double> values;
  flatten_into(items, shape, 0, values);
  shape.erase(std::find(shape.begin(), shape.end(), -1), shape.end());  // dims under an empty list
  return from_vector(values, shape, dtype);
}
}  // namespace

Tensor tensor(std::initializer_list<std::initializer_list<double>> rows, Dtype dtype) {
  return from_nested(rows, dtype);
}

Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<double>>> matrices,
              Dtype dtype) {
  return from_nested(matrices, dtype);
}

}  // namespace mg
