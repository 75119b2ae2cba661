// The differentiable elementwise math ops and log_softmax against PyTorch (the "unary_grad/..."
// and "<softmax|log_softmax>/..." cases of tests/golden/gen_unary.py): output, grad_fn name and
// gradient, with the edge values' nan and inf where PyTorch has them; then a float64 gradcheck of
// each op on contiguous, transposed and selected inputs.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "golden_reader.h"
#include "minigrad/autograd/node.h"

namespace mg {
namespace {

using UnaryFn = std::function<Tensor(const Tensor&)>;

const test::Golden& golden() {
  static const test::Golden file("unary.txt");
  return file;
}

Tensor golden_tensor(const std::string& key) {
  const test::GoldenTensor& record = golden().tensor(key);
  return from_vector(record.values, record.shape, record.dtype);
}

// The ops of gen_unary.py's AUTOGRAD_OPS; pow_<exponent> is x.pow(exponent).
UnaryFn autograd_op(const std::string& name) {
  if (name.starts_with("pow_")) {
    const double exponent = std::stod(name.substr(4));
    return [exponent](const Tensor& x) { return x.pow(exponent); };
  }
  static const std::map<std::string, UnaryFn> ops{
      {"log", [](const Tensor& x) { return x.log(); }},
      {"sqrt", [](const Tensor& x) { return mg::sqrt(x); }},
      {"abs", [](const Tensor& x) { return x.abs(); }},
      {"tanh", [](const Tensor& x) { return x.tanh(); }},
      {"sigmoid", [](const Tensor& x) { return mg::sigmoid(x); }},
      {"relu", [](const Tensor& x) { return x.relu(); }},
      {"gelu_none", [](const Tensor& x) { return gelu(x); }},
      {"gelu_tanh", [](const Tensor& x) { return gelu(x, "tanh"); }},
  };
  return ops.at(name);
}

// nan where PyTorch has nan, the same infinities, finite values within float32 rounding: the
// backward formulas round in their own order (the kernel test checks the forward's ulps).
void expect_close(const Tensor& actual, const test::GoldenTensor& expected,
                  const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape) << what;
  ASSERT_EQ(actual.dtype(), expected.dtype) << what;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    const double want = expected.values[i];
    if (std::isnan(want) || std::isinf(want))
      EXPECT_TRUE(std::isnan(want) ? std::isnan(values[i]) : values[i] == want)
          << what << " element " << i << ": " << values[i] << " != " << want;
    else
      EXPECT_NEAR(values[i], want, 1e-6 + 1e-5 * std::abs(want)) << what << " element " << i;
  }
}

// Runs op on the case's leaf (viewed as .T for transposed cases), checks the output, the
// grad_fn name and the leaf's gradient for the case's grad_out.
void expect_case(const std::string& prefix, const UnaryFn& op, bool transposed,
                 const std::string& grad_fn) {
  SCOPED_TRACE(prefix);
  const Tensor leaf = golden_tensor(prefix + "/input").requires_grad_();
  const Tensor out = op(transposed ? leaf.T() : leaf);
  expect_close(out, golden().tensor(prefix + "/out"), "output");
  EXPECT_EQ(autograd::meta_of(out)->grad_fn_name(), grad_fn);
  out.backward(golden_tensor(prefix + "/grad_out"));
  expect_close(leaf.grad(), golden().tensor(prefix + "/grad"), "gradient");
}

