// embedding, cross_entropy and layer_norm against PyTorch (tests/golden/gen_nn_ops.py): the
// output, the grad_fn name and the gradient of every floating-point input for a random grad_out;
// then a float64 gradcheck of each on non-contiguous inputs, and their error messages.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>

#include "expect_error.h"
#include "golden_case.h"
#include "golden_reader.h"
#include "minigrad/autograd/node.h"

namespace mg {
namespace {

using Inputs = std::vector<Tensor>;
using OpFn = std::function<Tensor(const Inputs&)>;

// The case table of gen_nn_ops.py: inputs are the golden input0, input1, ... in order.
const std::map<std::string, OpFn>& op_cases() {
  static const std::map<std::string, OpFn> cases{
      {"embedding_2d", [](const Inputs& x) { return embedding(x[0], x[1]); }},
      {"embedding_1d", [](const Inputs& x) { return embedding(x[0], x[1]); }},
      {"cross_entropy_2d", [](const Inputs& x) { return cross_entropy(x[0], x[1]); }},
      {"cross_entropy_3d", [](const Inputs& x) { return cross_entropy(x[0], x[1]); }},
      {"cross_entropy_ignore_index_2",
       [](const Inputs& x) { return cross_entropy(x[0], x[1], 2); }},
      {"cross_entropy_all_ignored", [](const Inputs& x) { return cross_entropy(x[0], x[1]); }},
      {"layer_norm_last_dim", [](const Inputs& x) { return layer_norm(x[0], {4}, x[2], x[3]); }},
      {"layer_norm_two_dims",
       [](const Inputs& x) {
         return layer_norm(x[0], {3, 4}, x[2], x[3]);
       }},
      {"layer_norm_no_affine", [](const Inputs& x) { return layer_norm(x[0], {6}); }},
      {"layer_norm_eps", [](const Inputs& x) { return layer_norm(x[0], {4}, x[2], x[3], 1e-2); }},
  };
  return cases;
}

const test::Golden& golden() {
  static const test::Golden file("nn_ops.txt");
  return file;
}

class NnOpsGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(NnOpsGolden, OutputGradFnAndGradientsMatchPyTorch) {
  const std::string prefix = "nn_ops/" + GetParam();
  Inputs inputs;
  // layer_norm's normalized_shape sits between its tensors in PyTorch's call: no record there.
  for (int i = 0; i < 4; ++i) {
    const std::string key = prefix + "/input" + std::to_string(i);
    if (!golden().tensors().contains(key)) {
      inputs.emplace_back();
      continue;
    }
    inputs.push_back(golden().load(key));
    if (is_floating_point(inputs.back().dtype())) inputs.back().requires_grad_();
  }
  test::expect_golden_case(golden(), prefix, op_cases().at(GetParam())(inputs), inputs);
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& [name, op] : op_cases()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(NnOps, NnOpsGolden, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

TEST(NnOpsGolden, EveryGeneratedCaseHasATwinHere) {
  for (const auto& [key, text] : golden().strings()) {
    const std::string name = key.substr(std::string("nn_ops/").size(),
                                        key.size() - std::string("nn_ops//grad_fn").size());
    EXPECT_TRUE(op_cases().contains(name)) << name;
  }
}

Tensor leaf(const Shape& shape) {
  return randn(shape, kFloat64).requires_grad_();
}

TEST(NnOpsGradcheck, EmbeddingWithRepeatedIdsThroughATransposedWeight) {
  manual_seed(3);
  const Tensor ids = from_vector(std::vector<int64_t>{1, 0, 1, 3, 1, 2}, {2, 3});
  EXPECT_TRUE(
      gradcheck([&](const Inputs& x) { return embedding(x[0].T(), ids) * 1.5; }, {leaf({3, 4})}));
}

TEST(NnOpsGradcheck, CrossEntropy2dAnd3dWithIgnoredTargets) {
  manual_seed(4);
  const Tensor targets_2d = from_vector(std::vector<int64_t>{2, -100, 0, 4}, {4});
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return cross_entropy(x[0].T(), targets_2d); },
                        {leaf({5, 4})}));
  const Tensor targets_3d = from_vector(std::vector<int64_t>{1, 3, 3, 0, 1, 2}, {2, 3});
  EXPECT_TRUE(gradcheck([&](const Inputs& x) { return cross_entropy(x[0], targets_3d, 1) * 2.0; },
                        {leaf({2, 3, 4})}));
}

TEST(NnOpsGradcheck, LayerNormInputWeightAndBias) {
  manual_seed(5);
  EXPECT_TRUE(
      gradcheck([](const Inputs& x) { return layer_norm(x[0].transpose(0, 1), {5}, x[1], x[2]); },
                {leaf({3, 2, 5}), leaf({5}), leaf({5})}));
  EXPECT_TRUE(gradcheck(
      [](const Inputs& x) {
        return layer_norm(x[0], {2, 3}, x[1]);
      },
      {leaf({4, 2, 3}), leaf({2, 3})}));
  EXPECT_TRUE(gradcheck([](const Inputs& x) { return layer_norm(x[0], {3}); }, {leaf({4, 3})}));
}

TEST(NnOps, NoGraphWithoutGrad) {
  const Tensor out = layer_norm(ones({2, 3}), {3}, ones({3}), zeros({3}));
  EXPECT_FALSE(out.requires_grad());
  EXPECT_FALSE(embedding(ones({2, 3}), zeros({2}, kInt64)).requires_grad());
  NoGradGuard no_grad;
  EXPECT_FALSE(cross_entropy(ones({2, 3}).requires_grad_(), zeros({2}, kInt64)).requires_grad());
}

TEST(NnOpsErrors, EmbeddingNamesTheIndexAndTheRule) {
  const Tensor weight = ones({5, 3});
  test::expect_error(
      [&] {
        embedding(weight, from_vector(std::vector<int64_t>{1, 5}, {2}));
      },
      "embedding: index 5 is out of range for num_embeddings 5");
  test::expect_error([&] { embedding(weight, from_vector(std::vector<int64_t>{-1}, {1})); },
                     "embedding: index -1 is out of range for num_embeddings 5");
  test::expect_error(
      [&] {
        embedding(ones({5, 3}, kInt64), zeros({2}, kInt64));
      },
      "embedding: expected a floating-point tensor, got int64");
  test::expect_error([&] { embedding(weight, ones({2})); },
                     "embedding: expected int64 indices, got float32");
  test::expect_error([&] { embedding(ones({5}), zeros({2}, kInt64)); },
                     "embedding: expected a weight of 2 dims [num_embeddings, embedding_dim], got "
                     "shape [5]");
}

TEST(NnOpsErrors, CrossEntropyNamesTheTargetAndTheShapes) {
  const Tensor logits = zeros({2, 3});
  test::expect_error(
      [&] {
        cross_entropy(logits, from_vector(std::vector<int64_t>{0, 3}, {2}));
      },
      "cross_entropy: target 3 is out of range for 3 classes (ignore_index is "
      "-100)");
  test::expect_error(
      [&] {
        cross_entropy(logits, from_vector(std::vector<int64_t>{-1, 0}, {2}));
      },
      "cross_entropy: target -1 is out of range");
  test::expect_error([&] { cross_entropy(logits, zeros({3}, kInt64)); },
                     "cross_entropy: expected logits [N, C] with targets [N], logits [B, T, C] "
                     "with targets [B, T], or logits [C] with a 0-dim target, got logits [2, 3] "
                     "and targets [3]");
  test::expect_error(
      [&] {
        cross_entropy(zeros({2, 3, 4}), zeros({2, 4}, kInt64));
      },
      "got logits [2, 3, 4] and targets [2, 4]");
  test::expect_error([&] { cross_entropy(zeros({4}), zeros({1}, kInt64)); },
                     "got logits [4] and targets [1]");
  test::expect_error(
      [&] {
        cross_entropy(zeros({2, 3}, kInt64), zeros({2}, kInt64));
      },
      "cross_entropy: expected floating-point logits, got int64");
  test::expect_error([&] { cross_entropy(logits, zeros({2})); },
                     "cross_entropy: expected int64 targets, got float32");
}

TEST(NnOpsErrors, LayerNormNamesTheShapes) {
  test::expect_error(
      [] {
        layer_norm(ones({2, 3}), {4});
      },
      "layer_norm: expected an input whose last dims are normalized_shape [4], got "
      "shape [2, 3]");
  test::expect_error([] { layer_norm(ones({3}), {2, 3}); }, "normalized_shape [2, 3]");
  test::expect_error([] { layer_norm(ones({3}), {}); }, "normalized_shape []");
  test::expect_error(
      [] {
        layer_norm(ones({2, 3}), {3}, ones({2}));
      },
      "layer_norm: expected weight of shape normalized_shape [3], got [2]");
  test::expect_error(
      [] {
        layer_norm(ones({2, 3}), {3}, ones({3}), ones({3, 1}));
      },
      "layer_norm: expected bias of shape normalized_shape [3], got [3, 1]");
  test::expect_error(
      [] {
        layer_norm(ones({2, 3}), {3}, ones({3}, kFloat64));
      },
      "layer_norm: weight is float64 but the input is float32");
}

}  // namespace
}  // namespace mg
