#pragma once

#include <cstddef>
#include <string_view>

namespace mg {

// Element types. float32 is the default, as in PyTorch.
enum class Dtype { Float32, Float64 };

inline constexpr Dtype kFloat32 = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64;

constexpr std::string_view dtype_name(Dtype dtype) {
  return dtype == Dtype::Float32 ? "float32" : "float64";
}

constexpr size_t element_size(Dtype dtype) {
  return dtype == Dtype::Float32 ? 4 : 8;
}

template <typename T>
constexpr Dtype dtype_of();
template <>
constexpr Dtype dtype_of<float>() {
  return Dtype::Float32;
}
template <>
constexpr Dtype dtype_of<double>() {
  return Dtype::Float64;
}

// Calls fn.template operator()<scalar_t>() with the C++ type of `dtype`:
//   dispatch(t.dtype(), [&]<typename scalar_t>() { ... });
template <typename Fn>
decltype(auto) dispatch(Dtype dtype, Fn&& fn) {
  if (dtype == Dtype::Float64) return fn.template operator()<double>();
  return fn.template operator()<float>();
}

}  // namespace mg
