// Autograd semantics: accumulation, no-grad, detach, retain_graph, freeing, deep chains.
#include <gtest/gtest.h>

#include "expect_error.h"

#include <minigrad/minigrad.h>

#include <memory>
#include <string>

#include "minigrad/autograd/node.h"

namespace mg {
namespace {

using test::expect_error;

std::vector<double> values(const Tensor& t) {
  return t.to_vector<double>();
}

TEST(Engine, ReusedResultSumsEveryPath) {
  // b = a + a; c = b * b: dc/da = 2 * b * 2 = 8a.
  Tensor a = tensor({1.0, -2.0, 3.0}, kFloat64).requires_grad_();
  Tensor b = a + a;
  Tensor c = b * b;
  c.sum().backward();
  EXPECT_EQ(values(a.grad()), (std::vector<double>{8.0, -16.0, 24.0}));
}

TEST(Engine, GradientsAccumulateAcrossCallsUntilZeroed) {
  Tensor w = tensor({2.0}, kFloat64).requires_grad_();
  (w * 3.0).sum().backward();
  (w * 3.0).sum().backward();
  EXPECT_EQ(values(w.grad()), std::vector<double>{6.0});
  w.zero_grad();
  EXPECT_FALSE(w.grad().defined());
  (w * w).sum().backward();
  EXPECT_EQ(values(w.grad()), std::vector<double>{4.0});
}

TEST(Engine, NoGradGuardBuildsNoGraph) {
  Tensor w = ones({2}).requires_grad_();
  {
    NoGradGuard no_grad;
    EXPECT_FALSE((w * 2.0).requires_grad());
  }
  EXPECT_TRUE((w * 2.0).requires_grad());
}

TEST(Engine, DetachCutsTheGraphButSharesData) {
  Tensor w = ones({2}).requires_grad_();
  Tensor d = (w * 2.0).detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  EXPECT_EQ(w.detach().storage(), w.storage());
}

TEST(Engine, BackwardTwiceNeedsRetainGraph) {
  Tensor w = tensor({1.0, 2.0}, kFloat64).requires_grad_();
  Tensor loss = (w * w).sum();
  loss.backward(Tensor(), /*retain_graph=*/true);
  loss.backward();
  EXPECT_EQ(values(w.grad()), (std::vector<double>{4.0, 8.0}));
  expect_error([&] { loss.backward(); }, "backward through the graph a second time");
}

TEST(Engine, NonScalarNeedsAGradientOfItsShape) {
  Tensor w = ones({2, 2}).requires_grad_();
  Tensor y = w * 3.0;
  expect_error([&] { y.backward(); }, "a gradient can be implied only for a one-element output");
  expect_error([&] { y.backward(ones({3})); },
               "the gradient has shape [3] but the output has shape [2, 2]");
  y.backward(full({2, 2}, 0.5));
  EXPECT_EQ(w.grad().to_vector<float>(), std::vector<float>(4, 1.5f));
  expect_error([] { ones({1}).backward(); }, "does not require grad and has no grad_fn");
}

TEST(Engine, OnlyLeavesChangeRequiresGrad) {
  Tensor w = ones({2}).requires_grad_();
  Tensor y = w * 2.0;
  expect_error([&] { y.requires_grad_(false); }, "only leaf tensors can change requires_grad");
}

TEST(Engine, FreesTheGraphWithItsResult) {
  Tensor w = ones({3}).requires_grad_();
  std::weak_ptr<autograd::Node> node;
  {
    Tensor y = (w * 2.0).exp();
    node = autograd::meta_of(y)->grad_fn();
    EXPECT_FALSE(node.expired());
  }
  EXPECT_TRUE(node.expired());
}

// After a backward without retain_graph, the graph behind the root is gone while the root still
// lives: its nodes, their edges and the tensors they saved (exp saves its result, mul its
// operands), not only the formulas.
TEST(Engine, BackwardFreesTheGraphBehindALiveRoot) {
  Tensor w = ones({3}).requires_grad_();
  std::weak_ptr<autograd::Node> exp_node, mul_node;
  std::weak_ptr<Storage> saved_result, saved_operand;
  Tensor loss;
  {
    const Tensor scaled = w * rand({3});
    const Tensor y = scaled.exp();
    exp_node = autograd::meta_of(y)->grad_fn();
    mul_node = autograd::meta_of(scaled)->grad_fn();
    saved_result = y.storage();
    saved_operand = scaled.storage();
    loss = (y * y).sum();
  }
  EXPECT_FALSE(exp_node.expired());
  EXPECT_FALSE(saved_result.expired());
  loss.backward();
  EXPECT_TRUE(exp_node.expired());
  EXPECT_TRUE(mul_node.expired());
  EXPECT_TRUE(saved_result.expired());
  EXPECT_TRUE(saved_operand.expired());
  EXPECT_EQ(autograd::meta_of(loss)->grad_fn_name(), "SumBackward0");  // the root keeps its node
  EXPECT_TRUE(w.grad().defined());
  expect_error([&] { loss.backward(); }, "backward through the graph a second time");
}

// With retain_graph the graph stays whole, for the next backward.
TEST(Engine, RetainGraphKeepsTheGraph) {
  Tensor w = ones({3}).requires_grad_();
  std::weak_ptr<autograd::Node> exp_node;
  Tensor loss;
  {
    const Tensor y = (w * 2.0).exp();
    exp_node = autograd::meta_of(y)->grad_fn();
    loss = y.sum();
  }
  loss.backward(Tensor(), true);
  EXPECT_FALSE(exp_node.expired());
  loss.backward();
  EXPECT_TRUE(exp_node.expired());
}

TEST(Engine, DeepChainNeitherOverflowsNorLeaks) {
  Tensor w = tensor({1.0}, kFloat64).requires_grad_();
  std::weak_ptr<autograd::Node> first;
  {
    Tensor y = w * 1.0;
    first = autograd::meta_of(y)->grad_fn();
    for (int i = 0; i < 100000; ++i) y = y + 0.0;
    y.sum().backward();
  }
  EXPECT_EQ(values(w.grad()), std::vector<double>{1.0});
  EXPECT_TRUE(first.expired());
}

TEST(Engine, PrintsGradFnAndRequiresGrad) {
  manual_seed(314159);
  Tensor w = rand({2}).requires_grad_();
  std::ostringstream leaf, result;
  leaf << w;
  result << w.dot(w);
  EXPECT_EQ(leaf.str(), "tensor([0.3884, 0.8840], requires_grad=True)");
  EXPECT_EQ(result.str(), "tensor(0.9322, grad_fn=<DotBackward0>)");
}

TEST(Anomaly, NamesTheNodeWhoseGradientIsNotFinite) {
  Tensor x = tensor({0.0, 1.0}).requires_grad_();
  const Tensor y = (1.0 / (x * 2.0)).sum();  // d(1/u)/du = -1/u^2: -inf at u = 0
  {
    detect_anomaly anomaly;
    expect_error([&] { y.backward(Tensor(), true); },
                 "backward (detect_anomaly): MulBackward0 returned a gradient with 0 NaN and 1 "
                 "infinite values for an input of shape [2], from a finite gradient of shape [2]");
    expect_error(
        [&] {
          (x * 2.0).backward(tensor({NAN, 1.0}));
        },
        "the gradient passed to backward holds 1 NaN and 0 infinite values");
  }
  EXPECT_FALSE(AnomalyMode::is_enabled());
  y.backward();  // without detection, the infinity reaches the leaf, as in PyTorch
  EXPECT_EQ(x.grad().to_vector<float>()[0], -INFINITY);
}

TEST(Engine, ErrorsInABackwardFormulaNameTheNode) {
  Tensor x = ones({2, 3}).requires_grad_();
  Tensor y = x.exp();  // exp saves its result
  const Tensor loss = y.sum();
  {
    NoGradGuard no_grad;
    y += 1.0;
  }
  expect_error(
      [&] { loss.backward(); },
      "backward: ExpBackward0: a tensor of shape [2, 3] that it saved for its gradient was "
      "modified by an in-place operation since (its version went from 0 to 1)");
}

}  // namespace
}  // namespace mg
