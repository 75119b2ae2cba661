// nn::Module's registry (names, order, shapes as PyTorch lists them), train/eval, copies and
// shared_ptr use; Linear's initialisation and grad_fn names; Dropout; the modules' errors.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <memory>
#include <sstream>
#include <string>

#include "expect_error.h"
#include "golden_reader.h"
#include "minigrad/autograd/node.h"

namespace mg {
namespace {

using test::expect_error;

const test::Golden& nn_golden() {
  static const test::Golden file("nn.txt");
  return file;
}

// "<name> <shape>" lines, as gen_nn.py describes PyTorch's named_parameters() and named_buffers().
std::string described(const std::vector<std::pair<std::string, Tensor>>& named_tensors) {
  std::ostringstream out;
  for (const auto& [name, tensor] : named_tensors) {
    out << (out.tellp() > 0 ? "\n" : "") << name << " ";
    for (size_t i = 0; i < tensor.shape().size(); ++i) out << (i ? "," : "") << tensor.shape()[i];
  }
  return out.str();
}

// The notebook-sized configuration gen_nn.py lists the names of: d_in 3, d_out 4, context 6,
// two heads, qkv_bias on.
std::map<std::string, std::shared_ptr<nn::Module>> modules_by_kind() {
  return {{"SelfAttentionV1", std::make_shared<nn::SelfAttentionV1>(3, 4)},
          {"SelfAttentionV2", std::make_shared<nn::SelfAttentionV2>(3, 4, true)},
          {"CausalAttention", std::make_shared<nn::CausalAttention>(3, 4, 6, 0.0, true)},
          {"MultiHeadAttentionWrapper",
           std::make_shared<nn::MultiHeadAttentionWrapper>(3, 4, 6, 0.0, 2, true)},
          {"MultiHeadAttention", std::make_shared<nn::MultiHeadAttention>(3, 4, 6, 0.0, 2, true)}};
}

TEST(Module, NamedParametersAndBuffersMatchPyTorch) {
  for (const auto& [kind, module] : modules_by_kind()) {
    const std::string prefix = "nn/names/" + kind;
    EXPECT_EQ(described(module->named_parameters()), nn_golden().string(prefix + "/parameters"))
        << kind;
    EXPECT_EQ(described(module->named_buffers()), nn_golden().string(prefix + "/buffers")) << kind;
    EXPECT_EQ(module->parameters().size(), module->named_parameters().size()) << kind;
  }
}

TEST(Module, LinearWithoutBiasListsOnlyItsWeight) {
  nn::Linear linear(3, 2, false);
  EXPECT_FALSE(linear.bias.defined());
  EXPECT_EQ(described(linear.named_parameters()), "weight 2,3");
}

TEST(Module, NamedParameterShapesStream) {
  std::ostringstream out;
  for (const auto& [name, parameter] : nn::Linear(3, 2).named_parameters())
    out << name << " " << parameter.shape() << "\n";
  EXPECT_EQ(out.str(), "weight [2, 3]\nbias [2]\n");
}

TEST(Module, TrainAndEvalReachEverySubmodule) {
  nn::MultiHeadAttentionWrapper wrapper(3, 4, 6, 0.5, 2);
  EXPECT_TRUE(wrapper.is_training());
  wrapper.eval();
  EXPECT_FALSE(wrapper.is_training());
  EXPECT_FALSE(wrapper.heads[1].is_training());
  EXPECT_FALSE(wrapper.heads[1].dropout.is_training());
  wrapper.train();
  EXPECT_TRUE(wrapper.heads[0].dropout.is_training());
  // In eval mode dropout is the identity: the output is the same whatever the seed.
  wrapper.eval();
  const Tensor x = rand({2, 5, 3});
  manual_seed(1);
  const Tensor first = wrapper(x);
  manual_seed(2);
  EXPECT_EQ(wrapper(x).to_vector<float>(), first.to_vector<float>());
}

TEST(Module, ZeroGradDropsEveryGradient) {
  nn::MultiHeadAttention mha(3, 4, 6, 0.0, 2);
  mha(rand({1, 4, 3})).sum().backward();
  for (const Tensor& parameter : mha.parameters()) EXPECT_TRUE(parameter.grad().defined());
  mha.zero_grad();
  for (const Tensor& parameter : mha.parameters()) EXPECT_FALSE(parameter.grad().defined());
}

TEST(Module, CopiesShareParametersAndOutliveTheirSource) {
  nn::MultiHeadAttention copy(3, 4, 6, 0.0, 2);
  {
    nn::MultiHeadAttention source(3, 4, 6, 0.0, 2);
    copy = source;
    EXPECT_EQ(copy.W_key.weight.impl_ptr(), source.W_key.weight.impl_ptr());  // aliases
    nn::MultiHeadAttention moved = std::move(source);
    EXPECT_EQ(described(moved.named_parameters()), described(copy.named_parameters()));
  }
  // The source is gone; the copy's registry names its own members.
  const auto named = copy.named_parameters();
  EXPECT_EQ(named.front().second.impl_ptr(), copy.W_query.weight.impl_ptr());
  EXPECT_EQ(named.back().second.impl_ptr(), copy.out_proj.bias.impl_ptr());
  EXPECT_EQ(copy(rand({2, 3, 3})).shape(), (Shape{2, 3, 4}));
}

TEST(Module, WorksThroughSharedPtrToTheBase) {
  std::shared_ptr<nn::Module> module = std::make_shared<nn::SelfAttentionV2>(3, 2);
  EXPECT_EQ((*module)(rand({6, 3})).shape(), (Shape{6, 2}));
  module->eval();
  EXPECT_FALSE(module->is_training());
  EXPECT_EQ(module->parameters().size(), 3u);
}

TEST(Linear, InitialisedAsTorchNnLinear) {
  const test::Golden random("random.txt");
  manual_seed(7);
  nn::Linear linear(4, 3);
  EXPECT_EQ(linear.weight.to_vector<double>(),
            random.tensor("random/linear/seed7/float32/3x4/weight").values);
  EXPECT_EQ(linear.bias.to_vector<double>(),
            random.tensor("random/linear/seed7/float32/3/bias").values);
  EXPECT_TRUE(linear.weight.requires_grad() && linear.weight.is_leaf());
  EXPECT_TRUE(linear.bias.requires_grad() && linear.bias.is_leaf());
}

TEST(Linear, GradFnIsWhatFLinearRecords) {
  for (const bool bias : {true, false}) {
    const nn::Linear linear(3, 2, bias);
    for (const Shape& shape : {Shape{3}, Shape{4, 3}, Shape{2, 4, 3}, Shape{2, 2, 4, 3}}) {
      const std::string key = "nn/linear_grad_fn/" + std::to_string(shape.size()) + "d/bias" +
                              std::to_string(int(bias));
      EXPECT_EQ(autograd::meta_of(linear(rand(shape)))->grad_fn_name(), nn_golden().string(key))
          << key;
    }
  }
}

TEST(Linear, GradientsOfEveryRank) {
  nn::Linear linear(3, 2);
  for (const Shape& shape : {Shape{3}, Shape{4, 3}, Shape{2, 4, 3}}) {
    Tensor x = rand(shape).requires_grad_();
    const Tensor expected = x.matmul(linear.weight.T()) + linear.bias;
    linear.zero_grad();
    linear(x).sum().backward();
    const Tensor grad_weight = linear.weight.grad(), grad_bias = linear.bias.grad(),
                 grad_x = x.grad();
    linear.zero_grad();
    x.zero_grad();
    expected.sum().backward();
    EXPECT_EQ(grad_x.to_vector<float>(), x.grad().to_vector<float>());
    EXPECT_EQ(grad_bias.to_vector<float>(), linear.bias.grad().to_vector<float>());
    const std::vector<float> a = grad_weight.to_vector<float>(),
                             b = linear.weight.grad().to_vector<float>();
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 1e-5);
  }
}

TEST(Dropout, BackwardReusesTheForwardMask) {
  nn::Dropout dropout(0.5);
  Tensor x = ones({6, 6}).requires_grad_();
  manual_seed(3);
  const Tensor out = dropout(x);
  rand({100});  // the generator moves on; the backward must not draw again
  out.backward(ones_like(out));
  EXPECT_EQ(x.grad().to_vector<float>(), out.to_vector<float>());  // mask / (1 - p) both
  dropout.eval();
  EXPECT_EQ(dropout(x).impl_ptr(), x.impl_ptr());
}

TEST(Errors, ClearMessages) {
  expect_error(
      [] {
        nn::Linear(3, 2)(ones({6, 4}));
      },
      "linear: expected input with last dim 3 (in_features), got shape [6, 4]");
  expect_error([] { nn::Dropout(1.5); }, "Dropout: p must be between 0 and 1, got 1.5");
  expect_error([] { nn::MultiHeadAttention(3, 5, 6, 0.0, 2); },
               "MultiHeadAttention: d_out (5) must be divisible by num_heads (2)");
  expect_error(
      [] {
        nn::CausalAttention(3, 2, 4, 0.0)(ones({1, 5, 3}));
      },
      "CausalAttention: 5 tokens exceed context_length 4");
  expect_error(
      [] {
        nn::MultiHeadAttention(3, 4, 4, 0.0, 2)(ones({2, 5, 3}));
      },
      "MultiHeadAttention: 5 tokens exceed context_length 4");
  expect_error(
      [] {
        nn::SelfAttentionV2(3, 2)(ones({6, 4}));
      },
      "SelfAttentionV2: expected input with last dim 3 (d_in), got shape [6, 4]");
  expect_error([] { nn::SelfAttentionV1(3, 2)(ones({3})); },
               "SelfAttentionV1: expected input [T, d_in] or [B, T, d_in], got shape [3]");
  expect_error(
      [] {
        nn::MultiHeadAttention(3, 4, 6, 0.0, 2)(ones({1, 2, 6, 3}));
      },
      "MultiHeadAttention: expected input [T, d_in] or [B, T, d_in], got shape [1, 2, 6, 3]");
  expect_error([] { nn::MultiHeadAttentionWrapper(3, 4, 6, 0.0, 0); },
               "MultiHeadAttentionWrapper: num_heads (0) must be positive");
}

}  // namespace
}  // namespace mg
