// where, masked_fill and to(dtype) through autograd: outputs, grad_fn names and gradients against
// PyTorch (tests/golden/gen_dtypes.py), float64 gradcheck on broadcast and transposed inputs, and
// the rule that integer and bool tensors never require grad.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <string>

#include "expect_error.h"
#include "golden_reader.h"
#include "minigrad/autograd/node.h"

namespace mg {
namespace {

using Inputs = std::vector<Tensor>;
using test::expect_error;

const test::Golden& golden() {
  static const test::Golden file("dtypes.txt");
  return file;
}

Tensor load(const std::string& key) {
  const test::GoldenTensor& g = golden().tensor(key);
  return from_vector(g.values, g.shape, g.dtype);
}

Tensor leaf_from(const std::string& key) {
  return load(key).requires_grad_();
}

// Masking moves values without arithmetic, so outputs and gradients match bit for bit.
void expect_equal(const Tensor& actual, const std::string& key) {
  const test::GoldenTensor& expected = golden().tensor(key);
  ASSERT_EQ(actual.dtype(), expected.dtype) << key;
  ASSERT_EQ(actual.shape(), expected.shape) << key;
  EXPECT_EQ(actual.to_vector<double>(), expected.values) << key;
}

std::string grad_fn(const Tensor& t) {
  return autograd::meta_of(t)->grad_fn_name();
}

// The case names of "dtypes/<group>/<case>/grad_fn".
std::vector<std::string> cases_of(const std::string& group) {
  std::vector<std::string> names;
  const std::string prefix = "dtypes/" + group + "/", ending = "/grad_fn";
  for (const auto& [key, text] : golden().strings())
    if (key.starts_with(prefix))
      names.push_back(key.substr(prefix.size(), key.size() - prefix.size() - ending.size()));
  return names;
}

TEST(MasksGolden, WhereOutputsAndGradients) {
  ASSERT_EQ(cases_of("where").size(), 6u);
  for (const std::string& name : cases_of("where")) {
    const std::string prefix = "dtypes/where/" + name;
    const Tensor a = leaf_from(prefix + "/a");
    const bool number = name == "scalar_b";
    const Tensor b = number ? load(prefix + "/b") : leaf_from(prefix + "/b");
    const Tensor condition = load(prefix + "/condition");
    const Tensor a_used = name == "a_transposed" ? a.T() : a;
    const Tensor out = number ? where(condition, a_used, b.item()) : where(condition, a_used, b);
    expect_equal(out, prefix + "/out");
    EXPECT_EQ(grad_fn(out), golden().string(prefix + "/grad_fn"));
    out.backward(load(prefix + "/grad_out"));
    expect_equal(a.grad(), prefix + "/grad_a");
    if (!number) expect_equal(b.grad(), prefix + "/grad_b");
  }
}

TEST(MasksGolden, MaskedFillOutputsAndGradients) {
  ASSERT_EQ(cases_of("masked_fill").size(), 6u);
  for (const std::string& name : cases_of("masked_fill")) {
    const std::string prefix = "dtypes/masked_fill/" + name;
    const Tensor input = leaf_from(prefix + "/input");
    const Tensor x = name == "input_transposed" ? input.T() : input;
    const Tensor out = x.masked_fill(load(prefix + "/mask"), load(prefix + "/value").item());
    expect_equal(out, prefix + "/out");
    EXPECT_EQ(grad_fn(out), golden().string(prefix + "/grad_fn"));
    out.backward(load(prefix + "/grad_out"));
    expect_equal(input.grad(), prefix + "/grad_input");
  }
}

TEST(MasksGolden, MaskedFillOnIntegersRecordsNothing) {
  const Tensor out =
      masked_fill(load("dtypes/masked_fill/int64/input"), load("dtypes/masked_fill/int64/mask"), 7);
  expect_equal(out, "dtypes/masked_fill/int64/out");
  EXPECT_FALSE(out.requires_grad());
}

TEST(MasksGolden, ToBetweenFloatingTypesIsDifferentiable) {
  for (const std::string& name : cases_of("to_grad")) {
    const std::string prefix = "dtypes/to_grad/" + name;
    const Tensor input = leaf_from(prefix + "/input");
    const Tensor out = input.to(golden().tensor(prefix + "/out").dtype);
    expect_equal(out, prefix + "/out");
    EXPECT_EQ(grad_fn(out), golden().string(prefix + "/grad_fn"));
    out.backward(load(prefix + "/grad_out"));
    expect_equal(input.grad(), prefix + "/grad_input");
  }
}

// --- gradcheck
// ------------------------------------------------------------------------------------

Tensor leaf(const Shape& shape) {
  return randn(shape, kFloat64).requires_grad_();
}

TEST(MasksGradcheck, WhereBroadcastAndTransposed) {
  manual_seed(7);
  const Tensor condition = from_vector(std::vector<float>{1, 0, 1}, {3, 1});  // a float condition
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return where(condition, x[0], x[1].T()); },
                        {leaf({4}), leaf({4, 3})}));
  const Tensor mask = randn({2, 3}) > 0.0;
  EXPECT_TRUE(
      gradcheck([&](const Inputs& x) { return where(mask, x[0], 0.5) * x[0]; }, {leaf({2, 3})}));
  EXPECT_TRUE(
      gradcheck([&](const Inputs& x) { return where(mask, -1.0, x[0].T()); }, {leaf({3, 2})}));
}

