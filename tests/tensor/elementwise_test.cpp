// The elementwise kernels against PyTorch: the golden cases recorded by
// tests/golden/gen_elementwise.py (see its docstring), bit for bit for + - * /, then errors,
// versions, views and the in-place forms.
#include "minigrad/tensor/elementwise.h"

#include <gtest/gtest.h>

#include "expect_error.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "golden_reader.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {
namespace {

using test::expect_error;

const test::Golden& golden() {
  static const test::Golden records("elementwise.txt");
  return records;
}

Tensor golden_tensor(const std::string& key) {
  const test::GoldenTensor& record = golden().tensor(key);
  return from_vector(record.values, record.shape, record.dtype);
}

// Same shape, dtype and bits as PyTorch's result (every float32 and float64 is exact as double).
void expect_bitwise(const Tensor& actual, const std::string& key) {
  SCOPED_TRACE(key);
  const test::GoldenTensor& expected = golden().tensor(key);
  ASSERT_EQ(actual.shape(), expected.shape);
  ASSERT_EQ(actual.dtype(), expected.dtype);
  const std::vector<double> values = actual.to_vector<double>();
  ASSERT_EQ(values.size(), expected.values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(std::bit_cast<uint64_t>(values[i]), std::bit_cast<uint64_t>(expected.values[i]))
        << "element " << i << ": " << values[i] << " != " << expected.values[i];
}

// Same shape and dtype, values within `relative` of PyTorch's.
void expect_close(const Tensor& actual, const std::string& key, double relative) {
  SCOPED_TRACE(key);
  const test::GoldenTensor& expected = golden().tensor(key);
  ASSERT_EQ(actual.shape(), expected.shape);
  ASSERT_EQ(actual.dtype(), expected.dtype);
  const std::vector<double> values = actual.to_vector<double>();
  ASSERT_EQ(values.size(), expected.values.size());
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(values[i], expected.values[i], relative * std::abs(expected.values[i]))
        << "element " << i;
}

constexpr BinaryOp kBinaryOps[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div};
const std::vector<std::string> kBinaryCases = {
    "same_shape", "float64",      "bcast_row", "bcast_col", "scalar_b",     "scalar_a",
    "bcast_3d",   "a_transposed", "long",      "mixed",     "mixed_scalar", "empty"};

// --- Golden cases -------------------------------------------------------------------------------

TEST(ElementwiseGolden, BinaryMatchesPyTorchBitwise) {
  for (BinaryOp op : kBinaryOps) {
    for (const std::string& name : kBinaryCases) {
      const std::string key = str("elementwise/", binary_op_name(op), "/", name, "/");
      Tensor a = golden_tensor(key + "a");
      if (name == "a_transposed") a = transpose(a, 0, 1);
      const Tensor b = golden_tensor(key + "b");
      expect_bitwise(binary(op, a, b), key + "out");
    }
  }
}

TEST(ElementwiseGolden, InPlaceMatchesPyTorchBitwiseAndBumpsTheVersion) {
  for (BinaryOp op : kBinaryOps) {
    for (const std::string name : {"bcast_row", "mixed", "mixed_scalar"}) {
      const std::string key = str("elementwise/", binary_op_name(op), "_/", name, "/");
      const Tensor self = golden_tensor(key + "self");
      const uint64_t version = self.storage()->version();
      binary_(op, self, golden_tensor(key + "other"));
      EXPECT_EQ(self.storage()->version(), version + 1);
      expect_bitwise(self, key + "out");
    }
  }
}

TEST(ElementwiseGolden, Unary) {
  for (const std::string name : {"float32", "float64"}) {
    const Tensor input = golden_tensor(str("elementwise/neg/", name, "/input"));
    expect_bitwise(unary(UnaryOp::Neg, input), str("elementwise/neg/", name, "/out"));
    // exp is SLEEF's, as in PyTorch's vector loop; its tail of std::exp agrees on these inputs.
    const Tensor exp_input = golden_tensor(str("elementwise/exp/", name, "/input"));
    expect_bitwise(unary(UnaryOp::Exp, exp_input), str("elementwise/exp/", name, "/out"));
  }
}

TEST(ElementwiseGolden, SumToSumsBroadcastDimsBack) {
  for (const std::string name : {"leading", "ones", "both", "to_scalar"}) {
    const std::string key = str("elementwise/sum_to/", name, "/");
    const Shape shape = golden().tensor(key + "out").shape;
    expect_close(sum_to(golden_tensor(key + "grad"), shape), key + "out", 1e-6);
  }
}

TEST(ElementwiseGolden, FileHasEveryCase) {
  // 4 ops x 12 cases x 3 records, 4 in-place ops x 3 cases x 3, 2 unary x 2 x 2, sum_to 4 x 2.
  EXPECT_EQ(golden().tensors().size(), 4u * 12 * 3 + 4 * 3 * 3 + 2 * 2 * 2 + 4 * 2);
}

// --- Shapes, dtypes and errors ------------------------------------------------------------------

TEST(Elementwise, BroadcastShapesFollowsNumPy) {
  EXPECT_EQ(broadcast_shapes({2, 1, 4}, {3, 1}, "add"), (Shape{2, 3, 4}));
  EXPECT_EQ(broadcast_shapes({}, {3}, "add"), (Shape{3}));
  EXPECT_EQ(broadcast_shapes({0, 3}, {1, 3}, "add"), (Shape{0, 3}));
  expect_error(
      [] {
        broadcast_shapes({2, 3}, {4}, "add");
      },
      "add: shapes [2, 3] and [4] cannot be broadcast (3 != 4 at dim 1)");
  expect_error(
      [] {
        binary(BinaryOp::Mul, zeros({0, 3}), zeros({2, 3}));
      },
      "mul: shapes [0, 3] and [2, 3] cannot be broadcast (0 != 2 at dim 0)");
}

TEST(Elementwise, DtypePromotionLetsA0DimOperandFollowTheOther) {
  const Tensor x32 = ones({2}), x64 = ones({2}, kFloat64);
  EXPECT_EQ(binary(BinaryOp::Add, x32, x64).dtype(), kFloat64);
  EXPECT_EQ(binary(BinaryOp::Add, x32, scalar_tensor(2.5, kFloat64)).dtype(), kFloat32);
  EXPECT_EQ(binary(BinaryOp::Add, scalar_tensor(2.5, kFloat64), x32).dtype(), kFloat32);
  EXPECT_EQ(binary(BinaryOp::Add, scalar_tensor(1, kFloat32), scalar_tensor(2, kFloat64)).dtype(),
            kFloat64);
}

TEST(Elementwise, ScalarTensorIs0Dim) {
  const Tensor scalar = scalar_tensor(0.1, kFloat64);
  EXPECT_EQ(scalar.dim(), 0);
  EXPECT_EQ(scalar.dtype(), kFloat64);
  EXPECT_EQ(scalar.item(), 0.1);
  EXPECT_EQ(scalar_tensor(0.1, kFloat32).item(), static_cast<double>(0.1f));
}

TEST(Elementwise, InPlaceErrorsWhenOtherDoesNotBroadcastToSelf) {
  expect_error(
      [] {
        binary_(BinaryOp::Add, ones({3}), ones({2, 3}));
      },
      "add_: output with shape [3] doesn't match the broadcast shape [2, 3]");
  expect_error(
      [] {
        binary_(BinaryOp::Div, ones({2, 3}), ones({4}));
      },
      "div_: shapes [2, 3] and [4] cannot be broadcast (3 != 4 at dim 1)");
  expect_error(
      [] {
        copy_(ones({3}), ones({2, 3}));
      },
      "copy_: output with shape [3] doesn't match the broadcast shape [2, 3]");
  expect_error(
      [] {
        sum_to(ones({2, 3}), {4});
      },
      "sum_to: shapes [4] and [2, 3] cannot be broadcast (4 != 3 at dim 1)");
  expect_error(
      [] {
        sum_to(ones({3}), {2, 3});
      },
      "sum_to: shape [2, 3] does not broadcast to the gradient's shape [3]");
}

TEST(Elementwise, InPlaceIntoATransposedViewWritesThroughIt) {
  const Tensor base = zeros({3, 2});
  const Tensor view = transpose(base, 0, 1);  // [2, 3], strides [1, 2]
  binary_(BinaryOp::Add, view, tensor({10, 20, 30}));
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{10, 10, 20, 20, 30, 30}));
}

