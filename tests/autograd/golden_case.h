#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "minigrad/autograd/node.h"
#include "minigrad/tensor/tensor.h"

namespace mg::test {

// Within float32 rounding, sums being ordered otherwise than PyTorch's: |diff| <= 1e-6 +
// 1e-5 |ref|, and NaN where PyTorch has NaN.
inline void expect_close(const Tensor& actual, const GoldenTensor& expected,
                         const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape) << what;
  ASSERT_EQ(actual.dtype(), expected.dtype) << what;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(expected.values[i])) {
      EXPECT_TRUE(std::isnan(values[i])) << what << " element " << i;
      continue;
    }
    EXPECT_NEAR(values[i], expected.values[i], 1e-6 + 1e-5 * std::abs(expected.values[i]))
        << what << " element " << i;
  }
}

// Checks the golden op case "<prefix>/...": out against "out" and its grad_fn against "grad_fn";
// then, after out.backward("grad_out"), the gradient of each leaf i that requires grad against
// "grad<i>".
inline void expect_golden_case(const Golden& golden, const std::string& prefix, const Tensor& out,
                               const std::vector<Tensor>& leaves) {
  expect_close(out, golden.tensor(prefix + "/out"), "output");
  EXPECT_EQ(autograd::meta_of(out)->grad_fn_name(), golden.string(prefix + "/grad_fn"));
  out.backward(golden.load(prefix + "/grad_out"));
  for (size_t i = 0; i < leaves.size(); ++i) {
    if (!leaves[i].defined() || !leaves[i].requires_grad()) continue;
    expect_close(leaves[i].grad(), golden.tensor(prefix + "/grad" + std::to_string(i)),
                 "gradient of input " + std::to_string(i));
  }
}

}  // namespace mg::test