TEST(MasksGradcheck, MaskedFillBroadcastAndTransposed) {
  manual_seed(8);
  const Tensor causal = from_vector(std::vector<int64_t>{0, 1, 1, 0, 0, 1, 0, 0, 0}, {3, 3});
  EXPECT_TRUE(gradcheck(  // a [T, T] mask over [B, T, T] scores, then softmax as attention does
      [&](const Inputs& x) { return softmax(x[0].masked_fill(causal, -INFINITY), -1); },
      {leaf({2, 3, 3})}));
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return x[0].T().masked_fill(causal > 0.5, 2.0); },
                        {leaf({3, 3})}));
  const Tensor row = from_vector(std::vector<bool>{true, false}, {2});
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return masked_fill(x[0] * x[0], row, -3.0); },
                        {leaf({3, 2})}));
}

TEST(MasksGradcheck, MaskedSoftmax) {
  manual_seed(9);
  const Tensor causal = triu(ones({4, 4}), 1);
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return masked_softmax(x[0], causal, 2.0); },
                        {leaf({2, 4, 4})}));
  const Tensor columns = from_vector(std::vector<bool>{true, false, false, true}, {4});
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return masked_softmax(x[0].T(), columns, 0.7); },
                        {leaf({4, 2})}));
}

TEST(MasksGradcheck, ToFloat32AndBack) {
  manual_seed(9);
  // float64 -> float32 -> float64 loses precision, so a looser tolerance than the default.
  EXPECT_TRUE(gradcheck([](const Inputs& x) { return (x[0].to(kFloat32) * 2.0).to(kFloat64); },
                        {leaf({2, 3})}, 1e-3, 1e-3, 1e-2));
}

// --- Integers and bools never require grad
// --------------------------------------------------------

TEST(IntegerTensors, CannotRequireGrad) {
  expect_error([] { arange(3).requires_grad_(); },
               "requires_grad_: only floating-point tensors can require gradients, got int64");
  expect_error([] { ones({2}, kBool).requires_grad_(); }, "got bool");
  EXPECT_FALSE(arange(3).requires_grad_(false).requires_grad());
}

TEST(IntegerTensors, ResultsRecordNothing) {
  const Tensor x = randn({3}).requires_grad_();
  EXPECT_FALSE(x.gt(0.0).requires_grad());
  EXPECT_FALSE((x == x).requires_grad());
  EXPECT_FALSE(x.to(kInt64).requires_grad());
  EXPECT_FALSE(x.to(kBool).requires_grad());
  EXPECT_FALSE((arange(3) + arange(3)).requires_grad());
  EXPECT_FALSE((arange(3) / 2.0).requires_grad());
  const Tensor mixed = arange(3) * x;  // int64 * float32 is float32, and x requires grad
  EXPECT_EQ(mixed.dtype(), kFloat32);
  EXPECT_EQ(grad_fn(mixed), "MulBackward0");
  mixed.sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{0, 1, 2}));
}

TEST(IntegerTensors, ANumberMakesThemFloat32) {
  const Tensor scaled = arange(3) * 2.5;  // torch.arange(3) * 2.5
  EXPECT_EQ(scaled.dtype(), kFloat32);
  EXPECT_EQ(scaled.to_vector<float>(), (std::vector<float>{0, 2.5, 5}));
  EXPECT_EQ((ones({2}, kFloat64) + arange(2)).dtype(), kFloat64);
}

TEST(Conversions, ToTheSameDtypeIsTheTensorItself) {
  const Tensor x = randn({2});
  EXPECT_EQ(x.to(kFloat32).impl_ptr(), x.impl_ptr());
  EXPECT_EQ(tensor({-1.7, 0.2, 2.9}).to(kInt64).to_vector<int64_t>(),
            (std::vector<int64_t>{-1, 0, 2}));
}

