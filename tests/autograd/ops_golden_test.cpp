// Every differentiable op against PyTorch: its output, the name it prints as grad_fn, and the
// gradient of each input for a random grad_out. The case table mirrors
// tests/golden/gen_autograd.py.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "golden_case.h"
#include "golden_reader.h"
#include "minigrad/autograd/node.h"

namespace mg {
namespace {

using Inputs = std::vector<Tensor>;
using OpFn = std::function<Tensor(const Inputs&)>;

// Which inputs the generator passed through .T (a non-contiguous view of the leaf).
struct OpCase {
  std::vector<bool> transposed;
  OpFn fn;
};

const std::map<std::string, OpCase>& op_cases() {
  static const std::map<std::string, OpCase> cases{
      {"add_broadcast", {{false, false}, [](const Inputs& x) { return x[0] + x[1]; }}},
      {"sub_column", {{false, true}, [](const Inputs& x) { return x[0] - x[1]; }}},
      {"mul_transposed", {{true, false}, [](const Inputs& x) { return x[0] * x[1]; }}},
      {"div_3d", {{false, false}, [](const Inputs& x) { return x[0] / (x[1] * x[1] + 1.0); }}},
      {"scalar_left_sub", {{false}, [](const Inputs& x) { return 2.0 - x[0]; }}},
      {"scalar_left_div", {{false}, [](const Inputs& x) { return 2.0 / (x[0] * x[0] + 1.0); }}},
      {"scalar_right", {{false}, [](const Inputs& x) { return (x[0] + 1.5) * 3.0 / 2.0 - 0.5; }}},
      {"neg", {{false}, [](const Inputs& x) { return -x[0]; }}},
      {"exp", {{true}, [](const Inputs& x) { return x[0].exp(); }}},
      {"sum_all", {{false}, [](const Inputs& x) { return x[0].sum(); }}},
      {"sum_dims_keepdim",
       {{false},
        [](const Inputs& x) {
          return x[0].sum({0, -1}, true);
        }}},
      {"sum_dim_transposed", {{true}, [](const Inputs& x) { return x[0].sum({1}); }}},
      {"mean_all", {{false}, [](const Inputs& x) { return x[0].mean(); }}},
      {"mean_dim", {{false}, [](const Inputs& x) { return x[0].mean({-1}); }}},
      {"dot", {{false, false}, [](const Inputs& x) { return x[0].dot(x[1]); }}},
      {"mm", {{false, true}, [](const Inputs& x) { return x[0].matmul(x[1]); }}},
      {"mv", {{false, false}, [](const Inputs& x) { return x[0].matmul(x[1]); }}},
      {"vm", {{false, false}, [](const Inputs& x) { return x[0].matmul(x[1]); }}},
      {"batched_broadcast", {{false, false}, [](const Inputs& x) { return matmul(x[0], x[1]); }}},
      {"softmax_last", {{false}, [](const Inputs& x) { return x[0].softmax(-1); }}},
      {"softmax_dim0_3d", {{false}, [](const Inputs& x) { return softmax(x[0], 0); }}},
      {"stack_dim1",
       {{false, true},
        [](const Inputs& x) {
          return stack({x[0], x[1], x[0]}, 1);
        }}},
      {"view",
       {{false},
        [](const Inputs& x) {
          return x[0].view({3, 4});
        }}},
      {"reshape_contiguous",
       {{false},
        [](const Inputs& x) {
          return x[0].reshape({4, 3});
        }}},
      {"T", {{false}, [](const Inputs& x) { return x[0].T(); }}},
      {"transpose_3d", {{false}, [](const Inputs& x) { return x[0].transpose(0, 2); }}},
      {"unsqueeze", {{false}, [](const Inputs& x) { return x[0].unsqueeze(1); }}},
      {"select", {{false}, [](const Inputs& x) { return x[0][1]; }}},
      {"select_dim1", {{false}, [](const Inputs& x) { return x[0].select(1, -1); }}},
      {"contiguous", {{true}, [](const Inputs& x) { return x[0].contiguous(); }}},
      {"clone", {{false}, [](const Inputs& x) { return x[0].clone(); }}},
      {"permute_3d",
       {{false},
        [](const Inputs& x) {
          return x[0].permute({2, 0, 1});
        }}},
      {"permute_transposed",
       {{true},
        [](const Inputs& x) {
          return x[0].permute({-1, 0});
        }}},
      {"slice_step", {{false}, [](const Inputs& x) { return x[0].slice(0, 1, 5, 2); }}},
      {"slice_clamped", {{false}, [](const Inputs& x) { return x[0].slice(1, -4, 100); }}},
      {"narrow_transposed", {{true}, [](const Inputs& x) { return x[0].narrow(1, -2, 2); }}},
      {"squeeze_all", {{false}, [](const Inputs& x) { return x[0].squeeze(); }}},
      {"squeeze_dim", {{false}, [](const Inputs& x) { return x[0].squeeze(1); }}},
      {"expand",
       {{false},
        [](const Inputs& x) {
          return x[0].expand({2, 3, 4});
        }}},
      {"expand_keep",
       {{false},
        [](const Inputs& x) {
          return x[0].expand({3, -1});
        }}},
      {"flatten", {{false}, [](const Inputs& x) { return x[0].flatten(); }}},
      {"flatten_from_1", {{false}, [](const Inputs& x) { return x[0].flatten(1); }}},
      {"cat_dim1",
       {{false, true},
        [](const Inputs& x) {
          return cat({x[0], x[1], x[0]}, 1);
        }}},
      {"triu", {{false}, [](const Inputs& x) { return x[0].triu(1); }}},
      {"tril_batch_transposed", {{true}, [](const Inputs& x) { return tril(x[0], -1); }}},
      {"sum_dim", {{false}, [](const Inputs& x) { return x[0].sum(-1); }}},
      {"mean_dim_keepdim", {{false}, [](const Inputs& x) { return x[0].mean(0, true); }}},
      // Writes into views and in-place ops, with autograd.
      {"scores_by_loop",
       {{false, false},
        [](const Inputs& x) {
          const Tensor& query = x[0];
          Tensor attn_scores = empty({x[1].size(0)});
          for (int64_t i = 0; i < x[1].size(0); ++i) attn_scores[i] = dot(x[1][i], query);
          return attn_scores;
        }}},
      {"add_into_row",
       {{false, false},
        [](const Inputs& x) {
          Tensor out = x[0] * 1.0;
          out[1] += x[1];
          return out;
        }}},
      {"mul_into_transposed_view",
       {{false, false},
        [](const Inputs& x) {
          Tensor out = x[0].clone();
          out.T()[0] *= x[1];
          return out;
        }}},
      {"read_view_after_write",
       {{false, false},
        [](const Inputs& x) {
          Tensor out = x[0].clone();
          const Tensor row = out[0];
          out[0] = x[1] * 2.0;  // through another view of the same elements
          return row * 3.0;
        }}},
      {"view_of_rewritten_base",
       {{false, true},
        [](const Inputs& x) {
          Tensor out = x[0].clone();
          const Tensor row = out[1];
          out += x[1];
          return row;
        }}},
      {"copy_broadcast_into_batch_column",
       {{false, false},
        [](const Inputs& x) {
          Tensor out = x[0].clone();
          out.select(1, 1).copy_(x[1]);
          return out;
        }}},
      {"copy_whole",
       {{false, false},
        [](const Inputs& x) {
          Tensor out = x[0] * 2.0;
          out.copy_(x[1]);
          return out + x[0];
        }}},
      {"fill_row",
       {{false},
        [](const Inputs& x) {
          Tensor out = x[0] * 3.0;
          out[0].fill_(2.0);
          return out;
        }}},
      {"expanded_view_of_rewritten_base",
       {{false, false},
        [](const Inputs& x) {
          Tensor out = x[0].clone();
          const Tensor expanded = out.unsqueeze(0).expand({2, 3, 4});
          out += x[1];
          return expanded;
        }}},
      {"causal_masked_fill_",
       {{false},
        [](const Inputs& x) {
          Tensor masked = x[0] * 1.0;
          masked.masked_fill_(triu(ones({4, 4}), 1), -INFINITY);
          return softmax(masked, -1);
        }}},
      {"masked_fill_into_row",
       {{false},
        [](const Inputs& x) {
          Tensor out = x[0] * 2.0;
          out[1].masked_fill_(from_vector(std::vector<bool>{true, false, true, false}, {4}), 0.5);
          return out;
        }}},
  };
  return cases;
}

const test::Golden& golden() {
  static const test::Golden file("autograd.txt");
  return file;
}

class OpsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(OpsGolden, OutputGradFnAndGradientsMatchPyTorch) {
  const std::string prefix = "autograd/" + GetParam();
  const OpCase& op = op_cases().at(GetParam());
  std::vector<Tensor> leaves;
  Inputs inputs;
  for (size_t i = 0; i < op.transposed.size(); ++i) {
    leaves.push_back(golden().load(prefix + "/input" + std::to_string(i)));
    leaves.back().requires_grad_();
    inputs.push_back(op.transposed[i] ? leaves.back().T() : leaves.back());
  }
  test::expect_golden_case(golden(), prefix, op.fn(inputs), leaves);
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& [name, op] : op_cases()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Ops, OpsGolden, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

TEST(OpsGolden, EveryGeneratedCaseHasATwinHere) {
  for (const auto& [key, text] : golden().strings()) {
    const std::string name = key.substr(std::string("autograd/").size(),
                                        key.size() - std::string("autograd//grad_fn").size());
    EXPECT_TRUE(op_cases().contains(name)) << name;
  }
}

}  // namespace
}  // namespace mg

namespace mg {
namespace {

TEST(OpsGolden, FreeLayoutFunctionsAreTheMethods) {
  const Tensor x = arange(0.0, 24.0).reshape({2, 1, 3, 4});
  auto same = [](const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && a.to_vector<float>() == b.to_vector<float>();
  };
  EXPECT_TRUE(same(reshape(x, {6, 4}), x.reshape({6, 4})));
  EXPECT_TRUE(same(transpose(x, 0, -1), x.transpose(0, -1)));
  EXPECT_TRUE(same(permute(x, {3, 1, 0, 2}), x.permute({3, 1, 0, 2})));
  EXPECT_TRUE(same(unsqueeze(x, 2), x.unsqueeze(2)));
  EXPECT_TRUE(same(squeeze(x), x.squeeze()));
  EXPECT_TRUE(same(squeeze(x, 1), x.squeeze(1)));
  EXPECT_TRUE(same(flatten(x, 1, 2), x.flatten(1, 2)));
  EXPECT_TRUE(same(select(x, 2, -1), x.select(2, -1)));
  EXPECT_TRUE(same(narrow(x, 3, 1, 2), x.narrow(3, 1, 2)));
  EXPECT_TRUE(same(clone(x), x));
}

}  // namespace
}  // namespace mg
