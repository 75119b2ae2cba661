// sum and mean against PyTorch, bit for bit: the golden cases "reduce.<name>" recorded by
// tests/golden/gen_reduce.py (its docstring lists what each record holds). Then var ("var.<name>",
// to rounding) and max/min/argmax/argmin ("select.<name>", bit for bit).
#include "minigrad/tensor/reduce.h"

#include <gtest/gtest.h>

#include "expect_error.h"

#include <cmath>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {
namespace {

const test::Golden& golden() {
  static const test::Golden records("reduce.txt");
  return records;
}

Tensor to_tensor(const test::GoldenTensor& record) {
  return from_vector(record.values, record.shape, record.dtype);
}

std::vector<int64_t> to_ints(const test::GoldenTensor& record) {
  return std::vector<int64_t>(record.values.begin(), record.values.end());
}

// The case's input as the op saw it: the recorded tensor, transposed when the case says so.
Tensor case_input(const std::string& key) {
  const Tensor x = to_tensor(golden().tensor(key + ".input"));
  const std::vector<int64_t> transpose = to_ints(golden().tensor(key + ".transpose"));
  return transpose.empty() ? x : kernels::transpose(x, transpose[0], transpose[1]);
}

// Same shape, dtype and bits (every nan alike, and the sign of zero).
void expect_bits(const Tensor& actual, const test::GoldenTensor& expected,
                 const std::string& label) {
  ASSERT_EQ(actual.shape(), expected.shape) << label;
  ASSERT_EQ(actual.dtype(), expected.dtype) << label;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(expected.values[i])) {
      EXPECT_TRUE(std::isnan(values[i])) << label << " [" << i << "] = " << values[i];
      continue;
    }
    EXPECT_EQ(values[i], expected.values[i]) << label << " [" << i << "]";
    EXPECT_EQ(std::signbit(values[i]), std::signbit(expected.values[i]))
        << label << " [" << i << "]";
  }
}

// Checks sum and mean of every golden case whose name starts with `prefix`; returns the count.
int expect_cases(const std::string& prefix) {
  int count = 0;
  for (const auto& [key, record] : golden().tensors()) {
    const std::string start = "reduce." + prefix, end = ".input";
    if (!key.starts_with(start) || !key.ends_with(end)) continue;
    const std::string name = key.substr(0, key.size() - end.size());
    const Tensor x = case_input(name);
    const Dims dims = to_ints(golden().tensor(name + ".dims"));
    const bool keepdim = golden().tensor(name + ".keepdim").values.at(0) != 0;
    expect_bits(sum(x, dims, keepdim), golden().tensor(name + ".sum"), name + " sum");
    expect_bits(mean(x, dims, keepdim), golden().tensor(name + ".mean"), name + " mean");
    ++count;
  }
  return count;
}

using test::expect_error;

TEST(Reduce, AllElements) {
  EXPECT_EQ(expect_cases("all."), 3);
  EXPECT_EQ(expect_cases("all_keepdim."), 1);
  EXPECT_EQ(sum(ones({2, 3})).dim(), 0);
  EXPECT_EQ(sum(ones({2, 3}), {}, true).shape(), (Shape{1, 1}));
}

TEST(Reduce, OneDim) {
  EXPECT_EQ(expect_cases("dim0."), 3);
  EXPECT_EQ(expect_cases("dim1."), 3);
  EXPECT_EQ(expect_cases("size_one."), 1);
}

TEST(Reduce, SeveralDims) {
  EXPECT_EQ(expect_cases("dims"), 5);
}

TEST(Reduce, NegativeDims) {
  EXPECT_EQ(expect_cases("negative"), 2);
}

TEST(Reduce, Keepdim) {
  EXPECT_EQ(expect_cases("keepdim"), 2);
  EXPECT_EQ(expect_cases("size_one_keepdim."), 1);
}

TEST(Reduce, TransposedInputFollowsTheMemoryLayout) {
  EXPECT_EQ(expect_cases("transpose"), 6);
}

TEST(Reduce, EmptySumIsZeroAndEmptyMeanIsNan) {
  EXPECT_EQ(expect_cases("empty_"), 4);
  EXPECT_EQ(sum(empty({0})).item(), 0.0);
  EXPECT_TRUE(std::isnan(mean(empty({0}, kFloat64)).item()));
}

TEST(Reduce, ScalarInput) {
  const Tensor x = tensor(2.5);
  EXPECT_EQ(sum(x).item(), 2.5);
  EXPECT_EQ(sum(x, {0}).dim(), 0);
  EXPECT_EQ(mean(x, {-1}, true).item(), 2.5);
}

TEST(Reduce, Errors) {
  const Tensor x = ones({2, 3});
  expect_error([&] { sum(x, {2}); },
               "sum: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)");
  expect_error([&] { mean(x, {-3}); }, "mean: dim -3 is out of range");
  expect_error([&] { sum(x, {1, -1}); }, "sum: dim 1 appears multiple times in the list of dims");
}

// var: PyTorch also accumulates in double, but may add in another order (see reduce.h). Every
// case here matches bit for bit but float64 over two dims of a transposed input (2 ulp).
void expect_close(const Tensor& actual, const test::GoldenTensor& expected,
                  const std::string& label) {
  ASSERT_EQ(actual.shape(), expected.shape) << label;
  ASSERT_EQ(actual.dtype(), expected.dtype) << label;
  const double ulp = actual.dtype() == kFloat32 ? 0x1p-23 : 0x1p-52;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(expected.values[i])) {
      EXPECT_TRUE(std::isnan(values[i])) << label << " [" << i << "] = " << values[i];
      continue;
    }
    EXPECT_NEAR(values[i], expected.values[i], 4 * ulp * std::abs(expected.values[i]))
        << label << " [" << i << "]";
  }
}

