// sum and mean against PyTorch, bit for bit: the golden cases "reduce.<name>" recorded by
// tests/golden/gen_reduce.py (its docstring lists what each record holds).
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

}  // namespace
}  // namespace mg::kernels
