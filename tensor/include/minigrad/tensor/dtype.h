#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "minigrad/tensor/error.h"

namespace mg {

// Element types. float32 is the default, as in PyTorch; bool is stored as one byte (C++ bool).
// Each has a row in kDtypes below.
enum class Dtype { Float32, Float64, Int64, Bool };

inline constexpr Dtype kFloat32 = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64;
inline constexpr Dtype kInt64 = Dtype::Int64;
inline constexpr Dtype kBool = Dtype::Bool;

static_assert(sizeof(bool) == 1, "bool tensors store one byte per element");

// What minigrad knows of each dtype, one row each, in the enum's order: the name PyTorch prints,
// the name a safetensors header gives it, and the bytes of one element.
struct DtypeInfo {
  Dtype dtype;
  std::string_view name;
  std::string_view safetensors_name;
  size_t element_size;
};
inline constexpr std::array<DtypeInfo, 4> kDtypes{{
    {Dtype::Float32, "float32", "F32", 4},
    {Dtype::Float64, "float64", "F64", 8},
    {Dtype::Int64, "int64", "I64", 8},
    {Dtype::Bool, "bool", "BOOL", 1},
}};
static_assert(
    [] {
      for (size_t i = 0; i < kDtypes.size(); ++i)
        if (static_cast<size_t>(kDtypes[i].dtype) != i) return false;
      return true;
    }(),
    "kDtypes lists each dtype at its enum value");

constexpr const DtypeInfo& dtype_info(Dtype dtype) {
  return kDtypes[static_cast<size_t>(dtype)];
}
constexpr std::string_view dtype_name(Dtype dtype) {
  return dtype_info(dtype).name;
}
constexpr size_t element_size(Dtype dtype) {
  return dtype_info(dtype).element_size;
}

constexpr bool is_floating_point(Dtype dtype) {
  return dtype == Dtype::Float32 || dtype == Dtype::Float64;
}

// The dtype whose elements are the C++ type T.
template <typename T>
constexpr Dtype dtype_of() {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> ||
                    std::is_same_v<T, int64_t> || std::is_same_v<T, bool>,
                "dtype_of: T must be float, double, int64_t or bool");
  if constexpr (std::is_same_v<T, double>) return Dtype::Float64;
  if constexpr (std::is_same_v<T, int64_t>) return Dtype::Int64;
  if constexpr (std::is_same_v<T, bool>) return Dtype::Bool;
  return Dtype::Float32;
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
