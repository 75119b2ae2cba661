#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "minigrad/tensor/tensor.h"

namespace mg::test {

// How many representable T lie between a and b (0 when equal, or both nan; the maximum when only
// one is nan).
template <typename T>
uint64_t ulps_between(T a, T b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b) ? 0 : std::numeric_limits<uint64_t>::max();
  using Bits = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  // Map the bits onto a line where consecutive floats are consecutive integers (-0 and +0 at 0).
  auto ordered = [](T x) -> int64_t {
    const auto bits = std::bit_cast<Bits>(x);
    return bits < 0 ? std::numeric_limits<Bits>::min() - bits : bits;
  };
  const int64_t from = std::min(ordered(a), ordered(b)), to = std::max(ordered(a), ordered(b));
  return static_cast<uint64_t>(to) - static_cast<uint64_t>(from);  // modulo 2^64: no overflow
}

// actual has expected's shape and dtype and every element within max_ulps of it (0: PyTorch's
// bits, nan where it has nan).
inline void expect_ulps(const Tensor& actual, const GoldenTensor& expected, uint64_t max_ulps,
                        const std::string& label) {
  SCOPED_TRACE(label);
  ASSERT_EQ(actual.shape(), expected.shape);
  ASSERT_EQ(actual.dtype(), expected.dtype);
  const std::vector<double> values = actual.to_vector<double>();
  ASSERT_EQ(values.size(), expected.values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const uint64_t ulps =
        expected.dtype == kFloat32
            ? ulps_between(static_cast<float>(values[i]), static_cast<float>(expected.values[i]))
            : ulps_between(values[i], expected.values[i]);
    EXPECT_LE(ulps, max_ulps) << "element " << i << ": " << values[i]
                              << " != " << expected.values[i];
  }
}

// Expects `actual` within float32 rounding, summed in another order, of the golden tensor `key`:
// |diff| <= 1e-5 + 1e-4 |ref| for every element.
inline void expect_float32_close(const Tensor& actual, const Golden& golden,
                                 const std::string& key) {
  const GoldenTensor& expected = golden.tensor(key);
  ASSERT_EQ(actual.shape(), expected.shape) << key;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(values[i], expected.values[i], 1e-5 + 1e-4 * std::abs(expected.values[i]))
        << key << " element " << i;
}

}  // namespace mg::test
