// softmax and softmax_backward against PyTorch: the golden cases "softmax.<name>" and
// "softmax_backward.<name>" recorded by tests/golden/gen_reduce.py, compared bit for bit.
#include "minigrad/tensor/softmax.h"

#include <gtest/gtest.h>

#include "expect_error.h"

#include <cmath>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/reduce.h"
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

int64_t case_dim(const std::string& key) {
  return static_cast<int64_t>(golden().tensor(key + ".dims").values.at(0));
}

// PyTorch's bits, nan where it has nan.
void expect_bits(const Tensor& actual, const test::GoldenTensor& expected,
                 const std::string& label) {
  ASSERT_EQ(actual.shape(), expected.shape) << label;
  ASSERT_EQ(actual.dtype(), expected.dtype) << label;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    const double want = expected.values[i];
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(values[i])) << label << " [" << i << "] = " << values[i];
      continue;
    }
    EXPECT_EQ(values[i], want) << label << " [" << i << "]";
  }
}

// Checks softmax of every golden case whose name starts with `prefix`; returns the count.
int expect_softmax_cases(const std::string& prefix) {
  int count = 0;
  for (const auto& [key, record] : golden().tensors()) {
    const std::string start = "softmax." + prefix, end = ".input";
    if (!key.starts_with(start) || !key.ends_with(end)) continue;
    const std::string name = key.substr(0, key.size() - end.size());
    Tensor x = to_tensor(record);
    const auto& transpose = golden().tensor(name + ".transpose").values;
    if (!transpose.empty())
      x = kernels::transpose(x, static_cast<int64_t>(transpose[0]),
                             static_cast<int64_t>(transpose[1]));
    expect_bits(softmax(x, case_dim(name)), golden().tensor(name + ".expected"), name);
    ++count;
  }
  return count;
}

TEST(Softmax, TwoAndThreeDims) {
  EXPECT_EQ(expect_softmax_cases("2d_"), 6);
  EXPECT_EQ(expect_softmax_cases("3d_"), 8);
}

TEST(Softmax, LargeInputsAreStable) {
  EXPECT_EQ(expect_softmax_cases("large"), 3);
}

TEST(Softmax, CausalMask) {
  EXPECT_EQ(expect_softmax_cases("causal"), 4);
}

TEST(Softmax, RowOfMinusInfinityGivesNan) {
  EXPECT_EQ(expect_softmax_cases("all_inf_"), 4);
}

TEST(Softmax, TransposedInput) {
  EXPECT_EQ(expect_softmax_cases("transpose"), 2);
}

TEST(Softmax, NotebookAttentionWeightsSumToExactlyOne) {
  EXPECT_EQ(expect_softmax_cases("notebook."), 1);
  const Tensor inputs = to_tensor(golden().tensor("notebook.inputs"));
  const Tensor attn_scores_2 = to_tensor(golden().tensor("notebook.attn_scores_2"));
  EXPECT_EQ(attn_scores_2.shape(), (Shape{inputs.size(0)}));
  const Tensor attn_weights_2 = softmax(attn_scores_2, 0);
  EXPECT_EQ(sum(attn_weights_2).item<float>(), 1.0f);  // torch prints tensor(1.)
  EXPECT_EQ(attn_weights_2.to_vector<double>(), golden().tensor("notebook.attn_weights_2").values);
}

TEST(Softmax, EmptyAndScalar) {
  EXPECT_EQ(softmax(empty({0, 3}), 1).shape(), (Shape{0, 3}));
  EXPECT_EQ(softmax(tensor(-7.0), 0).item(), 1.0);
}

TEST(SoftmaxBackward, MatchesAutogradBitForBit) {
  int count = 0;
  for (const auto& [key, record] : golden().tensors()) {
    const std::string start = "softmax_backward.", end = ".grad_out";
    if (!key.starts_with(start) || !key.ends_with(end)) continue;
    const std::string name = key.substr(0, key.size() - end.size());
    const Tensor grad_out = to_tensor(record);
    const Tensor output = to_tensor(golden().tensor(name + ".output"));
    const Tensor grad_in = softmax_backward(grad_out, output, case_dim(name));
    expect_bits(grad_in, golden().tensor(name + ".expected"), name);
    ++count;
  }
  EXPECT_EQ(count, 24);
}

TEST(SoftmaxBackward, TransposedArguments) {
  const Tensor output = softmax(randn({4, 6}), 0);
  const Tensor grad_out = randn({4, 6});
  const Tensor expected = softmax_backward(grad_out, output, 0);
  const Tensor actual = softmax_backward(transpose(clone(transpose(grad_out, 0, 1)), 0, 1),
                                         transpose(clone(transpose(output, 0, 1)), 0, 1), 0);
  EXPECT_EQ(actual.to_vector<float>(), expected.to_vector<float>());
}

using test::expect_error;

TEST(Softmax, Errors) {
  expect_error(
      [] {
        softmax(ones({2, 3}), 2);
      },
      "softmax: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)");
  expect_error(
      [] {
        softmax_backward(ones({2, 3}), ones({3, 2}), 0);
      },
      "softmax_backward: grad_out has shape [2, 3] but the output has shape [3, 2]");
  expect_error([] { softmax_backward(ones({2}), ones({2}, kFloat64), 0); },
               "softmax_backward: grad_out is float32 but the output is float64");
  expect_error([] { softmax_backward(ones({2}), ones({2}), -2); },
               "softmax_backward: dim -2 is out of range for a tensor with 1 dim");
}

}  // namespace
}  // namespace mg::kernels