TEST(UnaryOpsGolden, OutputGradFnAndGradientMatchPyTorch) {
  int checked = 0;
  for (const auto& [key, grad_fn] : golden().strings()) {
    // unary_grad/<op>/grad_fn, with the cases unary_grad/<op>/<case>/...
    if (!key.starts_with("unary_grad/")) continue;
    const std::string op_name = key.substr(11, key.size() - 11 - std::string("/grad_fn").size());
    for (const std::string name : {"float64", "transposed", "edge"}) {
      expect_case("unary_grad/" + op_name + "/" + name, autograd_op(op_name),
                  name == std::string("transposed"), grad_fn);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 18 * 3);  // 6 ops, pow with 10 exponents, gelu twice; 3 cases each
}

TEST(UnaryOpsGolden, SoftmaxAndLogSoftmaxWithLargeAndInfiniteInputs) {
  for (const std::string op : {"softmax", "log_softmax"}) {
    for (const auto& [key, record] : golden().tensors()) {
      const std::string start = op + "/", end = "/input";
      if (!key.starts_with(start) || !key.ends_with(end)) continue;
      const std::string prefix = key.substr(0, key.size() - end.size());
      const auto dim = static_cast<int64_t>(golden().tensor(prefix + "/dim").values.at(0));
      const bool transposed = prefix.starts_with(start + "transposed");
      expect_case(
          prefix,
          [&](const Tensor& x) { return op == "softmax" ? x.softmax(dim) : x.log_softmax(dim); },
          transposed, golden().string(op + "/grad_fn"));
    }
  }
}

TEST(UnaryOps, GeluNamesABadApproximate) {
  EXPECT_THROW(gelu(ones({2}), "erf"), Error);
}

TEST(UnaryOps, NoGraphWithoutRequiresGrad) {
  EXPECT_EQ(autograd::meta_of(ones({2}).tanh()), nullptr);
}

// --- gradcheck ----------------------------------------------------------------------------------

using Inputs = std::vector<Tensor>;

// float64 leaves: standard normal (away from abs's and relu's kink at 0 but for a chance of
// about 1e-6 per element), or in [0.5, 1.5) for the ops that want positive inputs.
Tensor normal_leaf(const Shape& shape) {
  return randn(shape, kFloat64).requires_grad_();
}
Tensor positive_leaf(const Shape& shape) {
  NoGradGuard no_grad;
  return (rand(shape, kFloat64) + 0.5).requires_grad_();
}

struct GradcheckCase {
  std::string name;
  std::function<Tensor(const Shape&)> leaf;
  std::function<Tensor(const Tensor&)> fn;  // of the [3, 4] leaf
};

std::vector<GradcheckCase> gradcheck_cases() {
  return {
      {"log_transposed", positive_leaf, [](const Tensor& x) { return x.T().log(); }},
      {"sqrt_selected", positive_leaf, [](const Tensor& x) { return sqrt(x.select(1, 2)); }},
      {"pow_fractional_transposed", positive_leaf, [](const Tensor& x) { return x.T().pow(2.5); }},
      {"pow_negative", positive_leaf, [](const Tensor& x) { return x.pow(-1.5); }},
      {"pow_3_selected", normal_leaf, [](const Tensor& x) { return x[1].pow(3.0); }},
      {"pow_0", normal_leaf, [](const Tensor& x) { return x.pow(0.0) + x; }},
      {"abs_transposed", normal_leaf, [](const Tensor& x) { return x.T().abs(); }},
      {"tanh_selected", normal_leaf, [](const Tensor& x) { return x.select(1, 0).tanh(); }},
      {"sigmoid_transposed", normal_leaf, [](const Tensor& x) { return x.T().sigmoid(); }},
      {"relu", normal_leaf, [](const Tensor& x) { return relu(x); }},
      {"gelu_none_transposed", normal_leaf, [](const Tensor& x) { return gelu(x.T()); }},
      {"gelu_tanh_selected", normal_leaf, [](const Tensor& x) { return gelu(x[2], "tanh"); }},
      {"log_softmax_last_transposed", normal_leaf,
       [](const Tensor& x) { return x.T().log_softmax(-1); }},
      {"log_softmax_dim0", normal_leaf, [](const Tensor& x) { return log_softmax(x, 0); }},
  };
}

class UnaryGradcheck : public ::testing::TestWithParam<GradcheckCase> {};

TEST_P(UnaryGradcheck, MatchesCentralDifferences) {
  manual_seed(2025);
  const Tensor leaf = GetParam().leaf({3, 4});
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return GetParam().fn(x[0]); }, {leaf}));
}

INSTANTIATE_TEST_SUITE_P(Ops, UnaryGradcheck, ::testing::ValuesIn(gradcheck_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace mg
