#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "vector_width.h"

// Reductions along a row the way PyTorch's vector loops do them, written as plain loops over
// lanes that the compiler vectorises (softmax.cpp, attention.cpp). For the selects to vectorise,
// a file that uses them compiles with -fno-trapping-math (tensor/CMakeLists.txt).
namespace mg::kernels {

// vec::maximum: nan if either is nan. Branch-free, so that the vectoriser makes it a select.
template <typename T>
T maximum(T a, T b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<T>::quiet_NaN() : a < b ? b : a;
}

// vec::reduce_all (and map2_reduce_all) over value(0), ..., value(size - 1), size >= 1: lane k
// of a vector accumulator combines elements k, k + lanes, ...; the lanes then combine as a tree
// for float (functional_base.h's AVX2 and AVX-512 shuffles) and in order for double. Fewer
// elements than a vector combine in order.
// `accumulate(acc, i)` folds element i >= lanes into a lane, combine(acc, value(i)) by default.
template <typename T, typename Value, typename Combine, typename Accumulate>
T reduce_all(int64_t size, Value value, Combine combine, Accumulate accumulate) {
  constexpr int64_t lanes = kLanes<T>;
  if (size < lanes) {
    T acc = value(0);
    for (int64_t i = 1; i < size; ++i) acc = combine(acc, value(i));
    return acc;
  }
  T acc[lanes];
  for (int64_t k = 0; k < lanes; ++k) acc[k] = value(k);
  int64_t d = lanes;
  for (; d < size - size % lanes; d += lanes)
    for (int64_t k = 0; k < lanes; ++k) acc[k] = accumulate(acc[k], d + k);
  for (int64_t k = 0; d + k < size; ++k) acc[k] = accumulate(acc[k], d + k);
  if constexpr (std::is_same_v<T, float>) {  // halves, then quarters, ..., then neighbours
    for (int64_t half = lanes / 2; half >= 1; half /= 2)
      for (int64_t k = 0; k < half; ++k) acc[k] = combine(acc[k], acc[k + half]);
    return acc[0];
  } else {
    T total = acc[0];
    for (int64_t k = 1; k < lanes; ++k) total = combine(total, acc[k]);
    return total;
  }
}

template <typename T, typename Value, typename Combine>
T reduce_all(int64_t size, Value value, Combine combine) {
  return reduce_all<T>(size, value, combine,
                       [&](T acc, int64_t i) { return combine(acc, value(i)); });
}

}  // namespace mg::kernels
