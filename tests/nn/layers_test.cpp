// The modules of chapter 4's GPT model: Embedding and LayerNorm (initial weights for a seed, as
// PyTorch draws them), GELU, Sequential and ModuleList (names, chaining, sharing), and forward and
// backward through them against PyTorch (tests/golden/gen_nn_ops.py); then their errors.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "expect_error.h"
#include "golden_reader.h"

namespace mg {
namespace {

using test::expect_error;

const test::Golden& golden() {
  static const test::Golden file("nn_ops.txt");
  return file;
}

Tensor from_golden(const std::string& key) {
  const test::GoldenTensor& g = golden().tensor(key);
  return from_vector(g.values, g.shape, g.dtype);
}

std::vector<std::string> names_of(nn::Module& module) {
  std::vector<std::string> names;
  for (const auto& [name, parameter] : module.named_parameters()) names.push_back(name);
  return names;
}

void expect_equal(const Tensor& actual, const std::string& key) {
  const test::GoldenTensor& expected = golden().tensor(key);
  ASSERT_EQ(actual.shape(), expected.shape) << key;
  EXPECT_EQ(actual.to_vector<double>(), expected.values) << key;
}

// float32 rounding: BLAS and PyTorch may order a sum differently.
void expect_close(const Tensor& actual, const std::string& key) {
  const test::GoldenTensor& expected = golden().tensor(key);
  ASSERT_EQ(actual.shape(), expected.shape) << key;
  const std::vector<double> values = actual.to_vector<double>();
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_NEAR(values[i], expected.values[i], 1e-6 + 1e-5 * std::abs(expected.values[i]))
        << key << " element " << i;
}

TEST(Embedding, WeightIsTorchsForTheSameSeed) {
  for (auto [num, dim] : {std::pair<int64_t, int64_t>{3, 2}, {10, 4}}) {
    manual_seed(123);
    nn::Embedding embedding(num, dim);
    EXPECT_EQ(names_of(embedding), std::vector<std::string>{"weight"});
    EXPECT_TRUE(embedding.weight.requires_grad());
    expect_equal(embedding.weight, "nn_ops/module/embedding_" + std::to_string(num) + "x" +
                                       std::to_string(dim) + "/weight");
  }
}

TEST(Embedding, ForwardPicksRowsAndBackwardAccumulatesThem) {
  nn::Embedding embedding(4, 2);
  const Tensor ids = from_vector(std::vector<int64_t>{3, 1, 3}, {3});
  const Tensor out = embedding(ids);
  EXPECT_EQ(out.shape(), (Shape{3, 2}));
  EXPECT_EQ(out[0].to_vector<float>(), embedding.weight[3].to_vector<float>());
  out.sum().backward();
  EXPECT_EQ(embedding.weight.grad().to_vector<float>(),
            (std::vector<float>{0, 0, 1, 1, 0, 0, 2, 2}));
}

TEST(LayerNorm, StartsAtOnesAndZerosWithTorchsNames) {
  nn::LayerNorm norm(3);
  EXPECT_EQ(names_of(norm), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(norm.weight.to_vector<float>(), (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(norm.bias.to_vector<float>(), (std::vector<float>{0, 0, 0}));
  EXPECT_TRUE(norm.weight.requires_grad() && norm.bias.requires_grad());
  EXPECT_EQ(norm.eps, 1e-5);
  const Tensor out = norm(tensor({{1.0, 2.0, 3.0}}));
  EXPECT_NEAR(out.mean().item(), 0.0, 1e-6);
  EXPECT_EQ(nn::LayerNorm(3, 1e-2).eps, 1e-2);
}

TEST(GELU, IsMgGeluWithTheSameApproximation) {
  const Tensor x = tensor({-1.5, 0.0, 0.7});
  EXPECT_EQ(nn::GELU()(x).to_vector<float>(), gelu(x).to_vector<float>());
  EXPECT_EQ(nn::GELU("tanh")(x).to_vector<float>(), gelu(x, "tanh").to_vector<float>());
  nn::GELU act;
  EXPECT_TRUE(act.named_parameters().empty());
}

// The book's FeedForward, Linear(4, 16) -> GELU("tanh") -> Linear(16, 4), as a Sequential.
TEST(Sequential, FeedForwardMatchesPyTorch) {
  const std::string prefix = "nn_ops/module/feed_forward";
  manual_seed(7);
  // Braces: the modules are made left to right, drawing their weights in PyTorch's order.
  nn::Sequential ff{nn::Linear(4, 16), nn::GELU("tanh"), nn::Linear(16, 4)};
  EXPECT_EQ(ff.size(), 3u);
  EXPECT_EQ(names_of(ff), (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  for (const auto& [name, parameter] : ff.named_parameters())
    expect_equal(parameter, prefix + "/param/" + name);
  const Tensor x = randn({2, 3, 4}).requires_grad_();
  expect_equal(x, prefix + "/input");
  const Tensor out = ff(x);
  expect_close(out, prefix + "/out");
  out.backward(from_golden(prefix + "/grad_out"));
  expect_close(x.grad(), prefix + "/grad/input");
  for (const auto& [name, parameter] : ff.named_parameters())
    expect_close(parameter.grad(), prefix + "/grad/" + name);
}

// Token and position embeddings, LayerNorm, GELU and a bias-free head, then cross_entropy over
// [B, T] targets: every parameter's gradient against PyTorch.
TEST(Layers, TinyLanguageModelLossAndGradientsMatchPyTorch) {
  const std::string prefix = "nn_ops/module/tiny_lm";
  manual_seed(11);
  nn::Embedding tok_emb(10, 8), pos_emb(4, 8);
  nn::LayerNorm final_norm(8);
  nn::Sequential out_head{nn::GELU(), nn::Linear(8, 10, false)};
  const std::vector<std::pair<std::string, nn::Module*>> modules{{"tok_emb", &tok_emb},
                                                                 {"pos_emb", &pos_emb},
                                                                 {"final_norm", &final_norm},
                                                                 {"out_head", &out_head}};
  for (const auto& [module_name, module] : modules)
    for (const auto& [name, parameter] : module->named_parameters())
      expect_equal(parameter, prefix + "/param/" + module_name + "." + name);

  const Tensor x = tok_emb(from_golden(prefix + "/in_idx")) + pos_emb(arange(4));
  const Tensor logits = out_head(final_norm(x));
  expect_close(logits, prefix + "/logits");
  const Tensor loss = cross_entropy(logits, from_golden(prefix + "/targets"));
  expect_close(loss, prefix + "/loss");
  loss.backward();
  for (const auto& [module_name, module] : modules)
    for (const auto& [name, parameter] : module->named_parameters())
      expect_close(parameter.grad(), prefix + "/grad/" + module_name + "." + name);
}

TEST(Sequential, CopiesShareModulesAndIndexLikePython) {
  nn::Sequential seq(nn::Linear(2, 3), nn::Dropout(0.5));
  seq.push_back(nn::Linear(3, 1));
  seq.push_back(std::make_shared<nn::GELU>());
  EXPECT_EQ(seq.size(), 4u);
  EXPECT_EQ(names_of(seq), (std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"}));
  EXPECT_NE(dynamic_cast<nn::GELU*>(&seq[-1]), nullptr);
  EXPECT_NE(dynamic_cast<nn::Dropout*>(&seq[1]), nullptr);

  nn::Sequential copy = seq;
  EXPECT_EQ(&copy[0], &seq[0]);
  copy.eval();
  EXPECT_FALSE(seq[1].is_training());  // the same Dropout
  EXPECT_EQ(seq(ones({5, 2})).shape(), (Shape{5, 1}));

  nn::Sequential empty;
  const Tensor x = ones({2});
  EXPECT_EQ(empty(x).to_vector<float>(), x.to_vector<float>());
}

TEST(Sequential, NestsUnderItsOwnersName) {
  nn::Sequential inner(nn::Linear(2, 2));
  nn::Sequential outer(nn::GELU(), inner);
  outer.push_back(inner);
  EXPECT_EQ(names_of(outer),
            (std::vector<std::string>{"1.0.weight", "1.0.bias", "2.0.weight", "2.0.bias"}));
}

// A holder as the GPT model holds its blocks: nn::ModuleList under the name "trf_blocks".
struct Blocks : nn::Module {
  nn::ModuleList<nn::LayerNorm> trf_blocks;
  Tensor forward(const Tensor& x) const override {
    Tensor out = x;
    for (const nn::LayerNorm& block : trf_blocks) out = block(out);
    return out;
  }
  void visit(Visitor& visitor) override { visitor.module("trf_blocks", trf_blocks); }
};

TEST(ModuleList, NamesByIndexAndHasNoForward) {
  Blocks blocks;
  blocks.trf_blocks.push_back(nn::LayerNorm(3));
  blocks.trf_blocks.push_back(nn::LayerNorm(3));
  EXPECT_EQ(blocks.trf_blocks.size(), 2u);
  EXPECT_EQ(names_of(blocks),
            (std::vector<std::string>{"trf_blocks.0.weight", "trf_blocks.0.bias",
                                      "trf_blocks.1.weight", "trf_blocks.1.bias"}));
  EXPECT_EQ(blocks(tensor({{1.0, 2.0, 4.0}})).shape(), (Shape{1, 3}));
  EXPECT_EQ(blocks.trf_blocks[-1].weight.size(0), 3);
  expect_error([&] { blocks.trf_blocks(ones({3})); },
               "ModuleList has no forward; call its modules");
  expect_error([&] { (void)blocks.trf_blocks[2]; },
               "ModuleList: index 2 is out of range for 2 modules");

  nn::ModuleList<nn::Linear> heads({nn::Linear(2, 2), nn::Linear(2, 2, false)});
  EXPECT_EQ(names_of(heads), (std::vector<std::string>{"0.weight", "0.bias", "1.weight"}));
}

TEST(LayersErrors, NameTheModuleAndTheRule) {
  expect_error([] { nn::Embedding(0, 3); },
               "Embedding: num_embeddings (0) and embedding_dim (3) must be positive");
  expect_error([] { nn::LayerNorm(-1); }, "LayerNorm: normalized_dim must be positive, got -1");
  expect_error([] { nn::GELU("erf"); },
               "GELU: approximate must be \"none\" or \"tanh\", not \"erf\"");
  expect_error([] { nn::Embedding(4, 2)(from_vector(std::vector<int64_t>{4}, {1})); },
               "embedding: index 4 is out of range for num_embeddings 4");
  expect_error(
      [] {
        nn::LayerNorm(4)(ones({2, 3}));
      },
      "layer_norm: expected an input whose last dims are normalized_shape [4]");
  nn::Sequential seq{nn::GELU()};
  expect_error([&] { (void)seq[1]; }, "Sequential: index 1 is out of range for 1 modules");
  expect_error([&] { (void)seq[-2]; }, "Sequential: index -2 is out of range for 1 modules");
  expect_error([&] { seq.push_back(std::shared_ptr<nn::Module>()); },
               "Sequential: cannot hold a null module");
}

}  // namespace
}  // namespace mg
