// int64 and bool tensors at the kernel level: factories, arange, conversions, comparisons, type
// promotion, where and masked_fill_ against PyTorch (tests/golden/gen_dtypes.py), then printing
// and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "expect_error.h"
#include "golden_reader.h"
#include "minigrad/tensor/compare.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/matmul.h"
#include "minigrad/tensor/views.h"

namespace mg {
namespace {

using kernels::BinaryOp;
using test::expect_error;
using test::GoldenTensor;

const test::Golden& golden() {
  static const test::Golden file("dtypes.txt");
  return file;
}

Tensor load(const std::string& key) {
  const GoldenTensor& g = golden().tensor(key);
  return from_vector(g.values, g.shape, g.dtype);
}

// Same dtype, shape and values, bit for bit (NaN equal to NaN).
void expect_equal(const Tensor& actual, const std::string& key) {
  const GoldenTensor& expected = golden().tensor(key);
  ASSERT_EQ(actual.dtype(), expected.dtype) << key;
  ASSERT_EQ(actual.shape(), expected.shape) << key;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(expected.values[i]))
      EXPECT_TRUE(std::isnan(values[i])) << key << " element " << i;
    else
      EXPECT_EQ(values[i], expected.values[i]) << key << " element " << i;
  }
}

// The case names of one group of golden records: "dtypes/<group>/<case>/<suffix>".
std::vector<std::string> cases_of(const std::string& group, const std::string& suffix) {
  std::vector<std::string> names;
  const std::string prefix = "dtypes/" + group + "/", ending = "/" + suffix;
  for (const auto& [key, tensor] : golden().tensors())
    if (key.starts_with(prefix) && key.ends_with(ending))
      names.push_back(key.substr(prefix.size(), key.size() - prefix.size() - ending.size()));
  return names;
}

Tensor transposed(const Tensor& matrix) {
  return kernels::transpose(matrix, 0, 1);
}

// --- Dtypes and factories
// -------------------------------------------------------------------------

TEST(Dtype, NamesSizesAndTypes) {
  EXPECT_EQ(dtype_name(kInt64), "int64");
  EXPECT_EQ(dtype_name(kBool), "bool");
  EXPECT_EQ(element_size(kInt64), 8u);
  EXPECT_EQ(element_size(kBool), 1u);
  EXPECT_EQ(dtype_of<int64_t>(), kInt64);
  EXPECT_EQ(dtype_of<bool>(), kBool);
  EXPECT_FALSE(is_floating_point(kInt64));
  EXPECT_TRUE(is_floating_point(kFloat64));
}

TEST(Dtype, FactoriesAccessAndFill) {
  const Tensor ints = full({2, 2}, 7, kInt64);
  EXPECT_EQ(ints.to_vector<int64_t>(), (std::vector<int64_t>{7, 7, 7, 7}));
  EXPECT_EQ(ints.data_ptr<int64_t>()[3], 7);
  EXPECT_EQ(zeros({3}, kBool).to_vector<bool>(), (std::vector<bool>{false, false, false}));
  Tensor mask = ones({2, 3}, kBool);
  EXPECT_TRUE(mask.data_ptr<bool>()[5]);
  kernels::fill_(kernels::select(mask, 1, 1), 0);
  EXPECT_EQ(mask.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1, 1, 0, 1}));
  const Tensor from_ints = from_vector(std::vector<int64_t>{-3, 4}, {2});
  EXPECT_EQ(from_ints.dtype(), kInt64);
  EXPECT_EQ(kernels::select(from_ints, 0, 0).item<int64_t>(), -3);
  EXPECT_EQ(from_vector(std::vector<bool>{true, false}, {2}).dtype(), kBool);
  EXPECT_EQ(zeros_like(from_ints).dtype(), kInt64);
  expect_error([&] { (void)ints.data_ptr<bool>(); }, "data_ptr: the tensor holds int64, not bool");
}

TEST(Arange, DefaultDtypesFollowTheArguments) {
  EXPECT_EQ(arange(5).dtype(), kInt64);
  EXPECT_EQ(arange(int64_t{2}, 9, 3).dtype(), kInt64);
  EXPECT_EQ(arange(2.5).dtype(), kFloat32);
  EXPECT_EQ(arange(0, 2.5).dtype(), kFloat32);
  EXPECT_EQ(arange(0.0, 1.0, 0.25).dtype(), kFloat32);
  EXPECT_EQ(arange(5, kFloat64).dtype(), kFloat64);
}

