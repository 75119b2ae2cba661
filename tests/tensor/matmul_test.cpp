// matmul and dot against PyTorch: the golden cases recorded by tests/golden/gen_matmul.py (see
// its docstring for the case names), plus shapes, layouts and error messages.
#include "minigrad/tensor/matmul.h"

#include <gtest/gtest.h>

#include "expect_error.h"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {
namespace {

using test::expect_error;

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

Tensor from_golden(const test::GoldenTensor& record) {
  return from_vector(record.values, record.shape, record.dtype);
}

// The views gen_matmul.py names, applied to a base tensor.
Tensor apply_view(const Tensor& x, const std::string& name) {
  if (name == "plain") return x;
  if (name == "T") return transpose(x, -2, -1);
  if (name == "sel1") return select(x, 1, 1);
  if (name == "sellast") return select(x, -1, 0);
  if (name == "even") {  // x[..., ::2]
    Shape shape = x.shape(), strides = x.strides();
    shape.back() = (shape.back() + 1) / 2;
    strides.back() *= 2;
    return as_strided(x, shape, strides, x.storage_offset());
  }
  throw Error("matmul_test: unknown view " + name);
}

// BLAS sums in another order than PyTorch: equal up to rounding, not bit for bit.
void expect_close(const Tensor& actual, const test::GoldenTensor& expected,
                  const std::string& key) {
  ASSERT_EQ(actual.shape(), expected.shape) << key;
  ASSERT_EQ(actual.dtype(), expected.dtype) << key;
  // Tensor::is_contiguous() does not yet treat every empty tensor as contiguous, as PyTorch does.
  EXPECT_TRUE(actual.numel() == 0 || actual.is_contiguous()) << key;
  const double absolute = actual.dtype() == kFloat32 ? 1e-6 : 1e-12;
  const double relative = actual.dtype() == kFloat32 ? 1e-5 : 1e-10;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_LE(std::abs(values[i] - expected.values[i]),
              absolute + relative * std::abs(expected.values[i]))
        << key << " element " << i << ": " << values[i] << " vs " << expected.values[i];
}

TEST(MatmulGolden, MatchesPyTorch) {
  const test::Golden golden("matmul.txt");
  const std::string suffix = ".expected";
  int cases = 0;
  for (const auto& [key, expected] : golden.tensors()) {
    if (!key.ends_with(suffix)) continue;
    const std::string prefix = key.substr(0, key.size() - suffix.size());
    // matmul.<label>.<a_view>.<b_view>.<dtype>
    const std::vector<std::string> parts = split(prefix, '.');
    ASSERT_EQ(parts.size(), 5u) << key;
    const Tensor a = apply_view(from_golden(golden.tensor(prefix + ".a")), parts[2]);
    const Tensor b = apply_view(from_golden(golden.tensor(prefix + ".b")), parts[3]);
    const bool is_dot = parts[1].starts_with("dot_");
    expect_close(is_dot ? dot(a, b) : matmul(a, b), expected, key);
    ++cases;
  }
  EXPECT_EQ(cases, 102);
}

TEST(Matmul, ResultShapesFollowTorchRules) {
  EXPECT_EQ(matmul(ones({3}), ones({3})).shape(), (Shape{}));
  EXPECT_EQ(matmul(ones({3}), ones({3, 4})).shape(), (Shape{4}));
  EXPECT_EQ(matmul(ones({2, 3}), ones({3})).shape(), (Shape{2}));
  EXPECT_EQ(matmul(ones({2, 3}), ones({3, 4})).shape(), (Shape{2, 4}));
  EXPECT_EQ(matmul(ones({2, 1, 3, 4}), ones({5, 4, 2})).shape(), (Shape{2, 5, 3, 2}));
  EXPECT_EQ(matmul(ones({3}), ones({6, 3, 4})).shape(), (Shape{6, 4}));
  EXPECT_EQ(matmul(ones({6, 2, 3}), ones({3})).shape(), (Shape{6, 2}));
  EXPECT_EQ(dot(ones({3}, kFloat64), ones({3}, kFloat64)).item(), 3.0);
}

TEST(Matmul, ZeroInnerDimGivesZeros) {
  const Tensor product = matmul(ones({3, 0}), ones({0, 2}));
  EXPECT_EQ(product.shape(), (Shape{3, 2}));
  EXPECT_EQ(product.to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(dot(ones({0}), ones({0})).item(), 0.0);
  EXPECT_EQ(matmul(ones({2, 0, 3}), ones({3, 4})).shape(), (Shape{2, 0, 4}));
}

// A transposed view and its contiguous copy give the same product, as do a row-major view with
// a wide row stride and a one-row matrix of strided elements; and none of it writes the inputs.
TEST(Matmul, StridedOperandsMatchTheirContiguousCopies) {
  const Tensor base =
      from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {3, 4});
  const Tensor transposed = transpose(base, 0, 1);  // [4, 3], column-major
  const Tensor expected = matmul(clone(transposed), base);
  EXPECT_EQ(matmul(transposed, base).to_vector<float>(), expected.to_vector<float>());
  EXPECT_EQ(matmul(transposed, base).to_vector<float>(),
            (std::vector<float>{107, 122, 137, 152, 122, 140, 158, 176, 137, 158, 179, 200, 152,
                                176, 200, 224}));
  const Tensor column = select(base, 1, 2);  // [3] with stride 4
  EXPECT_EQ(matmul(column, base).to_vector<float>(), (std::vector<float>{137, 158, 179, 200}));
  EXPECT_EQ(matmul(transposed, column).to_vector<float>(),
            (std::vector<float>{137, 158, 179, 200}));
  EXPECT_EQ(dot(column, column).item(), 9.0 + 49.0 + 121.0);
  EXPECT_EQ(base.to_vector<float>()[11], 12.0f);
}

TEST(Matmul, ErrorsNameTheShapesAndRule) {
  expect_error(
      [] {
        matmul(ones({6, 3}), ones({2, 3}));
      },
      "matmul: cannot multiply [6, 3] by [2, 3] (3 != 2)");
  expect_error([] { matmul(ones({3}), ones({4})); }, "matmul: cannot multiply [3] by [4] (3 != 4)");
  expect_error(
      [] {
        matmul(ones({3}), ones({4, 2}));
      },
      "matmul: cannot multiply [3] by [4, 2] (3 != 4)");
  expect_error(
      [] {
        matmul(ones({2, 5, 3}), ones({4}));
      },
      "matmul: cannot multiply [2, 5, 3] by [4] (3 != 4)");
  expect_error(
      [] {
        matmul(ones({2, 5, 3}), ones({2, 4, 6}));
      },
      "matmul: cannot multiply [2, 5, 3] by [2, 4, 6] (3 != 4)");
  expect_error(
      [] {
        matmul(ones({2, 5, 3}), ones({4, 3, 6}));
      },
      "matmul: batch dims [2] of [2, 5, 3] and [4] of [4, 3, 6] do not broadcast");
  expect_error([] { matmul(tensor(2.0), ones({3})); },
               "matmul: both operands need at least 1 dimension, got [] and [3]");
  expect_error(
      [] {
        matmul(ones({2, 3}), ones({3, 2}, kFloat64));
      },
      "matmul: both operands must have the same dtype (float32 vs float64)");
  expect_error([] { dot(ones({3}), ones({4})); },
               "dot: expected 1-D tensors of the same length, got [3] and [4]");
  expect_error(
      [] {
        dot(ones({3, 1}), ones({3}));
      },
      "dot: expected 1-D tensors of the same length, got [3, 1] and [3]");
  expect_error([] { dot(ones({3}, kFloat64), ones({3})); },
               "dot: both operands must have the same dtype (float64 vs float32)");
}

}  // namespace
}  // namespace mg::kernels
