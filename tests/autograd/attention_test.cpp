// scaled_dot_product_attention, fused, against the same by explicit ops (each of which is tested
// against PyTorch), on random shapes: values and every gradient; a float64 gradcheck; dropout's
// mask; the queries that see no key; the argument errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "expect_error.h"
#include "minigrad/autograd/node.h"
#include "minigrad/minigrad.h"

namespace mg {
namespace {

enum class Mask { None, Bool, Additive, BoolBroadcastRows, Causal };

struct Case {
  std::string name;
  Shape batch;
  int64_t Tq, Tk, E, Ev;
  Mask mask = Mask::None;
  Dtype dtype = kFloat64;
  std::optional<double> scale = std::nullopt;
  bool transposed_inputs = false;  // [B, T, H, E] memory read as [B, H, T, E], as in MHA
};

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.name;
}

Shape with(Shape shape, std::initializer_list<int64_t> last) {
  for (int64_t size : last) shape.push_back(size);
  return shape;
}

// A random [batch..., rows, cols] input; transposed: a view of [batch[0], rows, batch[1], cols].
Tensor input(const Case& c, int64_t rows, int64_t cols) {
  if (!c.transposed_inputs) return randn(with(c.batch, {rows, cols}), c.dtype);
  return randn({c.batch[0], rows, c.batch[1], cols}, c.dtype).transpose(1, 2);
}

Tensor mask_for(const Case& c) {
  switch (c.mask) {
    case Mask::Bool: {  // about one key in four hidden, never all of a row's
      Tensor mask = rand(with(c.batch, {c.Tq, c.Tk})) > 0.25;
      if (c.Tk > 0) mask.narrow(-1, 0, 1).fill_(1.0);
      return mask;
    }
    case Mask::Additive:
      return randn(with(c.batch, {c.Tq, c.Tk}), c.dtype);
    case Mask::BoolBroadcastRows: {  // [Tk]: the same keys hidden from every query
      Tensor mask = rand({c.Tk}) > 0.3;
      mask.narrow(0, 0, 1).fill_(1.0);
      return mask;
    }
    case Mask::None:
    case Mask::Causal:
      break;
  }
  return Tensor();
}

// |actual - expected| <= atol + rtol |expected| elementwise, with the same shape.
void expect_close(const Tensor& actual, const Tensor& expected, const std::string& what) {
  ASSERT_EQ(actual.shape(), expected.shape()) << what;
  const bool float64 = expected.dtype() == kFloat64;
  const double atol = float64 ? 1e-12 : 2e-6, rtol = float64 ? 1e-10 : 1e-4;
  const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(a[i], e[i], atol + rtol * std::abs(e[i])) << what << " element " << i;
}

class FusedAttention : public ::testing::TestWithParam<Case> {};

TEST_P(FusedAttention, MatchesExplicitOpsInValueAndEveryGradient) {
  const Case& c = GetParam();
  manual_seed(1);
  Tensor query = input(c, c.Tq, c.E).requires_grad_();
  Tensor key = input(c, c.Tk, c.E).requires_grad_();
  Tensor value = input(c, c.Tk, c.Ev).requires_grad_();
  const Tensor mask = mask_for(c);
  const bool is_causal = c.mask == Mask::Causal;
  const Tensor grad_out = randn(with(c.batch, {c.Tq, c.Ev}), c.dtype);

  const Tensor fused =
      scaled_dot_product_attention(query, key, value, mask, 0.0, is_causal, c.scale);
  fused.backward(grad_out);
  const std::vector<Tensor> fused_grads{query.grad(), key.grad(), value.grad()};
  for (Tensor* t : {&query, &key, &value}) t->zero_grad();

  const Tensor math =
      scaled_dot_product_attention_math(query, key, value, mask, 0.0, is_causal, c.scale);
  math.backward(grad_out);
  expect_close(fused, math, "out");
  expect_close(fused_grads[0], query.grad(), "grad query");
  expect_close(fused_grads[1], key.grad(), "grad key");
  expect_close(fused_grads[2], value.grad(), "grad value");
  EXPECT_EQ(autograd::meta_of(fused)->grad_fn_name(),
            "ScaledDotProductFlashAttentionForCpuBackward0");
}

// Blocks are 128 queries by 512 keys (tensor/src/attention.cpp): T = 1, and T on either side
// of both.
INSTANTIATE_TEST_SUITE_P(
    Shapes, FusedAttention,
    ::testing::Values(Case{"one_token", {}, 1, 1, 4, 4},
                      Case{"one_token_causal", {2}, 1, 1, 3, 3, Mask::Causal},
                      Case{"head_dim_1", {3}, 5, 7, 1, 1},
                      Case{"head_dim_128", {1}, 9, 9, 128, 128, Mask::Causal},
                      Case{"value_dim_differs", {2}, 6, 8, 5, 3, Mask::Additive},
                      Case{"empty_batch", {0}, 4, 4, 8, 8, Mask::Causal},
                      Case{"no_queries", {2}, 0, 4, 8, 8}, Case{"no_keys", {2}, 3, 0, 8, 8},
                      Case{"block_edges_causal", {2}, 129, 129, 16, 16, Mask::Causal},
                      Case{"long_causal", {1}, 600, 600, 8, 8, Mask::Causal},
                      Case{"cross_causal_more_keys", {1}, 130, 520, 8, 8, Mask::Causal},
                      Case{"cross_causal_more_queries", {1}, 260, 40, 8, 8, Mask::Causal},
                      Case{"bool_mask", {2, 3}, 130, 513, 16, 16, Mask::Bool},
                      Case{"bool_mask_over_keys", {2}, 66, 30, 8, 8, Mask::BoolBroadcastRows},
                      Case{"additive_mask", {3}, 128, 512, 32, 32, Mask::Additive},
                      Case{"explicit_scale", {2}, 10, 12, 8, 8, Mask::Causal, kFloat64, 0.3},
                      Case{"mha_layout_causal",
                           {2, 3},
                           131,
                           131,
                           8,
                           8,
                           Mask::Causal,
                           kFloat64,
                           std::nullopt,
                           true},
                      Case{"float32_causal", {2, 2}, 100, 100, 64, 64, Mask::Causal, kFloat32},
                      Case{"float32_bool_mask", {3}, 33, 600, 32, 32, Mask::Bool, kFloat32}),
    [](const auto& info) { return info.param.name; });

TEST(FusedAttention, PassesGradcheckWithMaskAndCausal) {
  manual_seed(2);
  for (bool causal : {false, true}) {
    const Tensor query = randn({2, 5, 3}, kFloat64).requires_grad_();
    const Tensor key = randn({2, 6, 3}, kFloat64).requires_grad_();
    const Tensor value = randn({2, 4, 6}, kFloat64).transpose(1, 2).requires_grad_();
    const Tensor mask = causal ? Tensor() : randn({5, 6}, kFloat64);
    EXPECT_TRUE(gradcheck(
        [&](const std::vector<Tensor>& in) {
          return scaled_dot_product_attention(in[0], in[1], in[2], mask, 0.0, causal);
        },
        {query, key, value}));
  }
}

// PyTorch's flash kernel gives a query that sees no key zeros, and its gradient nothing; the
// other queries are as if it were not there.
TEST(FusedAttention, QueryThatSeesNoKeyGetsZeros) {
  manual_seed(3);
  Tensor query = randn({2, 4, 5}, kFloat64).requires_grad_();
  Tensor key = randn({2, 6, 5}, kFloat64).requires_grad_();
  Tensor value = randn({2, 6, 3}, kFloat64).requires_grad_();
  Tensor mask = rand({2, 4, 6}) > 0.3;
  mask.select(0, 1).select(0, 2).fill_(0.0);  // query 2 of batch entry 1 sees no key
  Tensor grad_out = randn({2, 4, 3}, kFloat64);

  const Tensor fused = scaled_dot_product_attention(query, key, value, mask);
  fused.backward(grad_out);
  EXPECT_EQ(fused.select(0, 1).select(0, 2).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(query.grad().select(0, 1).select(0, 2).abs().sum().item<double>(), 0.0);
  const std::vector<Tensor> fused_grads{query.grad(), key.grad(), value.grad()};
  for (Tensor* t : {&query, &key, &value}) t->zero_grad();

  Tensor unmasked = mask.clone();
  unmasked.select(0, 1).select(0, 2).fill_(1.0);
  grad_out.select(0, 1).select(0, 2).fill_(0.0);
  Tensor math = scaled_dot_product_attention_math(query, key, value, unmasked);
  math.backward(grad_out);
  math = math.detach().clone();
  math.select(0, 1).select(0, 2).fill_(0.0);
  expect_close(fused, math, "out");
  expect_close(fused_grads[1], key.grad(), "grad key");
  expect_close(fused_grads[2], value.grad(), "grad value");
  Tensor math_grad_query = query.grad().clone();
  math_grad_query.select(0, 1).select(0, 2).fill_(0.0);
  expect_close(fused_grads[0], math_grad_query, "grad query");
}

// The fused op keeps dropout's mask as bits; they are the draws dropout_noise makes, in both of
// PyTorch's streams, and so the op equals dropout(softmax(...)) for the same seed.
TEST(FusedAttention, DropoutDrawsTheExplicitPathsMaskBitForBit) {
  for (DropoutStream stream : {DropoutStream::Mkl, DropoutStream::NonMkl}) {
    set_dropout_stream(stream);
    for (double p : {0.1, 0.5, 0.9}) {
      manual_seed(7);
      const Tensor noise = kernels::dropout_noise({3, 65, 131}, kFloat32, p);
      manual_seed(7);
      const kernels::DropoutKeepBits bits = kernels::dropout_keep_bits(noise.numel(), p);
      const std::vector<float> values = noise.to_vector<float>();
      int64_t mismatches = 0;
      for (int64_t i = 0; i < noise.numel(); ++i) mismatches += bits.kept(i) != (values[i] != 0);
      EXPECT_EQ(mismatches, 0) << "p " << p;
      const uint64_t after_bits = default_generator().random();
      manual_seed(7);
      kernels::dropout_noise({3, 65, 131}, kFloat32, p);
      EXPECT_EQ(default_generator().random(), after_bits) << "the generator moves on as far";
    }
    manual_seed(8);
    Tensor query = randn({2, 2, 70, 8}, kFloat64).requires_grad_();
    Tensor key = randn({2, 2, 70, 8}, kFloat64).requires_grad_();
    Tensor value = randn({2, 2, 70, 8}, kFloat64).requires_grad_();
    const Tensor grad_out = randn({2, 2, 70, 8}, kFloat64);
    manual_seed(9);
    const Tensor fused = scaled_dot_product_attention(query, key, value, {}, 0.2, true);
    fused.backward(grad_out);
    const std::vector<Tensor> fused_grads{query.grad(), key.grad(), value.grad()};
    for (Tensor* t : {&query, &key, &value}) t->zero_grad();
    manual_seed(9);
    const Tensor math = scaled_dot_product_attention_math(query, key, value, {}, 0.2, true);
    math.backward(grad_out);
    expect_close(fused, math, "out");
    expect_close(fused_grads[0], query.grad(), "grad query");
    expect_close(fused_grads[1], key.grad(), "grad key");
    expect_close(fused_grads[2], value.grad(), "grad value");
  }
  set_dropout_stream(DropoutStream::Mkl);
}

TEST(FusedAttention, DropoutOfOneGivesZerosAndDrawsNothing) {
  Tensor query = ones({2, 3, 4}).requires_grad_();
  manual_seed(4);
  const Tensor out = scaled_dot_product_attention(query, query, query, {}, 1.0);
  EXPECT_EQ(out.abs().sum().item<double>(), 0.0);
  const uint64_t next = default_generator().random();
  manual_seed(4);
  EXPECT_EQ(default_generator().random(), next);
  out.sum().backward();
  EXPECT_EQ(query.grad().abs().sum().item<double>(), 0.0);
}

TEST(FusedAttention, RetainedGraphGivesTheSameGradientsTwice) {
  manual_seed(5);
  Tensor query = randn({3, 4}).requires_grad_();
  const Tensor out = scaled_dot_product_attention(query, query, query, {}, 0.0, true);
  out.sum().backward({}, true);
  const std::vector<float> first = query.grad().to_vector<float>();
  query.zero_grad();
  out.sum().backward();
  EXPECT_EQ(query.grad().to_vector<float>(), first);
}

TEST(FusedAttention, RejectsWhatPyTorchRejects) {
  const Tensor q = rand({2, 3, 4}), k = rand({2, 5, 4}), v = rand({2, 5, 6});
  test::expect_error(
      [&] {
        scaled_dot_product_attention(q, k, v, ones({3, 5}, kBool), 0.0, true);
      },
      "an explicit attn_mask cannot be given with is_causal=true");
  test::expect_error(
      [&] {
        scaled_dot_product_attention(q, rand({2, 5, 3}), v);
      },
      "must have the same head_dim (4 != 3)");
  test::expect_error(
      [&] {
        scaled_dot_product_attention(q, k, rand({2, 4, 6}));
      },
      "must have as many tokens (5 != 4)");
  test::expect_error(
      [&] {
        scaled_dot_product_attention(q, rand({3, 5, 4}), rand({3, 5, 6}));
      },
      "must have the same batch dims");
  test::expect_error(
      [&] {
        scaled_dot_product_attention(q, k, v, ones({4, 5}, kBool));
      },
      "does not broadcast to the scores' shape [2, 3, 5]");
  test::expect_error([&] { scaled_dot_product_attention(q, k, v, {}, 1.5); },
                     "dropout_p must lie in [0, 1], got 1.5");
  test::expect_error([&] { scaled_dot_product_attention(rand({4}), k, v); },
                     "need at least 2 dims");
}

}  // namespace
}  // namespace mg