TEST(Arange, MatchesPyTorch) {
  const std::map<std::string, std::function<Tensor()>> calls{
      {"end_int", [] { return arange(5); }},
      {"start_end_step_int", [] { return arange(2, 11, 3); }},
      {"negative_step_int", [] { return arange(10, 0, -3); }},
      {"empty_int", [] { return arange(3, 3); }},
      {"quarters", [] { return arange(0.0, 1.0, 0.25); }},
      {"tenths", [] { return arange(0.1, 2.0, 0.1); }},
      {"tenths_long", [] { return arange(-3.3, 4.0, 0.1); }},
      {"tenths_float64", [] { return arange(-3.3, 4.0, 0.1, kFloat64); }},
      {"odd_step", [] { return arange(-7.77, 9.1, 0.0137); }},
      {"float_end", [] { return arange(2.5); }},
      {"negative_step_float", [] { return arange(1.0, -1.0, -0.3); }},
      {"float64_explicit", [] { return arange(0, 1, 0.1, kFloat64); }},
      {"float32_from_ints", [] { return arange(5, kFloat32); }},
  };
  EXPECT_EQ(cases_of("arange", "out").size(), calls.size());
  for (const std::string& name : cases_of("arange", "out"))
    expect_equal(calls.at(name)(), "dtypes/arange/" + name + "/out");
}

TEST(Arange, RejectsStepsThatCannotReachTheEnd) {
  expect_error([] { arange(0, 5, 0); }, "arange: step must be nonzero");
  expect_error([] { arange(0, -3); }, "arange: step 1 cannot go from start 0 to end -3");
  expect_error([] { arange(0.0, 1.0, -0.5); }, "the step's sign is wrong");
  expect_error([] { arange(3, kBool); }, "arange: bool is not supported");
}

// --- Conversions, comparisons, promotion
// ----------------------------------------------------------

TEST(Conversions, MatchPyTorch) {
  const std::map<std::string, Dtype> targets{
      {"float32_to_int64", kInt64},     {"float32_to_bool", kBool},
      {"float64_to_float32", kFloat32}, {"float32_to_float64", kFloat64},
      {"int64_to_float32", kFloat32},   {"int64_to_bool", kBool},
      {"bool_to_int64", kInt64},        {"bool_to_float64", kFloat64},
  };
  EXPECT_EQ(cases_of("to", "out").size(), targets.size());
  for (const auto& [name, dtype] : targets) {
    const std::string prefix = "dtypes/to/" + name;
    expect_equal(kernels::to(load(prefix + "/input"), dtype), prefix + "/out");
  }
}

TEST(Comparisons, MatchPyTorchWithBroadcastingAndPromotion) {
  using Compare = Tensor (*)(const Tensor&, const Tensor&);
  using CompareNumber = Tensor (*)(const Tensor&, double);
  const std::map<std::string, std::pair<Compare, CompareNumber>> ops{
      {"eq", {eq, eq}}, {"ne", {ne, ne}}, {"lt", {lt, lt}},
      {"le", {le, le}}, {"gt", {gt, gt}}, {"ge", {ge, ge}},
  };
  for (const auto& [op, functions] : ops) {
    for (const std::string& name : cases_of("compare/" + op, "out")) {
      const std::string prefix = "dtypes/compare/" + op + "/" + name;
      const Tensor a =
          name == "a_transposed" ? transposed(load(prefix + "/a")) : load(prefix + "/a");
      const Tensor b = load(prefix + "/b");
      const bool number = name.starts_with("scalar") || name.ends_with("scalar");
      const Tensor out = number ? functions.second(a, b.item()) : functions.first(a, b);
      expect_equal(out, prefix + "/out");
    }
  }
}