// Checks var for every golden case "var.<prefix>..."; returns the count.
int expect_var_cases(const std::string& prefix) {
  int count = 0;
  for (const auto& [key, record] : golden().tensors()) {
    const std::string start = "var." + prefix, end = ".input";
    if (!key.starts_with(start) || !key.ends_with(end)) continue;
    const std::string name = key.substr(0, key.size() - end.size());
    const Dims dims = to_ints(golden().tensor(name + ".dims"));
    const bool unbiased = golden().tensor(name + ".unbiased").values.at(0) != 0;
    const bool keepdim = golden().tensor(name + ".keepdim").values.at(0) != 0;
    expect_close(var(case_input(name), dims, unbiased, keepdim), golden().tensor(name + ".var"),
                 name);
    ++count;
  }
  return count;
}

TEST(Var, AllElements) {
  EXPECT_EQ(expect_var_cases("all"), 4);
  EXPECT_EQ(expect_var_cases("offset1000_all."), 1);
}

TEST(Var, Dims) {
  EXPECT_EQ(expect_var_cases("dim"), 4);
  EXPECT_EQ(expect_var_cases("negative_keepdim."), 1);
  EXPECT_EQ(expect_var_cases("3d_dim1."), 1);
  EXPECT_EQ(expect_var_cases("one_output_dim1."), 1);
  EXPECT_EQ(expect_var_cases("offset1000_dim1."), 1);
  EXPECT_EQ(expect_var_cases("ties_dim0."), 1);
}

TEST(Var, TransposedInput) {
  EXPECT_EQ(expect_var_cases("transpose"), 2);
}

TEST(Var, OneElementUnbiasedIsNanAndEmptyIsNan) {
  EXPECT_EQ(expect_var_cases("single"), 4);
  EXPECT_EQ(expect_var_cases("empty_"), 2);
}

TEST(Var, Errors) {
  expect_error([] { var(arange(4)); }, "var: expected a floating-point tensor, got int64");
  expect_error([] { var(ones({2, 3}), {2}); }, "var: dim 2 is out of range");
}

// Checks max, min, argmax and argmin, values and indices bit for bit, for every golden case
// "select.<prefix>..."; returns the count.
int expect_select_cases(const std::string& prefix) {
  int count = 0;
  for (const auto& [key, record] : golden().tensors()) {
    const std::string start = "select." + prefix, end = ".input";
    if (!key.starts_with(start) || !key.ends_with(end)) continue;
    const std::string name = key.substr(0, key.size() - end.size());
    const Tensor x = case_input(name);
    const std::vector<int64_t> dim = to_ints(golden().tensor(name + ".dim"));
    const bool keepdim = golden().tensor(name + ".keepdim").values.at(0) != 0;
    const auto expect = [&](const Tensor& actual, const std::string& what) {
      expect_bits(actual, golden().tensor(name + "." + what), name + " " + what);
    };
    if (dim.empty()) {
      expect(max(x), "max_values");
      expect(min(x), "min_values");
      expect(argmax(x), "max_indices");
      expect(argmin(x), "min_indices");
      expect(argmax(x), "argmax");
      expect(argmin(x), "argmin");
    } else {
      const auto [max_values, max_indices] = max(x, dim[0], keepdim);
      const auto [min_values, min_indices] = min(x, dim[0], keepdim);
      expect(max_values, "max_values");
      expect(max_indices, "max_indices");
      expect(min_values, "min_values");
      expect(min_indices, "min_indices");
      expect(argmax(x, dim[0], keepdim), "argmax");
      expect(argmin(x, dim[0], keepdim), "argmin");
    }
    ++count;
  }
  return count;
}

TEST(MaxMin, AllElements) {
  EXPECT_EQ(expect_select_cases("all"), 6);
}

TEST(MaxMin, AlongADim) {
  EXPECT_EQ(expect_select_cases("dim"), 5);
  EXPECT_EQ(expect_select_cases("negative_ties_keepdim."), 1);
  EXPECT_EQ(expect_select_cases("3d_"), 5);
  EXPECT_EQ(expect_select_cases("size_one_dim1."), 1);
  EXPECT_EQ(expect_select_cases("scalar_dim0."), 1);
  EXPECT_EQ(expect_select_cases("empty_kept_dim0."), 1);
}

TEST(MaxMin, TransposedInput) {
  EXPECT_EQ(expect_select_cases("transpose"), 2);
}

TEST(MaxMin, FirstNanWins) {
  EXPECT_EQ(expect_select_cases("nan_rows"), 2);
}

TEST(MaxMin, Errors) {
  expect_error(
      [] {
        max(empty({0, 3}));
      },
      "max: a tensor of shape [0, 3] has no elements to reduce over; name a dim");
  expect_error([] { argmin(empty({0})); }, "argmin: a tensor of shape [0] has no elements");
  expect_error(
      [] {
        max(empty({0, 3}), 0);
      },
      "max: cannot reduce dim 0 of a tensor of shape [0, 3], which has size 0");
  expect_error([] { min(ones({2, 3}), 2); }, "min: dim 2 is out of range");
  expect_error([] { argmax(ones({2, 3}), -3); }, "argmax: dim -3 is out of range");
}

}  // namespace
}  // namespace mg::kernels