TEST(Elementwise, InPlaceWithAnOverlappingOperandReadsTheOldValues) {
  const Tensor x = tensor({{1, 2}, {3, 4}});
  const Tensor expected = binary(BinaryOp::Add, x, transpose(x, 0, 1));
  binary_(BinaryOp::Add, x, transpose(x, 0, 1));
  EXPECT_EQ(x.to_vector<float>(), expected.to_vector<float>());
  const Tensor y = tensor({{1, 2}, {3, 4}});
  binary_(BinaryOp::Mul, y, select(y, 0, 1));  // every row times the old row 1
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{3, 8, 9, 16}));
}

TEST(Elementwise, CopyIntoATransposedViewBroadcastsConvertsAndBumps) {
  const Tensor base = zeros({3, 2});
  const Tensor view = transpose(base, 0, 1);
  const uint64_t version = base.storage()->version();
  copy_(view, tensor({{1, 2, 3}, {4, 5, 6}}, kFloat64));
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(base.storage()->version(), version + 1);
  copy_(view, tensor({0.1, 0.2, 0.3}, kFloat64));  // a row broadcast down the view
  EXPECT_EQ(base.to_vector<float>(), (std::vector<float>{0.1f, 0.1f, 0.2f, 0.2f, 0.3f, 0.3f}));
  copy_(view, scalar_tensor(7, kFloat32));
  EXPECT_EQ(base.to_vector<float>(), std::vector<float>(6, 7.0f));
  EXPECT_EQ(base.storage()->version(), version + 3);
}