TEST(Comparisons, OperatorsAndMethodsAreTheFreeFunctions) {
  const Tensor x = tensor({-1.0, 0.0, 2.0});
  const Tensor y = tensor({0.0, 0.0, 0.0});
  const auto values = [](const Tensor& t) { return t.to_vector<int64_t>(); };
  EXPECT_EQ(values(x == y), values(eq(x, y)));
  EXPECT_EQ(values(x != 0.0), values(x.ne(0.0)));
  EXPECT_EQ(values(x < y), values(x.lt(y)));
  EXPECT_EQ(values(x <= 0.0), (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(values(x > y), values(x.gt(y)));
  EXPECT_EQ(values(x >= 2.0), (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ((x > 0.5).dtype(), kBool);
}

TEST(Promotion, ArithmeticMatchesPyTorch) {
  const std::map<std::string, BinaryOp> ops{{"add", BinaryOp::Add},
                                            {"sub", BinaryOp::Sub},
                                            {"mul", BinaryOp::Mul},
                                            {"div", BinaryOp::Div}};
  for (const auto& [op_name, op] : ops) {
    for (const std::string& name : cases_of("arith/" + op_name, "out")) {
      const std::string prefix = "dtypes/arith/" + op_name + "/" + name;
      const Tensor a = load(prefix + "/a");
      const Tensor b = load(prefix + "/b");
      const bool number = name.ends_with("scalar");
      expect_equal(kernels::binary(op, a, number ? kernels::wrapped_scalar(b.item(), a) : b),
                   prefix + "/out");
    }
  }
}

TEST(Promotion, ResultDtypes) {
  const Tensor ints = arange(3), flags = ones({3}, kBool), floats = ones({3});
  using kernels::result_dtype;
  EXPECT_EQ(result_dtype(ints, flags), kInt64);
  EXPECT_EQ(result_dtype(ints, floats), kFloat32);
  EXPECT_EQ(result_dtype(flags, full({}, 2, kInt64)), kInt64);
  EXPECT_EQ(result_dtype(ints, full({}, 2.5, kFloat64)), kFloat64);
  EXPECT_EQ(result_dtype(floats, full({}, 2, kInt64)), kFloat32);
  EXPECT_EQ(kernels::wrapped_scalar(2.5, ints).dtype(), kFloat32);
  EXPECT_EQ(kernels::wrapped_scalar(2.5, ones({2}, kFloat64)).dtype(), kFloat64);
}

TEST(Promotion, RefusesWhatPyTorchRefuses) {
  const Tensor flags = ones({2}, kBool);
  expect_error([&] { kernels::binary(BinaryOp::Sub, flags, flags); },
               "sub: a bool tensor cannot be subtracted");
  expect_error([] { kernels::binary_(BinaryOp::Add, arange(2), ones({2})); },
               "add_: the result type float32 cannot be stored in a tensor of dtype int64");
  expect_error([] { kernels::binary_(BinaryOp::Div, arange(2), arange(2)); },
               "div_: the result type float32 cannot be stored in a tensor of dtype int64");
  expect_error(
      [] {
        kernels::matmul(kernels::view(arange(4), {2, 2}), kernels::view(arange(4), {2, 2}));
      },
      "matmul: expected a floating-point tensor, got int64");
  expect_error([] { rand({2}, kBool); }, "rand: expected a floating-point tensor, got bool");
}

TEST(Promotion, IntegerInPlaceStaysInteger) {
  const Tensor counts = arange(3);
  kernels::binary_(BinaryOp::Mul, counts, full({}, 2, kInt64));
  EXPECT_EQ(counts.to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 4}));
}

// --- where and masked_fill_
// -----------------------------------------------------------------------

TEST(Where, MatchesPyTorch) {
  for (const std::string& name : cases_of("where", "out")) {
    const std::string prefix = "dtypes/where/" + name;
    const Tensor a = name == "a_transposed" ? transposed(load(prefix + "/a")) : load(prefix + "/a");
    const Tensor b = load(prefix + "/b");
    const Tensor other = name == "scalar_b" ? kernels::wrapped_scalar(b.item(), a) : b;
    expect_equal(kernels::where(load(prefix + "/condition"), a, other), prefix + "/out");
  }
}

TEST(MaskedFill, MatchesPyTorch) {
  for (const std::string& name : cases_of("masked_fill", "out")) {
    const std::string prefix = "dtypes/masked_fill/" + name;
    const Tensor input = load(prefix + "/input");
    const Tensor out = kernels::clone(name == "input_transposed" ? transposed(input) : input);
    kernels::masked_fill_(out, load(prefix + "/mask"), load(prefix + "/value").item());
    expect_equal(out, prefix + "/out");
  }
}

TEST(MaskedFill, FillsAViewInPlaceAndBumpsTheVersion) {
  const Tensor scores = zeros({3, 3});
  const uint64_t version = scores.storage()->version();
  kernels::masked_fill_(transposed(scores), tensor({1.0, 0.0, 0.0}), -INFINITY);
  EXPECT_EQ(kernels::select(scores, 0, 0).to_vector<float>(),
            (std::vector<float>{-INFINITY, -INFINITY, -INFINITY}));
  EXPECT_EQ(kernels::select(scores, 0, 1).to_vector<float>(), (std::vector<float>{0, 0, 0}));
  EXPECT_GT(scores.storage()->version(), version);
}

TEST(MaskedFill, RejectsMasksThatDoNotBroadcastToTheInput) {
  expect_error(
      [] {
        kernels::masked_fill_(zeros({2, 3}), ones({4}, kBool), 0);
      },
      "masked_fill: mask of shape [4] cannot be broadcast to the input's shape [2, 3]");
  expect_error(
      [] {
        kernels::masked_fill_(zeros({3}), ones({2, 3}, kBool), 0);
      },
      "masked_fill: mask of shape [2, 3] cannot be broadcast to the input's shape [3]");
  expect_error([] { kernels::masked_fill_(arange(3), ones({3}, kBool), -INFINITY); },
               "masked_fill: value -inf cannot be stored in a tensor of dtype int64");
}

TEST(Where, RejectsShapesThatDoNotBroadcast) {
  expect_error([] { kernels::where(ones({2}, kBool), zeros({3}), zeros({3})); },
               "where: shapes [2] and [3] cannot be broadcast");
}

// --- Printing
// -------------------------------------------------------------------------------------

std::string printed(const Tensor& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

TEST(Printing, IntegersAndMasksPrintAsPyTorch) {
  EXPECT_EQ(printed(from_vector(std::vector<int64_t>{1, 0, 3}, {3})), "tensor([1, 0, 3])");
  EXPECT_EQ(printed(tensor({1.0, -1.0, 2.0}) > 0.0), "tensor([ True, False,  True])");
  EXPECT_EQ(printed(transposed(kernels::view(arange(4), {2, 2}))),
            "tensor([[0, 2],\n        [1, 3]])");
  EXPECT_EQ(printed(arange(0)), "tensor([], dtype=torch.int64)");
}

}  // namespace
}  // namespace mg
