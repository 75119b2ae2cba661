// MultiHeadAttention::attention_weights: the weights forward multiplies the values by.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <minigrad/minigrad.h>

#include "expect_error.h"

namespace mg {
namespace {

using test::expect_error;

constexpr int64_t kBatch = 2, kTokens = 5, kDIn = 3, kDOut = 4, kHeads = 2;

Tensor input() {
  manual_seed(123);
  return rand({kBatch, kTokens, kDIn});
}

nn::MultiHeadAttention attention(double dropout = 0.0) {
  manual_seed(7);
  return nn::MultiHeadAttention(kDIn, kDOut, /*context_length=*/6, dropout, kHeads);
}

TEST(AttentionWeights, RowsAreCausalSoftmaxesThatSumToOne) {
  const Tensor weights = attention().attention_weights(input());
  ASSERT_EQ(weights.shape(), (Shape{kBatch, kHeads, kTokens, kTokens}));
  const Tensor row_sums = weights.sum(-1);
  for (const float sum : row_sums.to_vector<float>()) EXPECT_NEAR(sum, 1.0f, 1e-6f);
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t h = 0; h < kHeads; ++h)
      for (int64_t query = 0; query < kTokens; ++query)
        for (int64_t key = 0; key < kTokens; ++key) {
          const double weight = weights[b][h][query][key].item();
          if (key > query)
            EXPECT_EQ(weight, 0.0) << "query " << query << " sees the future key " << key;
          else
            EXPECT_GT(weight, 0.0) << "query " << query << ", key " << key;
        }
}

// mha's output from the weights it attends with: out_proj(weights @ values), the heads of the
// values [B, num_heads, T, head_dim] split as forward splits them.
std::vector<float> output_from(const nn::MultiHeadAttention& mha, const Tensor& x,
                               const Tensor& weights) {
  const Tensor values =
      mha.W_value(x).view({kBatch, kTokens, kHeads, kDOut / kHeads}).transpose(1, 2);
  const Tensor context_vec =
      weights.matmul(values).transpose(1, 2).contiguous().view({kBatch, kTokens, kDOut});
  return mha.out_proj(context_vec).to_vector<float>();
}

// forward runs fused, its softmax taken online over blocks of keys: the same to float32 rounding.
void expect_float32_close(const std::vector<float>& forward_out,
                          const std::vector<float>& explicit_out) {
  ASSERT_EQ(explicit_out.size(), forward_out.size());
  for (size_t i = 0; i < explicit_out.size(); ++i)
    EXPECT_NEAR(forward_out[i], explicit_out[i], 1e-6 + 1e-5 * std::abs(explicit_out[i]))
        << "element " << i;
}

TEST(AttentionWeights, TimesTheValuesGiveForward) {
  const nn::MultiHeadAttention mha = attention();
  const Tensor x = input();
  expect_float32_close(mha(x).to_vector<float>(), output_from(mha, x, mha.attention_weights(x)));
}

// In training, the fused forward draws the dropout mask the explicit weights draw for the seed.
TEST(AttentionWeights, WithDropoutTimesTheValuesGiveForwardForTheSameSeed) {
  const nn::MultiHeadAttention mha = attention(0.5);
  const Tensor x = input();
  manual_seed(5);
  const std::vector<float> explicit_out = output_from(mha, x, mha.attention_weights(x));
  manual_seed(5);
  expect_float32_close(mha(x).to_vector<float>(), explicit_out);
}

TEST(AttentionWeights, OneSequenceGivesTheWeightsOfABatchOfOne) {
  const nn::MultiHeadAttention mha = attention();
  const Tensor x = input();
  const Tensor weights = mha.attention_weights(x[1]);
  ASSERT_EQ(weights.shape(), (Shape{kHeads, kTokens, kTokens}));
  EXPECT_EQ(weights.to_vector<float>(),
            mha.attention_weights(x)[1].contiguous().to_vector<float>());
}

TEST(AttentionWeights, DropoutOnlyInTrainingMode) {
  nn::MultiHeadAttention mha = attention(0.5);
  const Tensor x = input();
  mha.eval();
  EXPECT_EQ(mha.attention_weights(x).to_vector<float>(),
            attention().attention_weights(x).to_vector<float>());
  mha.train();
  const std::vector<float> dropped = mha.attention_weights(x).to_vector<float>();
  EXPECT_TRUE(std::any_of(dropped.begin(), dropped.end(), [](float w) { return w > 1.0f; }))
      << "kept weights are scaled by 1 / (1 - p) = 2";
}

TEST(AttentionWeights, CheckTheInputAsForwardDoes) {
  expect_error(
      [] {
        attention().attention_weights(ones({1, 2, 6, kDIn}));
      },
      "MultiHeadAttention: expected input [T, d_in] or [B, T, d_in], got shape");
  expect_error(
      [] {
        attention().attention_weights(ones({2, 5, 4}));
      },
      "MultiHeadAttention: expected input with last dim 3 (d_in), got shape");
  expect_error(
      [] {
        attention().attention_weights(ones({1, 7, kDIn}));
      },
      "MultiHeadAttention: 7 tokens exceed context_length 6");
}

}  // namespace
}  // namespace mg
