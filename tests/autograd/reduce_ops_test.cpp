// var, max and min as differentiable ops against PyTorch: the grad_fn name each prints and the
// gradient of its input for a random grad_out (golden cases "var.<name>" and "select.<name>" of
// tests/golden/gen_reduce.py), then float64 gradchecks; argmax/argmin never require grad.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "golden_reader.h"
#include "minigrad/autograd/node.h"

namespace mg {
namespace {

const test::Golden& golden() {
  static const test::Golden file("reduce.txt");
  return file;
}

Tensor from_golden(const test::GoldenTensor& g) {
  return from_vector(g.values, g.shape, g.dtype);
}

std::vector<int64_t> to_ints(const test::GoldenTensor& g) {
  return std::vector<int64_t>(g.values.begin(), g.values.end());
}

// The case's input as a leaf that requires grad, and the view of it the op saw.
std::tuple<Tensor, Tensor> case_input(const std::string& name) {
  Tensor leaf = from_golden(golden().tensor(name + ".input")).requires_grad_();
  const std::vector<int64_t> transpose = to_ints(golden().tensor(name + ".transpose"));
  Tensor seen = transpose.empty() ? leaf : leaf.transpose(transpose[0], transpose[1]);
  return {leaf, seen};
}

// The gradient of the leaf, as PyTorch's of the view the op saw, bit for bit: var's backward is
// PyTorch's formula, (2 / (N - correction)) * grad_out * (x - mean), over a bit-exact mean.
void expect_grad(const Tensor& leaf, const std::string& name, const std::string& what) {
  const std::vector<int64_t> transpose = to_ints(golden().tensor(name + ".transpose"));
  const Tensor grad =
      transpose.empty() ? leaf.grad() : leaf.grad().transpose(transpose[0], transpose[1]);
  const test::GoldenTensor& expected = golden().tensor(name + "." + what);
  ASSERT_EQ(grad.shape(), expected.shape) << name;
  const std::vector<double> values = grad.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(expected.values[i]))
      EXPECT_TRUE(std::isnan(values[i])) << name << " " << what << " [" << i << "]";
    else
      EXPECT_EQ(values[i], expected.values[i]) << name << " " << what << " [" << i << "]";
  }
}

std::string grad_fn(const Tensor& out) {
  return autograd::meta_of(out)->grad_fn_name();
}

// The names of the golden cases "<op>.<name>" that record a gradient under `grad_key`.
std::vector<std::string> cases_with(const std::string& op, const std::string& grad_key) {
  std::vector<std::string> names;
  for (const auto& [key, record] : golden().tensors()) {
    const std::string end = "." + grad_key;
    if (key.starts_with(op + ".") && key.ends_with(end))
      names.push_back(key.substr(0, key.size() - end.size()));
  }
  return names;
}

TEST(ReduceOps, VarGradientAndGradFnMatchPyTorch) {
  const std::vector<std::string> names = cases_with("var", "grad");
  EXPECT_EQ(names.size(), 19u);
  for (const std::string& name : names) {
    const auto [leaf, input] = case_input(name);
    const Tensor out = var(input, to_ints(golden().tensor(name + ".dims")),
                           golden().tensor(name + ".unbiased").values.at(0) != 0,
                           golden().tensor(name + ".keepdim").values.at(0) != 0);
    EXPECT_EQ(grad_fn(out), golden().string(name + ".grad_fn")) << name;
    out.backward(from_golden(golden().tensor(name + ".grad_out")));
    expect_grad(leaf, name, "grad");
  }
}

TEST(ReduceOps, MaxMinGradientAndGradFnMatchPyTorch) {
  const std::vector<std::string> names = cases_with("select", "max_grad");
  EXPECT_EQ(names.size(), 21u);
  for (const std::string& name : names) {
    const std::vector<int64_t> dim = to_ints(golden().tensor(name + ".dim"));
    const bool keepdim = golden().tensor(name + ".keepdim").values.at(0) != 0;
    for (const bool largest : {true, false}) {
      const std::string op = largest ? "max" : "min";
      const auto [leaf, input] = case_input(name);
      const Tensor out = dim.empty() ? (largest ? max(input) : min(input))
                                     : std::get<0>(largest ? max(input, dim[0], keepdim)
                                                           : min(input, dim[0], keepdim));
      EXPECT_EQ(grad_fn(out), golden().string(name + "." + op + "_grad_fn")) << name;
      out.backward(from_golden(golden().tensor(name + ".grad_out")));
      expect_grad(leaf, name, op + "_grad");
    }
  }
}

TEST(ReduceOps, MethodsAndStructuredBindings) {
  const Tensor x = tensor({{1.0, 5.0, 5.0}, {4.0, 2.0, 0.0}}).requires_grad_();
  auto [values, indices] = x.max(1);
  EXPECT_EQ(values.to_vector<float>(), (std::vector<float>{5, 4}));
  EXPECT_EQ(indices.to_vector<int64_t>(), (std::vector<int64_t>{1, 0}));  // the first of the ties
  EXPECT_EQ(x.min().item(), 0.0);
  EXPECT_EQ(x.argmax().item(), 1.0);
  EXPECT_EQ(x.argmin(0, true).shape(), (Shape{1, 3}));
  EXPECT_EQ(x.var(1, false, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(x.var({0, 1}).item<float>(), x.var().item<float>());
}

TEST(ReduceOps, IndicesNeverRequireGrad) {
  const Tensor x = randn({3, 4}).requires_grad_();
  const auto [values, indices] = max(x, 0);
  EXPECT_TRUE(values.requires_grad());
  EXPECT_FALSE(indices.requires_grad());
  EXPECT_FALSE(argmax(x).requires_grad());
  EXPECT_FALSE(argmin(x, 1).requires_grad());
}

TEST(ReduceOps, UnbiasedVarOfOneElementHasNanGradient) {
  // PyTorch 1.13 raises in VarBackward0 here (an empty gradient); 2 (x - mean) / 0 is nan.
  const Tensor x = full({1}, 1.5).requires_grad_();
  const Tensor out = var(x);
  EXPECT_TRUE(std::isnan(out.item()));
  out.backward();
  EXPECT_TRUE(std::isnan(x.grad().item()));
}

using Inputs = std::vector<Tensor>;

// float64 gradchecks, contiguous and transposed, on random inputs (no ties).
TEST(ReduceOps, Gradcheck) {
  manual_seed(2024);
  const Tensor contiguous = randn({3, 4}, kFloat64).requires_grad_();
  const Tensor transposed_leaf = randn({4, 3}, kFloat64).requires_grad_();
  const Tensor cube = randn({2, 3, 4}, kFloat64).requires_grad_();
  for (const Tensor& x : {contiguous, transposed_leaf}) {
    const bool transpose = x.shape()[0] == 4;
    const auto seen = [transpose](const Inputs& in) { return transpose ? in[0].T() : in[0]; };
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return var(seen(in)); }, {x}));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return var(seen(in), {0}, false); }, {x}));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return var(seen(in), {-1}, true, true); }, {x}));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return max(seen(in)) * min(seen(in)); }, {x}));
    EXPECT_TRUE(gradcheck([&](const Inputs& in) { return std::get<0>(max(seen(in), 1)); }, {x}));
    EXPECT_TRUE(
        gradcheck([&](const Inputs& in) { return std::get<0>(min(seen(in), 0, true)); }, {x}));
  }
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return in[0].var({0, 2}, true, true); }, {cube}));
  EXPECT_TRUE(gradcheck([](const Inputs& in) { return std::get<0>(in[0].max(-2)); }, {cube}));
}

}  // namespace
}  // namespace mg
