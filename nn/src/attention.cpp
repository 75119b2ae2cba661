#include "minigrad/nn/attention.h"

#include <cmath>
#include <vector>

#include "minigrad/autograd/ops.h"
#include "minigrad/tensor/factory.h"

namespace mg::nn {

namespace {

// x must be [T, d_in] or [B, T, d_in].
void check_input(const char* module, const Tensor& x, int64_t d_in) {
  check(x.dim() == 2 || x.dim() == 3, module,
        ": expected input [T, d_in] or [B, T, d_in], got shape ", x.shape());
  check(x.size(-1) == d_in, module, ": expected input with last dim ", d_in, " (d_in), got shape ",
        x.shape());
}

// The book's context vectors: softmax(queries @ keys^T / sqrt(d_k)) @ values over the keys, d_k
// being the keys' last dim.
Tensor self_attention(const Tensor& queries, const Tensor& keys, const Tensor& values) {
  const Tensor attn_scores = queries.matmul(keys.transpose(-2, -1));
  return softmax(attn_scores / std::sqrt(static_cast<double>(keys.size(-1))), -1).matmul(values);
}

int64_t head_dim_of(int64_t d_out, int64_t num_heads) {
  check(num_heads > 0 && d_out % num_heads == 0, "MultiHeadAttention: d_out (", d_out,
        ") must be divisible by num_heads (", num_heads, ")");
  return d_out / num_heads;
}

Tensor causal_mask(int64_t context_length) {
  return triu(ones({context_length, context_length}), 1);
}

void check_context_length(const char* module, int64_t T, const Tensor& mask) {
  check(T <= mask.size(0), module, ": ", T, " tokens exceed context_length ", mask.size(0));
}

// softmax(attn_scores.masked_fill(mask[:T, :T], -inf) / sqrt(head_dim)): the scores of future
// tokens get no weight. One fused pass, bit for bit the notebook's three ops.
Tensor causal_softmax(const Tensor& attn_scores, const Tensor& mask, int64_t head_dim,
                      const char* module) {
  const int64_t T = attn_scores.size(-1);
  check_context_length(module, T, mask);
  return masked_softmax(attn_scores, mask.slice(0, 0, T).slice(1, 0, T),
                        std::sqrt(static_cast<double>(head_dim)));
}

// The book's dropout(causal_softmax(queries @ keys^T)) @ values, fused: the mask buffer is
// triu(ones, 1), which is what is_causal hides, and the scale is 1 / sqrt(head_dim), the default.
// In training, dropout draws the mask the explicit path draws.
Tensor causal_context(const Tensor& queries, const Tensor& keys, const Tensor& values,
                      const Dropout& dropout, const Tensor& mask, const char* module) {
  check_context_length(module, keys.size(-2), mask);
  const double dropout_p = dropout.is_training() ? dropout.p : 0.0;
  return scaled_dot_product_attention(queries, keys, values, {}, dropout_p, true);
}

}  // namespace

SelfAttentionV1::SelfAttentionV1(int64_t d_in, int64_t d_out)
    : W_query(rand({d_in, d_out}).requires_grad_()),
      W_key(rand({d_in, d_out}).requires_grad_()),
      W_value(rand({d_in, d_out}).requires_grad_()) {}

void SelfAttentionV1::visit(Visitor& visitor) {
  visitor.parameter("W_query", W_query);
  visitor.parameter("W_key", W_key);
  visitor.parameter("W_value", W_value);
}

Tensor SelfAttentionV1::forward(const Tensor& x) const {
  check_input("SelfAttentionV1", x, W_query.size(0));
  const Tensor keys = x.matmul(W_key);
  const Tensor queries = x.matmul(W_query);
  const Tensor values = x.matmul(W_value);
  return self_attention(queries, keys, values);
}

SelfAttentionV2::SelfAttentionV2(int64_t d_in, int64_t d_out, bool qkv_bias)
    : W_query(d_in, d_out, qkv_bias),
      W_key(d_in, d_out, qkv_bias),
      W_value(d_in, d_out, qkv_bias) {}

void SelfAttentionV2::visit(Visitor& visitor) {
  visitor.module("W_query", W_query);
  visitor.module("W_key", W_key);
  visitor.module("W_value", W_value);
}

Tensor SelfAttentionV2::forward(const Tensor& x) const {
  check_input("SelfAttentionV2", x, W_query.weight.size(1));
  const Tensor keys = W_key(x);
  const Tensor queries = W_query(x);
  const Tensor values = W_value(x);
  return self_attention(queries, keys, values);
}

CausalAttention::CausalAttention(int64_t d_in, int64_t d_out, int64_t context_length,
                                 double dropout, bool qkv_bias)
    : W_query(d_in, d_out, qkv_bias),
      W_key(d_in, d_out, qkv_bias),
      W_value(d_in, d_out, qkv_bias),
      dropout(dropout),
      mask(causal_mask(context_length)) {}

void CausalAttention::visit(Visitor& visitor) {
  visitor.module("W_query", W_query);
  visitor.module("W_key", W_key);
  visitor.module("W_value", W_value);
  visitor.module("dropout", dropout);
  visitor.buffer("mask", mask);
}

Tensor CausalAttention::forward(const Tensor& x) const {
  check_input("CausalAttention", x, W_query.weight.size(1));
  const Tensor keys = W_key(x);
  const Tensor queries = W_query(x);
  const Tensor values = W_value(x);
  return causal_context(queries, keys, values, dropout, mask, "CausalAttention");
}

MultiHeadAttentionWrapper::MultiHeadAttentionWrapper(int64_t d_in, int64_t d_out,
                                                     int64_t context_length, double dropout,
                                                     int64_t num_heads, bool qkv_bias) {
  check(num_heads > 0, "MultiHeadAttentionWrapper: num_heads (", num_heads, ") must be positive");
  for (int64_t i = 0; i < num_heads; ++i)
    heads.push_back(CausalAttention(d_in, d_out, context_length, dropout, qkv_bias));
}

void MultiHeadAttentionWrapper::visit(Visitor& visitor) {
  visitor.module("heads", heads);
}

Tensor MultiHeadAttentionWrapper::forward(const Tensor& x) const {
  std::vector<Tensor> context_vecs;
  for (const CausalAttention& head : heads) context_vecs.push_back(head(x));
  return cat(context_vecs, -1);
}

MultiHeadAttention::MultiHeadAttention(int64_t d_in, int64_t d_out, int64_t context_length,
                                       double dropout, int64_t num_heads, bool qkv_bias)
    : d_out(d_out),
      num_heads(num_heads),
      head_dim(head_dim_of(d_out, num_heads)),
      W_query(d_in, d_out, qkv_bias),
      W_key(d_in, d_out, qkv_bias),
      W_value(d_in, d_out, qkv_bias),
      out_proj(d_out, d_out),
      dropout(dropout),
      mask(causal_mask(context_length)) {}

void MultiHeadAttention::visit(Visitor& visitor) {
  visitor.module("W_query", W_query);
  visitor.module("W_key", W_key);
  visitor.module("W_value", W_value);
  visitor.module("out_proj", out_proj);
  visitor.module("dropout", dropout);
  visitor.buffer("mask", mask);
}

MultiHeadAttention::Heads MultiHeadAttention::split_heads(const Tensor& x) const {
  check_input("MultiHeadAttention", x, W_query.weight.size(1));
  const Tensor batch = x.dim() == 2 ? x.unsqueeze(0) : x;  // one sequence: a batch of one
  const int64_t b = batch.size(0), T = batch.size(1);
  // [b, T, d_out] -> [b, num_heads, T, head_dim]
  const auto split = [&](const Tensor& t) {
    return t.view({b, T, num_heads, head_dim}).transpose(1, 2);
  };
  return {split(W_query(batch)), split(W_key(batch)), split(W_value(batch))};
}

Tensor MultiHeadAttention::forward(const Tensor& x) const {
  const auto [queries, keys, values] = split_heads(x);
  const int64_t b = values.size(0), T = values.size(2);
  // [b, num_heads, T, head_dim] -> [b, T, d_out]
  const Tensor context_vec =
      causal_context(queries, keys, values, dropout, mask, "MultiHeadAttention")
          .transpose(1, 2)
          .contiguous()
          .view({b, T, d_out});
  const Tensor out = out_proj(context_vec);
  return x.dim() == 2 ? out.squeeze(0) : out;
}

Tensor MultiHeadAttention::attention_weights(const Tensor& x) const {
  const auto [queries, keys, values] = split_heads(x);
  const Tensor attn_scores = queries.matmul(keys.transpose(2, 3));
  const Tensor attn_weights =
      dropout(causal_softmax(attn_scores, mask, head_dim, "MultiHeadAttention"));
  return x.dim() == 2 ? attn_weights.squeeze(0) : attn_weights;
}

}  // namespace mg::nn
