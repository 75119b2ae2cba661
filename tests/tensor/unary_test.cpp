// The elementwise math kernels and log_softmax against PyTorch: the golden cases recorded by
// tests/golden/gen_unary.py (see its docstring).
//
// Bit for bit: sqrt, abs, sign, relu, and pow with the exponents PyTorch computes by arithmetic
// (0, 1, 2, 3, 0.5, -0.5, -1, -2); softmax, log_softmax and their backwards, with -inf and large
// inputs. Within an ulp or two: log, tanh, sigmoid and gelu "tanh", which take SLEEF's functions
// as PyTorch's vector loop does, while PyTorch's elementwise loops leave the last elements of a
// tensor (fewer than 16) to std:: math, which may round differently; pow with other exponents.
// Gelu "none" within 48 ulps: 1 + erf(x) cancels for negative x and so magnifies a last-bit
// difference, and PyTorch computes its float32 erf with a polynomial good to about 1e-7 (on these
// inputs, x >= -2).
#include <gtest/gtest.h>

#include "expect_error.h"

#include <map>
#include <string>

#include "expect_ulps.h"
#include "golden_reader.h"
#include "minigrad/tensor/elementwise.h"
#include "minigrad/tensor/factory.h"
#include "minigrad/tensor/softmax.h"
#include "minigrad/tensor/views.h"

namespace mg::kernels {
namespace {

const test::Golden& golden() {
  static const test::Golden records("unary.txt");
  return records;
}

Tensor golden_tensor(const std::string& key) {
  const test::GoldenTensor& record = golden().tensor(key);
  return from_vector(record.values, record.shape, record.dtype);
}

// The ops of gen_unary.py's KERNEL_OPS and how far each may be from PyTorch.
struct KernelOp {
  std::function<Tensor(const Tensor&)> fn;
  uint64_t max_ulps;
};

KernelOp kernel_op(const std::string& name) {
  if (name.starts_with("pow_")) {
    const double exponent = std::stod(name.substr(4));
    const bool arithmetic = exponent == 0 || exponent == 1 || exponent == 2 || exponent == 3 ||
                            std::abs(exponent) == 0.5 || exponent == -1 || exponent == -2;
    return {[exponent](const Tensor& x) { return pow(x, exponent); }, arithmetic ? 0u : 1u};
  }
  auto op = [](UnaryOp op) { return [op](const Tensor& x) { return unary(op, x); }; };
  static const std::map<std::string, KernelOp> ops{
      {"sign", {op(UnaryOp::Sign), 0}},
      {"log", {op(UnaryOp::Log), 1}},
      {"sqrt", {op(UnaryOp::Sqrt), 0}},
      {"abs", {op(UnaryOp::Abs), 0}},
      {"tanh", {op(UnaryOp::Tanh), 1}},
      {"sigmoid", {op(UnaryOp::Sigmoid), 1}},
      {"relu", {op(UnaryOp::Relu), 0}},
      {"gelu_none", {[](const Tensor& x) { return gelu(x, GeluApproximate::None); }, 48}},
      {"gelu_tanh", {[](const Tensor& x) { return gelu(x, GeluApproximate::Tanh); }, 1}},
  };
  return ops.at(name);
}

TEST(UnaryGolden, EveryOpOnEveryCaseMatchesPyTorch) {
  int checked = 0;
  for (const auto& [key, expected] : golden().tensors()) {
    // unary/<op>/<case>, the inputs being unary/input/<case>
    if (!key.starts_with("unary/") || key.starts_with("unary/input/")) continue;
    const size_t slash = key.find('/', 6);
    const std::string op_name = key.substr(6, slash - 6), name = key.substr(slash + 1);
    Tensor input = golden_tensor("unary/input/" + name);
    if (name == "transposed") input = transpose(input, 0, 1);
    const KernelOp op = kernel_op(op_name);
    test::expect_ulps(op.fn(input), expected, op.max_ulps, key);
    ++checked;
  }
  EXPECT_EQ(checked, 19 * 5);  // sign and the 18 differentiable ops, 5 cases each
}

TEST(Unary, NamesTheOps) {
  EXPECT_EQ(unary_op_name(UnaryOp::Sigmoid), "sigmoid");
  EXPECT_EQ(unary_op_name(UnaryOp::Relu), "relu");
}

TEST(Unary, GeluApproximateIsNoneOrTanh) {
  EXPECT_EQ(gelu_approximate("none"), GeluApproximate::None);
  EXPECT_EQ(gelu_approximate("tanh"), GeluApproximate::Tanh);
  test::expect_error([] { gelu_approximate("erf"); },
                     "gelu: approximate must be \"none\" or \"tanh\", not \"erf\"");
}

TEST(Unary, BackwardKernelsWantGradOutLikeTheInput) {
  test::expect_error(
      [] {
        threshold_backward(zeros({2, 3}), zeros({3, 2}), 0);
      },
      "threshold_backward: grad_out [2, 3] float32 must match the input [3, 2]");
  test::expect_error([] { gelu_backward(zeros({2}), zeros({2}, kFloat64), GeluApproximate::None); },
                     "gelu_backward: grad_out [2] float32 must match the input [2] float64");
}

// --- softmax and log_softmax: large inputs, -inf entries, all -inf slices -----------------------

void expect_softmax_case(const std::string& op, const std::string& name) {
  const std::string prefix = op + "/" + name + "/";
  Tensor input = golden_tensor(prefix + "input");
  if (name.starts_with("transposed")) input = transpose(input, 0, 1);
  const auto dim = static_cast<int64_t>(golden().tensor(prefix + "dim").values.at(0));
  const Tensor grad_out = golden_tensor(prefix + "grad_out");
  const bool log = op == "log_softmax";
  const Tensor out = log ? log_softmax(input, dim) : softmax(input, dim);
  test::expect_ulps(out, golden().tensor(prefix + "out"), 0, prefix + "out");
  // The backward from PyTorch's output, so that it can match bit for bit.
  const Tensor torch_out = golden_tensor(prefix + "out");
  Tensor grad = log ? log_softmax_backward(grad_out, torch_out, dim)
                    : softmax_backward(grad_out, torch_out, dim);
  if (name.starts_with("transposed")) grad = transpose(grad, 0, 1);  // the leaf's gradient
  test::expect_ulps(grad, golden().tensor(prefix + "grad"), 0, prefix + "grad");
}

const std::vector<std::string> kSoftmaxCases = {
    "last_f32",     "last_long_f32",     "last_f64",       "last_long_f64",    "dim0_3d_f32",
    "dim1_3d_f32",  "dim1_3d_f64",       "transposed_f32", "large_f32",        "large_dim0_f64",
    "some_inf_f32", "some_inf_dim0_f64", "all_inf_f32",    "all_inf_long_f32", "all_inf_dim0_f64"};

TEST(SoftmaxGolden, ForwardAndBackwardMatchPyTorchWithInfAndLargeInputs) {
  for (const std::string& name : kSoftmaxCases) expect_softmax_case("softmax", name);
}

TEST(LogSoftmaxGolden, ForwardAndBackwardMatchPyTorch) {
  for (const std::string& name : kSoftmaxCases) expect_softmax_case("log_softmax", name);
}

TEST(LogSoftmax, NamesTheOpInErrors) {
  test::expect_error([] { log_softmax(zeros({2, 3}), 2); }, "log_softmax");
  test::expect_error(
      [] {
        log_softmax_backward(zeros({2, 3}), zeros({3, 2}), 1);
      },
      "log_softmax_backward: grad_out has shape [2, 3] but the output has shape");
}

}  // namespace
}  // namespace mg::kernels