TEST(Elementwise, FillWritesOnlyTheViewAndBumps) {
  const Tensor base = zeros({3, 4}, kFloat64);
  const uint64_t version = base.storage()->version();
  fill_(select(base, 1, 2), 0.1);  // column 2: stride 4
  EXPECT_EQ(base.storage()->version(), version + 1);
  const std::vector<double> values = base.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(values[i], i % 4 == 2 ? 0.1 : 0.0) << i;
  const Tensor x = ones({5});
  fill_(x, 0.1);
  EXPECT_EQ(x.to_vector<float>(), std::vector<float>(5, 0.1f));
  fill_(empty({0, 2}), 1.0);  // nothing to write
}

TEST(Elementwise, ToConvertsOrReturnsTheSameTensor) {
  const Tensor x = tensor({0.1, 0.2});
  EXPECT_EQ(to(x, kFloat32).impl_ptr(), x.impl_ptr());
  const Tensor wide = to(transpose(tensor({{0.1, 0.2}, {0.3, 0.4}}), 0, 1), kFloat64);
  EXPECT_EQ(wide.dtype(), kFloat64);
  EXPECT_TRUE(wide.is_contiguous());
  EXPECT_EQ(wide.to_vector<double>(), (std::vector<double>{0.1f, 0.3f, 0.2f, 0.4f}));
}

TEST(Elementwise, UnaryKeepsShapeAndDtypeOfAView) {
  const Tensor x = transpose(tensor({{1, 2, 3}, {4, 5, 6}}, kFloat64), 0, 1);
  const Tensor negated = unary(UnaryOp::Neg, x);
  EXPECT_EQ(negated.shape(), (Shape{3, 2}));
  EXPECT_EQ(negated.to_vector<double>(), (std::vector<double>{-1, -4, -2, -5, -3, -6}));
  EXPECT_EQ(unary(UnaryOp::Exp, scalar_tensor(0, kFloat32)).item(), 1.0);
  EXPECT_EQ(unary(UnaryOp::Exp, empty({2, 0})).shape(), (Shape{2, 0}));
  EXPECT_EQ(unary_op_name(UnaryOp::Exp), "exp");
}

TEST(Elementwise, SumToOfTheSameShapeIsTheGradientItself) {
  const Tensor grad = ones({2, 3});
  EXPECT_EQ(sum_to(grad, {2, 3}).impl_ptr(), grad.impl_ptr());
  EXPECT_EQ(sum_to(transpose(ones({3, 2}), 0, 1), {1, 3}).to_vector<float>(),
            (std::vector<float>{2, 2, 2}));
  EXPECT_EQ(sum_to(empty({0, 3}), {3}).to_vector<float>(), (std::vector<float>{0, 0, 0}));
}

}  // namespace
}  // namespace mg::kernels
