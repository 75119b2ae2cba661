#include "minigrad/tensor/tensor.h"

#include <gtest/gtest.h>

#include "expect_error.h"

#include <sstream>
#include <string>

#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/random.h"
#include "minigrad/tensor/views.h"

namespace mg {
namespace {

std::string printed(const Tensor& tensor) {
  std::ostringstream out;
  out << tensor;
  return out.str();
}

using test::expect_error;

const Tensor kInputs = tensor({{0.43, 0.15, 0.89},
                               {0.55, 0.87, 0.66},
                               {0.57, 0.85, 0.64},
                               {0.22, 0.58, 0.33},
                               {0.77, 0.25, 0.10},
                               {0.05, 0.80, 0.55}});

TEST(Factory, LiteralsKeepShapeDtypeAndFloat32Rounding) {
  EXPECT_EQ(kInputs.shape(), (Shape{6, 3}));
  EXPECT_EQ(kInputs.dtype(), kFloat32);
  EXPECT_EQ(kInputs.to_vector<double>()[0], static_cast<double>(0.43f));
  EXPECT_EQ(tensor(1.5).dim(), 0);
  EXPECT_EQ(tensor({{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}).shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(tensor({0.1}, kFloat64).to_vector<double>()[0], 0.1);
  expect_error([] { tensor({{1, 2}, {3}}); }, "expected a sequence of length 2 at dim 1 (got 1)");
}

TEST(Factory, FillsAndLikes) {
  EXPECT_EQ(zeros({2, 2}).to_vector<float>(), std::vector<float>(4, 0.0f));
  EXPECT_EQ(ones({3}, kFloat64).to_vector<double>(), std::vector<double>(3, 1.0));
  EXPECT_EQ(full({2}, 2.5).to_vector<float>(), (std::vector<float>{2.5f, 2.5f}));
  const Tensor like = zeros_like(ones({4, 1}, kFloat64));
  EXPECT_EQ(like.shape(), (Shape{4, 1}));
  EXPECT_EQ(like.dtype(), kFloat64);
  EXPECT_EQ(empty({0, 3}).numel(), 0);
  expect_error([] { empty({2, -1}); }, "empty: sizes must be non-negative");
  expect_error(
      [] {
        from_vector(std::vector<float>{1, 2, 3}, {2, 2});
      },
      "from_vector: 3 values cannot fill shape [2, 2] (4 elements)");
}

TEST(Factory, RandPrintsWhatPyTorchPrints) {
  manual_seed(314159);
  EXPECT_EQ(printed(rand({3, 2})),
            "tensor([[0.3884, 0.8840],\n        [0.0679, 0.4014],\n        [0.4625, 0.7748]])");
  manual_seed(123);
  EXPECT_EQ(printed(rand({3, 2})),
            "tensor([[0.2961, 0.5166],\n        [0.2517, 0.6886],\n        [0.0740, 0.8665]])");
}

TEST(Factory, RandnDrawsThroughTheGenerator) {
  manual_seed(7);
  const std::vector<float> values = randn({5}).to_vector<float>();
  const std::vector<float> expected{-0.1467951f, 0.7861413f, 0.9468216f, -1.1143440f, 1.6907902f};
  for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(values[i], expected[i], 1e-7);
}

TEST(Storage, ReusesAFreedBigBlockForTheNextOfItsSize) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer builds free every block, to catch uses after free";
#else
  const void* first = empty({512, 1024}).storage()->data();  // 2 MiB, freed at once
  const Tensor second = empty({1024, 512});
  EXPECT_EQ(second.storage()->data(), first);
  EXPECT_NE(empty({1024, 512}).storage()->data(), first);  // in use: a new block
#endif
}

TEST(Tensor, ItemAndAccessErrors) {
  EXPECT_FLOAT_EQ(tensor(1.5).item<float>(), 1.5f);
  EXPECT_EQ(kInputs.size(-1), 3);
  expect_error([] { (void)kInputs.item(); },
               "item: a tensor with 18 elements (shape [6, 3]) cannot be converted to a number");
  expect_error([] { (void)kInputs.size(2); },
               "size: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)");
  expect_error([] { (void)kInputs.data_ptr<double>(); }, "the tensor holds float32, not float64");
  expect_error([] { (void)Tensor().shape(); }, "this Tensor is undefined");
}

// std::cout << x.shape() prints as error messages print shapes.
TEST(Tensor, ShapeStreamsAsErrorMessagesPrintIt) {
  std::ostringstream out;
  out << zeros({2, 3}).shape() << ' ' << tensor(1.5).shape() << ' ' << empty({0, 3}).shape() << ' '
      << Shape(7, 1);
  EXPECT_EQ(out.str(), "[2, 3] [] [0, 3] [1, 1, 1, 1, 1, 1, 1]");
  EXPECT_EQ(str(kInputs.shape()), "[6, 3]");
}

TEST(Views, ShareStorageAndWalkTheRightElements) {
  const Tensor row = kernels::select(kInputs, 0, 1);
  EXPECT_EQ(row.storage(), kInputs.storage());
  EXPECT_EQ(row.to_vector<float>(), (std::vector<float>{0.55f, 0.87f, 0.66f}));
  const Tensor column = kernels::select(kInputs, -1, 0);
  EXPECT_EQ(column.strides(), (Shape{3}));
  EXPECT_EQ(column.to_vector<float>()[4], 0.77f);

  const Tensor transposed = kernels::transpose(kInputs, 0, 1);
  EXPECT_EQ(transposed.shape(), (Shape{3, 6}));
  EXPECT_FALSE(transposed.is_contiguous());
  EXPECT_EQ(transposed.to_vector<float>()[1], 0.55f);
  const Tensor copied = kernels::contiguous(transposed);
  EXPECT_TRUE(copied.is_contiguous());
  EXPECT_NE(copied.storage(), kInputs.storage());
  EXPECT_EQ(copied.to_vector<float>(), transposed.to_vector<float>());
  EXPECT_EQ(kernels::contiguous(kInputs).storage(), kInputs.storage());

  EXPECT_EQ(kernels::unsqueeze(kInputs, 1).shape(), (Shape{6, 1, 3}));
  EXPECT_EQ(kernels::unsqueeze(kInputs, -1).shape(), (Shape{6, 3, 1}));
}

TEST(Views, ViewSplitsAndMergesOnlyWhereMemoryAllows) {
  EXPECT_EQ(kernels::view(kInputs, {2, -1, 3}).shape(), (Shape{2, 3, 3}));
  EXPECT_EQ(kernels::view(kInputs, {18}).to_vector<float>(), kInputs.to_vector<float>());
  EXPECT_EQ(kernels::view(tensor(2.0), {1, 1}).shape(), (Shape{1, 1}));
  const Tensor transposed = kernels::transpose(kInputs, 0, 1);
  EXPECT_EQ(kernels::view(transposed, {3, 2, 3}).strides(), (Shape{1, 9, 3}));
  expect_error([&] { kernels::view(transposed, {18}); },
               "view: cannot view shape [3, 6] with strides [1, 3] as [18] without copying");
  expect_error(
      [] {
        kernels::view(kInputs, {4, -1});
      },
      "view: shape [4, -1] is invalid for input of shape [6, 3] (18 elements)");
  expect_error([] { kernels::view(kInputs, {-1, -1}); }, "only one dimension can be inferred");
}

TEST(Views, IsViewableSaysWhetherReshapeMustCopy) {
  EXPECT_TRUE(kernels::is_viewable(kInputs, {18}));
  EXPECT_FALSE(kernels::is_viewable(kernels::transpose(kInputs, 0, 1), {18}));
  EXPECT_TRUE(kernels::is_viewable(kernels::transpose(kInputs, 0, 1), {3, 2, 3}));
  expect_error(
      [] {
        kernels::is_viewable(kInputs, {4, -1});
      },
      "reshape: shape [4, -1] is invalid for input of shape [6, 3] (18 elements)");
}

TEST(Views, RefuseToReachOutsideTheStorage) {
  expect_error([] { kernels::select(kInputs, 0, 6); },
               "select: index 6 is out of range for dim 0 of size 6");
  expect_error(
      [] {
        kernels::as_strided(kInputs, {4, 5}, {5, 1}, 0);
      },
      "reaches past the storage of 18 elements");
  expect_error([] { kernels::transpose(kInputs, 0, 2); }, "transpose: dim 2 is out of range");
}

}  // namespace
}  // namespace mg