// The notebook's causal attention: attn_scores.masked_fill(mask.bool(), -torch.inf), softmax.
TEST(Notebook, CausalMaskWithNegativeInfinity) {
  manual_seed(123);
  const int64_t context_length = 4;
  const Tensor attn_scores = randn({2, context_length, context_length}).requires_grad_();
  // torch.triu(torch.ones(T, T), diagonal=1), built directly.
  const Tensor rows = arange(context_length).unsqueeze(1), cols = arange(context_length);
  const Tensor mask = (cols > rows).to(kFloat32);
  const Tensor masked = attn_scores.masked_fill(mask.to(kBool), -INFINITY);
  const Tensor attn_weights = softmax(masked, -1);
  EXPECT_EQ(grad_fn(masked), "MaskedFillBackward0");
  const std::vector<float> weights = attn_weights.to_vector<float>();
  for (int64_t i = 0; i < context_length; ++i)
    for (int64_t j = i + 1; j < context_length; ++j) EXPECT_EQ(weights[i * context_length + j], 0);
  (attn_weights * randn({2, context_length, context_length})).sum().backward();
  const std::vector<float> grad = attn_scores.grad().to_vector<float>();
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < context_length; ++i)
      for (int64_t j = 0; j < context_length; ++j) {
        const float g = grad[(b * context_length + i) * context_length + j];
        if (j > i) {
          EXPECT_EQ(g, 0);
        }
        EXPECT_TRUE(std::isfinite(g));
      }
}

// The unfused ops are checked against PyTorch above; the fused op must give their bits, forward
// and backward, on every layout: rows shorter and longer than a vector of lanes, a mask sliced
// from a larger buffer (strided), a mask broadcast over batch and rows, a transposed input.
TEST(MaskedSoftmax, GivesTheBitsOfMaskedFillDivideSoftmax) {
  manual_seed(10);
  for (Dtype dtype : {kFloat32, kFloat64})
    for (int64_t T : {5, 19}) {
      const Tensor buffer = triu(ones({T + 3, T + 3}), 1);
      const Tensor causal = buffer.slice(0, 0, T).slice(1, 0, T);
      const Tensor random_mask = randn({2, 1, 1, T}) > 0.3;
      for (const Tensor& mask : {causal, random_mask}) {
        Tensor scores = randn({2, 3, T, T}, dtype).transpose(-2, -1).requires_grad_();
        const Tensor fused = masked_softmax(scores, mask, std::sqrt(8.0));
        EXPECT_EQ(grad_fn(fused), "SoftmaxBackward0");
        const Tensor grad_out = randn({2, 3, T, T}, dtype);
        (fused * grad_out).sum().backward();
        const Tensor fused_grad = scores.grad();
        scores.zero_grad();
        const Tensor unfused = softmax(scores.masked_fill(mask, -INFINITY) / std::sqrt(8.0), -1);
        (unfused * grad_out).sum().backward();
        EXPECT_EQ(fused.to_vector<double>(), unfused.to_vector<double>()) << T;
        EXPECT_EQ(fused_grad.to_vector<double>(), scores.grad().to_vector<double>()) << T;
      }
    }
}

TEST(MaskedSoftmax, ARowWithEveryScoreMaskedIsNan) {
  const Tensor weights = masked_softmax(zeros({2, 3}), ones({3}));
  for (double w : weights.to_vector<double>()) EXPECT_TRUE(std::isnan(w));
}

TEST(MaskedSoftmax, RejectsAMaskThatDoesNotBroadcast) {
  expect_error(
      [] {
        masked_softmax(zeros({2, 3}), ones({2, 2}), 1.0);
      },
      "masked_softmax: shapes [2, 3] and [2, 2] cannot be broadcast (3 != 2 at dim 1)");
}

TEST(MaskedFill, RejectsAMaskThatDoesNotBroadcast) {
  expect_error(
      [] {
        masked_fill(zeros({2, 3}), ones({4}), 0);
      },
      "masked_fill: shapes [2, 3] and [4] cannot be broadcast (3 != 4 at dim 1)");
}

// As in PyTorch, out of place: each row of the result is the input filled by that mask row, and
// the input's gradient sums the rows' unmasked gradients.
TEST(MaskedFill, WidensAnInputSmallerThanTheMask) {
  const Tensor input = from_vector(std::vector<float>{1, 2, 3}, {3}).requires_grad_();
  const Tensor mask =
      from_vector(std::vector<bool>{true, false, false, false, false, true}, {2, 3});
  const Tensor out = masked_fill(input, mask, -1.0);
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(out.to_vector<float>(), (std::vector<float>{-1, 2, 3, 1, 2, -1}));
  out.backward(ones({2, 3}));
  EXPECT_EQ(input.grad().to_vector<float>(), (std::vector<float>{1, 2, 1}));
}

}  // namespace
}  // namespace mg
