// Hostile input across the public API. Every case either throws mg::Error with a message that
// names the op and the problem (ErrorCases), or gives the result PyTorch gives (ResultCases, from
// tests/golden/gen_hostile.py). Nothing may crash, abort or read out of bounds: the asan preset
// runs this suite under Address and UndefinedBehavior sanitizers.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "golden_reader.h"

namespace mg {
namespace {

struct ErrorCase {
  std::string name;
  std::function<void()> call;
  std::string message;  // a fragment of the expected message, op name first
};

void PrintTo(const ErrorCase& error_case, std::ostream* out) {
  *out << error_case.name;
}

Tensor leaf(const Shape& shape) {
  return ones(shape).requires_grad_();
}

std::vector<ErrorCase> error_cases() {
  return {
      // Shapes that do not fit, op by op.
      {"add_broadcast",
       [] {
         ones({2, 3}) + ones({4});
       },
       "add: shapes [2, 3] and [4] cannot be broadcast (3 != 4 at dim 1)"},
      {"sub_broadcast",
       [] {
         ones({2, 3}) - ones({3, 2});
       },
       "sub: shapes [2, 3] and [3, 2] cannot be broadcast (2 != 3 at dim 0)"},
      {"mul_broadcast",
       [] {
         ones({2, 3}) * ones({2});
       },
       "mul: shapes [2, 3] and [2] cannot be broadcast (3 != 2 at dim 1)"},
      {"div_broadcast", [] { ones({5}) / ones({4}); },
       "div: shapes [5] and [4] cannot be broadcast (5 != 4 at dim 0)"},
      {"matmul_inner",
       [] {
         matmul(ones({6, 3}), ones({2, 3}));
       },
       "matmul: cannot multiply [6, 3] by [2, 3] (3 != 2)"},
      {"matmul_0d", [] { matmul(ones({}), ones({3})); },
       "matmul: both operands need at least 1 dimension, got [] and [3]"},
      {"matmul_batch",
       [] {
         matmul(ones({2, 3, 4}), ones({3, 4, 5}));
       },
       "matmul: batch dims [2] of [2, 3, 4] and [3] of [3, 4, 5] do not broadcast"},
      {"dot_lengths", [] { dot(ones({3}), ones({4})); },
       "dot: expected 1-D tensors of the same length, got [3] and [4]"},
      {"dot_2d",
       [] {
         dot(ones({3, 1}), ones({3}));
       },
       "dot: expected 1-D tensors of the same length, got [3, 1] and [3]"},
      {"stack_shapes",
       [] {
         stack({ones({2}), ones({3})});
       },
       "stack: every tensor must have the same shape, but tensor 0 has shape [2] and tensor 1 "
       "has shape [3]"},
      {"stack_empty_list", [] { stack({}); }, "stack: expected a non-empty list of tensors"},
      {"cat_shapes",
       [] {
         cat({ones({2, 3}), ones({2, 4})}, 0);
       },
       "cat: sizes must match except in dim 0, but tensor 0 has shape [2, 3] and tensor 1 has "
       "shape [2, 4]"},
      {"cat_0d",
       [] {
         cat({ones({}), ones({})});
       },
       "cat: zero-dimensional tensors cannot be concatenated"},
      {"where_shapes", [] { where(ones({2}), ones({3}), ones({2})); },
       "where: shapes [3] and [2] cannot be broadcast (3 != 2 at dim 0)"},
      {"masked_fill_mask_shape",
       [] {
         ones({2, 3}).masked_fill(ones({4}), 0.0);
       },
       "masked_fill: shapes [2, 3] and [4] cannot be broadcast (3 != 4 at dim 1)"},
      // Out of place the mask may widen the input (as in PyTorch); in place it must fit.
      {"masked_fill_inplace_mask_larger",
       [] {
         Tensor input = ones({3});
         input.masked_fill_(ones({2, 3}), 0.0);
       },
       "masked_fill_: mask of shape [2, 3] cannot be broadcast to the tensor's shape [3]"},
      {"expand_size",
       [] {
         ones({2, 3}).expand({4, 3, 2});
       },
       "expand: the expanded size 3 must match the existing size 2 at non-singleton dim 0"},
      {"expand_too_few_sizes",
       [] {
         ones({2, 3}).expand({3});
       },
       "expand: the number of sizes in [3] (1) must be at least the number of dims of the tensor "
       "of shape [2, 3] (2)"},
      {"permute_count",
       [] {
         ones({2, 3}).permute({0});
       },
       "permute: got 1 dims for a tensor of shape [2, 3]"},
      {"permute_repeated",
       [] {
         ones({2, 3}).permute({0, 0});
       },
       "permute: dim 0 appears twice in [0, 0]"},
      {"triu_1d", [] { ones({3}).triu(); },
       "triu: expected a tensor of at least 2 dims, got shape [3]"},
      {"tril_0d", [] { tril(ones({})); },
       "tril: expected a tensor of at least 2 dims, got shape []"},
      {"copy_shapes", [] { ones({3}).copy_(ones({2})); },
       "copy_: shapes [3] and [2] cannot be broadcast (3 != 2 at dim 0)"},
      {"add_inplace_grows",
       [] {
         Tensor a = ones({3});
         a += ones({2, 3});
       },
       "add_: output with shape [3] doesn't match the broadcast shape [2, 3]"},
      {"from_vector_count",
       [] {
         from_vector(std::vector<float>{1, 2, 3}, {2, 2});
       },
       "from_vector: 3 values cannot fill shape [2, 2] (4 elements)"},
      {"tensor_ragged",
       [] {
         tensor({{1.0, 2.0}, {3.0}});
       },
       "tensor: expected a sequence of length 2 at dim 1 (got 1)"},
      {"zeros_negative_size", [] { zeros({-1}); }, "sizes must be non-negative, got shape [-1]"},
      // Dims out of range.
      {"softmax_dim",
       [] {
         softmax(ones({2, 3}), 2);
       },
       "softmax: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"softmax_0d_dim", [] { softmax(ones({}), 1); },
       "softmax: dim 1 is out of range for a tensor with 0 dims (expected -1 to 0)"},
      {"sum_dim",
       [] {
         ones({2, 3}).sum({3});
       },
       "sum: dim 3 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"sum_repeated_dim",
       [] {
         ones({2, 3}).sum({1, -1});
       },
       "sum: dim 1 appears multiple times in the list of dims"},
      {"mean_dim",
       [] {
         ones({2, 3}).mean(-3);
       },
       "mean: dim -3 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"transpose_dim",
       [] {
         ones({2, 3}).transpose(0, 2);
       },
       "transpose: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"T_3d",
       [] {
         ones({2, 3, 4}).T();
       },
       "T: expected a tensor of at most 2 dims, got shape [2, 3, 4]"},
      {"unsqueeze_dim",
       [] {
         ones({2, 3}).unsqueeze(4);
       },
       "unsqueeze: dim 4 is out of range for a tensor with 3 dims (expected -3 to 2)"},
      {"squeeze_dim",
       [] {
         ones({2, 3}).squeeze(3);
       },
       "squeeze: dim 3 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"select_index",
       [] {
         ones({2, 3})[2];
       },
       "select: index 2 is out of range for dim 0 of size 2"},
      {"select_negative_index",
       [] {
         ones({2, 3})[-3];
       },
       "select: index -3 is out of range for dim 0 of size 2"},
      {"select_0d", [] { ones({})[0]; }, "select: cannot index a 0-dim tensor"},
      {"select_dim",
       [] {
         ones({2, 3}).select(2, 0);
       },
       "select: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"slice_dim",
       [] {
         ones({2, 3}).slice(2, 0, 1);
       },
       "slice: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"slice_step", [] { ones({4}).slice(0, 0, 4, 0); }, "slice: step must be positive, got 0"},
      {"narrow_length", [] { ones({4}).narrow(0, 3, 2); },
       "narrow: start (3) + length (2) exceeds the size (4) of dim 0"},
      {"narrow_start", [] { ones({4}).narrow(0, -5, 1); },
       "narrow: start -5 is out of range for dim 0 of size 4"},
      {"stack_dim",
       [] {
         stack({ones({2}), ones({2})}, 3);
       },
       "stack: dim 3 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"cat_dim",
       [] {
         cat({ones({2}), ones({2})}, 1);
       },
       "cat: dim 1 is out of range for a tensor with 1 dim (expected -1 to 0)"},
      {"flatten_order",
       [] {
         ones({2, 3}).flatten(1, 0);
       },
       "flatten: start_dim (1) must not come after end_dim (0)"},
      {"size_dim", [] { ones({2}).size(3); },
       "size: dim 3 is out of range for a tensor with 1 dim (expected -1 to 0)"},
      {"max_of_empty",
       [] {
         max(ones({0, 3}));
       },
       "max: a tensor of shape [0, 3] has no elements to reduce over"},
      {"max_along_empty_dim",
       [] {
         max(ones({0, 3}), 0);
       },
       "max: cannot reduce dim 0 of a tensor of shape [0, 3], which has size 0"},
      {"argmax_dim",
       [] {
         argmax(ones({2, 3}), 2);
       },
       "argmax: dim 2 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"min_dim",
       [] {
         min(ones({2, 3}), -3);
       },
       "min: dim -3 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"log_softmax_dim",
       [] {
         log_softmax(ones({2, 3}), 3);
       },
       "log_softmax: dim 3 is out of range for a tensor with 2 dims (expected -2 to 1)"},
      {"where_condition_shape",
       [] {
         where(ones({4}), ones({2, 3}), ones({2, 3}));
       },
       "where: shapes [4] and [2, 3] cannot be broadcast (4 != 3 at dim 1)"},
      {"gelu_approximate", [] { gelu(ones({2}), "fast"); },
       "gelu: approximate must be \"none\" or \"tanh\", not \"fast\""},
      // Mismatched dtypes.
      {"dot_dtypes", [] { dot(ones({3}), ones({3}, kFloat64)); },
       "dot: both operands must have the same dtype (float32 vs float64)"},
      {"matmul_dtypes",
       [] {
         matmul(ones({2, 2}), ones({2, 2}, kFloat64));
       },
       "matmul: both operands must have the same dtype (float32 vs float64)"},
      {"matmul_int64",
       [] {
         matmul(ones({2, 2}, kInt64), ones({2, 2}, kInt64));
       },
       "matmul: expected a floating-point tensor, got int64"},
      {"cat_dtypes",
       [] {
         cat({ones({2}), ones({2}, kFloat64)});
       },
       "cat: every tensor must have the same dtype, but tensor 0 is float32 and tensor 1 is "
       "float64"},
      {"stack_dtypes",
       [] {
         stack({ones({2}), ones({2}, kFloat64)});
       },
       "stack: every tensor must have the same dtype, but tensor 0 is float32 and tensor 1 is "
       "float64"},
      {"neg_bool", [] { -ones({2}, kBool); }, "neg: not supported for bool tensors"},
      {"sub_bool", [] { ones({2}, kBool) - ones({2}, kBool); },
       "sub: a bool tensor cannot be subtracted or subtracted from"},
      {"int_add_inplace_float",
       [] {
         Tensor a = ones({3}, kInt64);
         a += 2.5;
       },
       "add_: the result type float32 cannot be stored in a tensor of dtype int64"},
      {"mean_int64", [] { mean(ones({2}, kInt64)); },
       "mean: expected a floating-point tensor, got int64"},
      {"var_int64", [] { var(ones({3}, kInt64)); },
       "var: expected a floating-point tensor, got int64"},
      {"int_add_inplace_float_with_grad",
       [] {
         Tensor a = ones({3}, kInt64);
         a += leaf({3});
       },
       "add_: the result type float32 cannot be stored in a tensor of dtype int64"},
      {"masked_fill_int64_with_inf",
       [] {
         Tensor a = ones({2}, kInt64);
         a.masked_fill_(ones({2}), -INFINITY);
       },
       "masked_fill: value -inf cannot be stored in a tensor of dtype int64"},
      {"rand_int64", [] { rand({2}, kInt64); },
       "rand: expected a floating-point tensor, got int64"},
      {"requires_grad_int64", [] { ones({2}, kInt64).requires_grad_(); },
       "requires_grad_: only floating-point tensors can require gradients, got int64"},
      {"data_ptr_type", [] { ones({2}).data_ptr<double>(); },
       "data_ptr: the tensor holds float32, not float64"},
      {"gradcheck_float32",
       [] { gradcheck([](const std::vector<Tensor>& x) { return x[0] * 2.0; }, {leaf({2})}); },
       "gradcheck: input 0 is float32; finite differences need float64 inputs"},
      // Empty tensors and conversions to numbers.
      {"item_of_many", [] { ones({2}).item(); },
       "item: a tensor with 2 elements (shape [2]) cannot be converted to a number"},
      {"item_of_empty", [] { ones({0}).item(); },
       "item: a tensor with 0 elements (shape [0]) cannot be converted to a number"},
      {"view_empty_infer",
       [] {
         ones({0, 3}).view({-1, 0});
       },
       "view: shape [-1, 0] is invalid for input of shape [0, 3] (0 elements)"},
      // Ranges of arguments.
      {"dropout_above_one", [] { dropout(ones({2}), 1.5); },
       "dropout: probability has to be between 0 and 1, but got 1.5"},
      {"dropout_negative", [] { dropout(ones({2}), -0.5); },
       "dropout: probability has to be between 0 and 1, but got -0.5"},
      {"dropout_nan", [] { dropout(ones({2}), NAN); },
       "dropout: probability has to be between 0 and 1, but got nan"},
      {"arange_zero_step", [] { arange(0.0, 1.0, 0.0); }, "arange: step must be nonzero"},
      {"arange_wrong_sign", [] { arange(0.0, 1.0, -1.0); },
       "arange: step -1 cannot go from start 0 to end 1"},
      // Views.
      {"view_not_viewable",
       [] {
         ones({2, 3}).T().view({6});
       },
       "view: cannot view shape [3, 2] with strides [1, 3] as [6] without copying; call "
       ".contiguous() first or use .reshape()"},
      {"view_count",
       [] {
         ones({2, 3}).view({4});
       },
       "view: shape [4] is invalid for input of shape [2, 3] (6 elements)"},
      {"view_two_inferred",
       [] {
         ones({2, 3}).view({-1, -1});
       },
       "view: only one dimension can be inferred, got shape [-1, -1]"},
      {"reshape_count",
       [] {
         ones({2, 3}).reshape({5});
       },
       "reshape: shape [5] is invalid for input of shape [2, 3] (6 elements)"},
      {"write_into_expanded",
       [] {
         Tensor a = ones({3, 1}).expand({3, 4});
         a += 1.0;
       },
       "add_: cannot write into a tensor of which several elements share one memory location"},
      {"masked_fill_into_expanded",
       [] {
         Tensor a = zeros({1, 3}).expand({2, 3});
         a.masked_fill_(ones({2, 3}, kBool), 1.0);
       },
       "masked_fill_: cannot write into a tensor of which several elements share one memory "
       "location"},
      {"sum_0d_dim_out_of_range", [] { tensor(2.0).sum(1); },
       "sum: dim 1 is out of range for a tensor with 0 dims (expected -1 to 0)"},
      // Misuse of autograd.
      {"backward_non_scalar", [] { (leaf({2}) * 2.0).backward(); },
       "backward: a gradient can be implied only for a one-element output, but this one has "
       "shape [2]"},
      {"backward_without_grad", [] { ones({2}).sum().backward(); },
       "backward: the tensor does not require grad and has no grad_fn"},
      {"backward_gradient_shape", [] { (leaf({2}) * 2.0).backward(ones({3})); },
       "backward: the gradient has shape [3] but the output has shape [2]"},
      {"backward_twice",
       [] {
         const Tensor loss = (leaf({2}) * leaf({2})).sum();
         loss.backward();
         loss.backward();
       },
       "backward: trying to backward through the graph a second time"},
      {"saved_tensor_modified",
       [] {
         Tensor y = leaf({2, 3}).exp();
         const Tensor loss = y.sum();
         y[0] += 1.0;
         loss.backward();
       },
       "backward: ExpBackward0: a tensor of shape [2, 3] that it saved for its gradient was "
       "modified by an in-place operation"},
      {"requires_grad_non_leaf", [] { (leaf({2}) * 2.0).requires_grad_(); },
       "requires_grad_: only leaf tensors can change requires_grad; this one was made by "
       "MulBackward0"},
      {"leaf_modified_in_place",
       [] {
         Tensor w = leaf({3});
         w *= 2.0;
       },
       "mul_: a leaf tensor that requires grad cannot be modified in place"},
      {"view_of_leaf_modified",
       [] {
         Tensor w = leaf({3});
         w[0] = ones({});
       },
       "copy_: this tensor is a view of a leaf tensor that requires grad"},
      {"anomaly_in_backward",
       [] {
         detect_anomaly anomaly;
         const Tensor x = zeros({2}).requires_grad_();
         (1.0 / (x * 2.0)).sum().backward();
       },
       "backward (detect_anomaly): MulBackward0 returned a gradient with 0 NaN and 2 infinite "
       "values"},
  };
}

class ErrorCases : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorCases, ThrowAnErrorThatNamesTheOpAndTheProblem) {
  const ErrorCase& error_case = GetParam();
  try {
    error_case.call();
    ADD_FAILURE() << "no mg::Error; expected: " << error_case.message;
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(error_case.message), std::string::npos)
        << "got: " << error.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Hostile, ErrorCases, ::testing::ValuesIn(error_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(ErrorCases, AreAtLeastSixty) {
  EXPECT_GE(error_cases().size(), 60u);
}

// Cases PyTorch answers with a value: NaN and infinity pass through, empty tensors give empty or
// neutral results. Each returns its output and, when it has one, a leaf whose gradient for
// grad_out = ones is compared too.
struct ResultCase {
  std::function<std::pair<Tensor, Tensor>()> run;
};

const float kInf = INFINITY;

std::pair<Tensor, Tensor> no_leaf(const Tensor& out) {
  return {out, Tensor()};
}

const std::map<std::string, ResultCase>& result_cases() {
  static const std::map<std::string, ResultCase> cases{
      {"softmax_all_neg_inf_row", {[] {
         return no_leaf(softmax(tensor({{-kInf, -kInf}, {0.0, 1.0}}), -1));
       }}},
      {"softmax_some_neg_inf", {[] {
         const Tensor x = tensor({-kInf, 0.5, 1.0}).requires_grad_();
         return std::pair{softmax(x, -1) * tensor({1.0, 2.0, 3.0}), x};
       }}},
      {"softmax_large", {[] {
         const Tensor x = tensor({1e4, -1e4, 0.0}).requires_grad_();
         return std::pair{softmax(x, 0) * tensor({1.0, 2.0, 3.0}), x};
       }}},
      {"softmax_nan", {[] {
         return no_leaf(softmax(tensor({NAN, 1.0}), 0));
       }}},
      {"zero_by_zero", {[] {
         return no_leaf(tensor({0.0, 1.0, -1.0}) / tensor(0.0));
       }}},
      {"div_grad_at_zero", {[] {
         const Tensor x = tensor({0.0, 2.0}).requires_grad_();
         return std::pair{1.0 / x, x};
       }}},
      {"inf_minus_inf", {[] { return no_leaf(tensor({kInf}) - tensor({kInf})); }}},
      {"exp_overflow", {[] {
         return no_leaf(exp(tensor({100.0, -1000.0, kInf, -kInf})));
       }}},
      {"nan_through_matmul", {[] {
         return no_leaf(matmul(tensor({{NAN, 1.0}}), ones({2, 2})));
       }}},
      {"matmul_empty_inner", {[] {
         return no_leaf(matmul(ones({2, 0}), ones({0, 3})));
       }}},
      {"matmul_empty_rows", {[] {
         return no_leaf(matmul(ones({0, 3}), ones({3, 2})));
       }}},
      {"sum_empty", {[] {
         return no_leaf(ones({0, 3}).sum());
       }}},
      {"sum_empty_dim", {[] {
         return no_leaf(ones({0, 3}).sum(0));
       }}},
      {"mean_empty", {[] { return no_leaf(ones({0}).mean()); }}},
      {"mean_empty_dim", {[] {
         return no_leaf(ones({0, 3}).mean(0));
       }}},
      {"cat_with_empty", {[] {
         return no_leaf(cat({ones({0, 3}), full({2, 3}, 2.0)}));
       }}},
      {"dropout_empty", {[] {
         return no_leaf(dropout(ones({0, 4}), 0.5));
       }}},
      {"masked_fill_all_then_softmax", {[] {
         const Tensor mask = from_vector(std::vector<bool>{true, true, false, true}, {2, 2});
         return no_leaf(softmax(ones({2, 2}).masked_fill(mask, -kInf), -1));
       }}},
      {"log_zero_and_negative", {[] {
         return no_leaf(log(tensor({0.0, -1.0, kInf})));
       }}},
      {"sqrt_negative", {[] {
         const Tensor x = tensor({-1.0, 0.0, 4.0}).requires_grad_();
         return std::pair{sqrt(x), x};
       }}},
      {"log_softmax_all_neg_inf_row", {[] {
         return no_leaf(log_softmax(tensor({{-kInf, -kInf}, {-kInf, 1.0}}), -1));
       }}},
      {"var_of_one_element", {[] { return no_leaf(tensor({3.0}).var()); }}},
      {"max_with_nan", {[] {
         return no_leaf(max(tensor({1.0, NAN, 3.0})));
       }}},
      {"slice_past_the_end", {[] { return no_leaf(arange(5.0).slice(0, 3, 100)); }}},
      {"slice_empty", {[] { return no_leaf(arange(5.0).slice(0, 4, 2)); }}},
      // Once out-of-bounds writes and reads of an empty list of dims (issue 13's crashes).
      {"sum_0d_dim0", {[] {
         const Tensor x = tensor(2.0).requires_grad_();
         return std::pair{x.sum(0), x};
       }}},
      {"mean_0d_dim_minus1", {[] {
         const Tensor x = tensor(2.0).requires_grad_();
         return std::pair{x.mean(-1), x};
       }}},
      {"var_0d_dim0_biased", {[] {
         const Tensor x = tensor(2.0, kFloat64).requires_grad_();
         return std::pair{var(x, {0}, false), x};
       }}},
      {"float_to_int64_out_of_range", {[] {
         return no_leaf(tensor({NAN, kInf, -kInf, 1e19, -1e19, 2.5, -2.5}).to(kInt64));
       }}},
      {"int64_add_wraps", {[] {
         const Tensor a = from_vector(std::vector<int64_t>{INT64_MIN, int64_t{1} << 62}, {2});
         return no_leaf(a + a);
       }}},
      {"int64_mul_wraps", {[] {
         const Tensor a = from_vector(std::vector<int64_t>{INT64_MIN, int64_t{1} << 62}, {2});
         return no_leaf(a * full({}, 4, kInt64));
       }}},
      {"masked_softmax_0d",
       {[] { return no_leaf(masked_softmax(tensor(2.0), tensor(0.0, kBool))); }}},
  };
  return cases;
}

// Equal as PyTorch's results are: bit for bit, with NaN equal to NaN.
void expect_same(const Tensor& actual, const test::GoldenTensor& expected,
                 const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape) << what;
  ASSERT_EQ(actual.dtype(), expected.dtype) << what;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(expected.values[i]))
      EXPECT_TRUE(std::isnan(values[i])) << what << " element " << i;
    else
      EXPECT_EQ(values[i], expected.values[i]) << what << " element " << i;
  }
}

const test::Golden& golden() {
  static const test::Golden file("hostile.txt");
  return file;
}

class ResultCases : public ::testing::TestWithParam<std::string> {};

TEST_P(ResultCases, GiveWhatPyTorchGives) {
  const auto [out, leaf_input] = result_cases().at(GetParam()).run();
  const std::string prefix = "hostile/" + GetParam();
  expect_same(out, golden().tensor(prefix + "/out"), "output");
  if (!leaf_input.defined()) return;
  out.backward(ones_like(out));
  expect_same(leaf_input.grad(), golden().tensor(prefix + "/grad"), "gradient");
}

std::vector<std::string> result_case_names() {
  std::vector<std::string> names;
  for (const auto& [name, result_case] : result_cases()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Hostile, ResultCases, ::testing::ValuesIn(result_case_names()),
                         [](const auto& info) { return info.param; });

TEST(ResultCases, EveryGeneratedCaseHasATwinHere) {
  for (const auto& [key, value] : golden().tensors()) {
    const std::string name = key.substr(8, key.rfind('/') - 8);  // hostile/<name>/out
    EXPECT_TRUE(result_cases().contains(name)) << name;
  }
}

}  // namespace
}  // namespace mg
