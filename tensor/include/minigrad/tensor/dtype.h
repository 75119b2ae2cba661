#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "minigrad/tensor/error.h"

namespace mg {

// Element types. float32 is the default, as in PyTorch; bool is stored as one byte (C++ bool).
enum class Dtype { Float32, Float64, Int64, Bool };

inline constexpr Dtype kFloat32 = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64;
inline constexpr Dtype kInt64 = Dtype::Int64;
inline constexpr Dtype kBool = Dtype::Bool;

static_assert(sizeof(bool) == 1, "bool tensors store one byte per element");

constexpr std::string_view dtype_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32:
      return "float32";
    case Dtype::Float64:
      return "float64";
    case Dtype::Int64:
      return "int64";
    case Dtype::Bool:
      return "bool";
  }
  return "unknown";
}

constexpr size_t element_size(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float32:
      return 4;
    case Dtype::Float64:
    case Dtype::Int64:
      return 8;
    case Dtype::Bool:
      return 1;
  }
  return 0;
}

constexpr bool is_floating_point(Dtype dtype) {
  return dtype == Dtype::Float32 || dtype == Dtype::Float64;
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
template <>
constexpr Dtype dtype_of<int64_t>() {
  return Dtype::Int64;
}
template <>
constexpr Dtype dtype_of<bool>() {
  return Dtype::Bool;
}

// For the floating-point kernels: calls fn.template operator()<scalar_t>() with the C++ type of
// `dtype`, or throws "matmul: expected a floating-point tensor, got int64" naming `op`:
//   dispatch(t.dtype(), "matmul", [&]<typename scalar_t>() { ... });
template <typename Fn>
decltype(auto) dispatch(Dtype dtype, std::string_view op, Fn&& fn) {
  check(is_floating_point(dtype), op, ": expected a floating-point tensor, got ",
        dtype_name(dtype));
  if (dtype == Dtype::Float64) return fn.template operator()<double>();
  return fn.template operator()<float>();
}

// For the kernels every dtype supports (copy, fill, comparisons, where, printing, ...).
template <typename Fn>
decltype(auto) dispatch_all(Dtype dtype, Fn&& fn) {
  switch (dtype) {
    case Dtype::Float64:
      return fn.template operator()<double>();
    case Dtype::Int64:
      return fn.template operator()<int64_t>();
    case Dtype::Bool:
      return fn.template operator()<bool>();
    case Dtype::Float32:
      break;
  }
  return fn.template operator()<float>();
}

}  // namespace mg
