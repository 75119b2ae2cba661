// GPTModel against the book's chapter-4 class in PyTorch (tests/golden/gen_gpt.py), case by case:
// the same seed gives the same state-dict names, in order, and the same initial tensors bit for
// bit; then the logits, the loss and every parameter's gradient agree to float32 rounding, with
// training-mode dropout in one case. A TransformerBlock and a whole GPTModel, on float64 copies of
// their parameters, pass a gradcheck.
#include <gtest/gtest.h>

#include <minigrad/minigrad.h>

#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "described.h"
#include "expect_error.h"
#include "expect_ulps.h"
#include "golden_reader.h"
#include "load_parameters.h"
#include "stream_scope.h"

namespace mg {
namespace {

using test::described;

const test::Golden& gpt_golden() {
  static const test::Golden file("gpt.txt");
  return file;
}

// A case's config string: seed forward_seed vocab_size context_length emb_dim n_heads n_layers
// drop_rate qkv_bias, then the batch's shape, which the test reads from the ids themselves.
struct Case {
  uint64_t seed = 0, forward_seed = 0;
  nn::GPTConfig cfg;
};

Case case_of(const std::string& name) {
  std::istringstream fields(gpt_golden().string("gpt/" + name + "/config"));
  Case c;
  fields >> c.seed >> c.forward_seed >> c.cfg.vocab_size >> c.cfg.context_length >> c.cfg.emb_dim >>
      c.cfg.n_heads >> c.cfg.n_layers >> c.cfg.drop_rate >> c.cfg.qkv_bias;
  return c;
}

Tensor from_golden(const std::string& key) {
  return gpt_golden().load(key);
}

void expect_close(const Tensor& actual, const std::string& key) {
  test::expect_float32_close(actual, gpt_golden(), key);
}

std::vector<std::string> case_names() {
  return gpt_golden().case_names("gpt/", "/config");
}

class GptParity : public ::testing::TestWithParam<std::string> {};

TEST_P(GptParity, NamesAndInitialTensorsAreTheBooks) {
  const std::string prefix = "gpt/" + GetParam();
  const Case c = case_of(GetParam());
  manual_seed(c.seed);
  nn::GPTModel model(c.cfg);
  EXPECT_EQ(described(model.named_parameters()), gpt_golden().string(prefix + "/names/parameters"));
  EXPECT_EQ(described(model.state_dict()), gpt_golden().string(prefix + "/names/state_dict"));
  for (const auto& [name, tensor] : model.state_dict())
    EXPECT_EQ(tensor.to_vector<double>(), gpt_golden().tensor(prefix + "/init/" + name).values)
        << name;
}

TEST_P(GptParity, LogitsLossAndGradientsMatchTheBooksModel) {
  const std::string prefix = "gpt/" + GetParam();
  const Case c = case_of(GetParam());
  test::StreamScope non_mkl(DropoutStream::NonMkl);  // Debian's PyTorch made the golden masks
  manual_seed(c.seed);
  nn::GPTModel model(c.cfg);
  manual_seed(c.forward_seed);
  const Tensor logits = model(from_golden(prefix + "/in_idx"));
  expect_close(logits, prefix + "/logits");
  const Tensor loss = cross_entropy(logits, from_golden(prefix + "/targets"));
  expect_close(loss, prefix + "/loss");
  loss.backward();
  for (const auto& [name, parameter] : model.named_parameters())
    expect_close(parameter.grad(), prefix + "/grad/" + name);
}

INSTANTIATE_TEST_SUITE_P(Gpt, GptParity, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// The module's own forward on float64 copies of all its parameters (which gradcheck perturbs one
// element at a time), each checked against finite differences.
std::vector<Tensor> float64_parameters(nn::Module& module) {
  std::vector<Tensor> parameters;
  for (const Tensor& parameter : module.parameters())
    parameters.push_back(parameter.detach().to(kFloat64).requires_grad_());
  return parameters;
}

TEST(GptGradcheck, TransformerBlock) {
  manual_seed(3);
  nn::TransformerBlock block(
      {.context_length = 3, .emb_dim = 4, .n_heads = 2, .drop_rate = 0.0, .qkv_bias = true});
  std::vector<Tensor> inputs{rand({2, 3, 4}, kFloat64).requires_grad_()};
  for (const Tensor& parameter : float64_parameters(block)) inputs.push_back(parameter);
  EXPECT_TRUE(gradcheck(
      [&block](const std::vector<Tensor>& in) {
        test::LoadParameters load(in.begin() + 1);
        block.visit(load);
        return block(in[0]);
      },
      inputs));
}

TEST(GptGradcheck, GPTModelLoss) {
  manual_seed(4);
  nn::GPTModel model({.vocab_size = 5,
                      .context_length = 4,
                      .emb_dim = 4,
                      .n_heads = 2,
                      .n_layers = 2,
                      .drop_rate = 0.0,
                      .qkv_bias = true});
  const Tensor in_idx = from_vector<int64_t>({0, 3, 4, 1, 1, 2}, {2, 3});
  const Tensor targets = from_vector<int64_t>({3, 4, 1, 2, 0, 3}, {2, 3});
  EXPECT_TRUE(gradcheck(
      [&](const std::vector<Tensor>& in) {
        test::LoadParameters load(in.begin());
        model.visit(load);
        return cross_entropy(model(in_idx), targets);
      },
      float64_parameters(model)));
}

nn::GPTConfig tiny_config() {
  return {.vocab_size = 11, .context_length = 8, .emb_dim = 12, .n_heads = 3, .n_layers = 2};
}

// The unbatched form [T]: the same logits as a batch of one.
TEST(GPTModel, SequenceIsABatchOfOne) {
  nn::GPTModel model(tiny_config());
  model.eval();
  const Tensor in_idx = from_vector<int64_t>({4, 0, 10, 7, 7}, {5});
  const Tensor logits = model(in_idx);
  EXPECT_EQ(logits.shape(), (Shape{5, 11}));
  const std::vector<float> batched = model(in_idx.unsqueeze(0)).squeeze(0).to_vector<float>();
  const std::vector<float> single = logits.to_vector<float>();
  for (size_t i = 0; i < single.size(); ++i) EXPECT_NEAR(single[i], batched[i], 1e-6);
}

// A training batch is often a view: inputs data[:, :-1] and targets data[:, 1:] of one [B, T + 1]
// tensor, or ids laid out [T, B] and transposed.
TEST(GPTModel, IdsThatAreViewsGiveTheLogitsOfTheirCopies) {
  nn::GPTModel model(tiny_config());
  model.eval();
  const Tensor data =
      from_vector<int64_t>({3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3}, {2, 9});
  for (const Tensor& in_idx : {data.slice(1, 0, 8), data.slice(1, 1), data.slice(1, 0, 4).T()}) {
    ASSERT_FALSE(in_idx.is_contiguous());
    EXPECT_EQ(model(in_idx).to_vector<float>(), model(in_idx.contiguous()).to_vector<float>());
  }
}

TEST(GPTModel, Errors) {
  nn::GPTModel model(tiny_config());
  const auto forward = [&model](const Tensor& in_idx) {
    return [&model, in_idx] { model(in_idx); };
  };
  test::expect_error(forward(zeros({2, 3, 4}, kInt64)),
                     "GPTModel: expected token ids [T] or [B, T], got shape [2, 3, 4]");
  test::expect_error(forward(zeros({}, kInt64)),
                     "GPTModel: expected token ids [T] or [B, T], got shape []");
  test::expect_error(forward(zeros({2, 9}, kInt64)), "GPTModel: 9 tokens exceed context_length 8");
  test::expect_error(forward(from_vector<int64_t>({1, 11, 2}, {1, 3})),
                     "embedding: index 11 is out of range for num_embeddings 11");
  test::expect_error(forward(from_vector<int64_t>({-1}, {1})),
                     "embedding: index -1 is out of range for num_embeddings 11");
  test::expect_error(forward(zeros({2, 3})), "embedding: expected int64 indices");
  test::expect_error(
      [] {
        nn::GPTModel(
            {.vocab_size = 3, .context_length = 2, .emb_dim = 2, .n_heads = 1, .n_layers = -1});
      },
      "GPTModel: n_layers (-1) must not be negative");
  test::expect_error(
      [] { nn::TransformerBlock({.context_length = 4, .emb_dim = 10, .n_heads = 3}); },
      "MultiHeadAttention: d_out (10) must be divisible by num_heads (3)");
}

}  // namespace
}  // namespace mg
